"""Fetch a feed politely and safely: conditional GET, body hash, caps, redirects, clear failure reasons.

``fetch`` never raises for network or HTTP trouble; ``FetchResult.error`` carries a short reason
that ``newsmon status`` shows. ``http.timeout`` bounds the whole request (connect, headers, body,
every redirect hop), ``http.max_bytes`` bounds the body after gzip/deflate decoding, so neither a
trickling server nor a gzip bomb costs more than the configured time and memory.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.config import HttpConfig
from monitor.feeds.localfile import fetch_file, format_size, is_local
from monitor.feeds.transport import deadline, make_client
from monitor.model import FetchResult, Validators
from monitor.units import format_duration

K = TypeVar("K")

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}
_CHUNK = 64 * 1024


class _Failure(Exception):
    """A fetch ended without a usable body; the message is the short reason."""


def fetch(url: str, validators: Validators, http: HttpConfig, *,
          client: httpx.Client | None = None, guarded: bool = False) -> FetchResult:
    """GET ``url`` (http, https, file:// or a local path) with the validators of the last fetch.

    ``guarded``: the URL came from content (OPML, a fetched page), not from a person: only http(s),
    and never from a non-public address unless ``http.allow_private`` (the guard is in the client
    made here; a ``client`` passed in must bring its own)."""
    try:
        parts = urlsplit(url)
        scheme, _ = parts.scheme.lower(), parts.port  # .port raises for a port out of range
    except ValueError as err:
        return FetchResult(url=url, status=0, error=f"invalid URL: {err}")
    if guarded and scheme not in ("http", "https"):
        return FetchResult(url=url, status=0, error="refused: a feed named by content must be an http(s) URL")
    if is_local(url):
        return fetch_file(url, validators, http)
    if scheme not in ("http", "https"):
        return FetchResult(url=url, status=0, error=f"unsupported URL scheme {scheme!r}")
    own = client is None
    active = client if client is not None else make_client(
        user_agent=http.user_agent, allow_private=not guarded or http.allow_private, ca_bundle=http.ca_bundle)
    try:
        with deadline(http.timeout):
            return _fetch_http(active, url, validators, http)
    except _Failure as err:
        return FetchResult(url=url, status=0, error=str(err))
    except httpx.HTTPError as err:
        return FetchResult(url=url, status=0, error=describe_error(err, http.timeout))
    except (httpx.InvalidURL, ValueError) as err:
        return FetchResult(url=url, status=0, error=f"invalid URL: {str(err)[:150]}")
    except zlib.error:
        return FetchResult(url=url, status=0, error="corrupt compressed body")
    except (httpx.StreamError, OSError) as err:
        return FetchResult(url=url, status=0, error=f"connection broken: {str(err)[:150]}")
    finally:
        if own:
            active.close()


def fetch_all(jobs: Sequence[tuple[K, str, Validators]], http: HttpConfig, *, per_host: int = 2,
              workers: int = 8, guarded: Collection[K] = ()) -> Iterator[tuple[K, FetchResult]]:
    """Fetch concurrently, at most ``per_host`` requests to one host at a time; yield as they finish.
    The jobs whose key is in ``guarded`` are fetched as ``fetch(guarded=True)`` does."""
    pending: dict[str, list[tuple[K, str, Validators]]] = {}
    for job in jobs:
        pending.setdefault(_host_key(job[1]), []).append(job)
    active: dict[str, int] = dict.fromkeys(pending, 0)
    running: dict[Future[FetchResult], tuple[K, str, str]] = {}
    connections = max(workers, 1) * 2
    with make_client(user_agent=http.user_agent, max_connections=connections, ca_bundle=http.ca_bundle) as client, \
            make_client(user_agent=http.user_agent, max_connections=connections, allow_private=http.allow_private,
                        ca_bundle=http.ca_bundle) as guarded_client, \
            ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="fetch") as pool:

        def submit_ready() -> None:
            for host, queue in pending.items():
                while queue and active[host] < max(per_host, 1) and len(running) < max(workers, 1):
                    key, url, validators = queue.pop(0)
                    active[host] += 1
                    guard = key in guarded
                    running[pool.submit(fetch, url, validators, http, client=guarded_client if guard else client,
                                        guarded=guard)] = (key, host, url)

        submit_ready()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key, host, url = running.pop(future)
                active[host] -= 1
                yield key, _outcome(future, url)
            submit_ready()


def _outcome(future: Future[FetchResult], url: str) -> FetchResult:
    try:
        return future.result()
    except Exception as err:  # a bug must not stop the cycle; report it on the feed
        return FetchResult(url=url, status=0, error=f"internal error: {type(err).__name__}: {err}"[:200])


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() if parts.scheme in ("http", "https") else "<local>"


def _fetch_http(client: httpx.Client, url: str, validators: Validators, http: HttpConfig) -> FetchResult:
    current, permanent, only_permanent = url, None, True
    seen = {url}
    headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}  # the encodings read_body decodes
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    for _ in range(MAX_REDIRECTS + 1):
        with client.stream("GET", current, headers=headers, timeout=http.timeout) as response:
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                if urlsplit(target).scheme not in ("http", "https"):
                    raise _Failure(f"redirect to unsupported URL {target[:100]}")
                if target in seen:
                    raise _Failure("redirect loop")
                seen.add(target)
                only_permanent = only_permanent and response.status_code in _PERMANENT
                permanent = target if only_permanent else permanent
                current = target
                continue
            return _result(url, response, validators, http, permanent)
    raise _Failure(f"too many redirects (more than {MAX_REDIRECTS})")


def _result(url: str, response: httpx.Response, validators: Validators, http: HttpConfig,
            permanent: str | None) -> FetchResult:
    status = response.status_code
    etag = response.headers.get("etag")
    modified = response.headers.get("last-modified")
    if status == 304:
        return FetchResult(url=url, status=304, not_modified=True, etag=etag or validators.etag,
                           last_modified=modified or validators.last_modified,
                           body_hash=validators.body_hash, permanent_url=permanent)
    if status == 410:
        return FetchResult(url=url, status=410, gone=True, error="HTTP 410 Gone", permanent_url=permanent)
    if status >= 400 or status < 200:
        retry = retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
        return FetchResult(url=url, status=status, retry_after=retry, error=f"HTTP {status}",
                           permanent_url=permanent)
    body = read_body(response, http.max_bytes)
    digest = hashlib.sha256(body).hexdigest()
    unchanged = digest == validators.body_hash
    return FetchResult(url=url, status=status, body=None if unchanged else body, not_modified=unchanged,
                       etag=etag, last_modified=modified, body_hash=digest, permanent_url=permanent)


def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refusing (``_Failure``) as soon as it passes ``max_bytes``, also inside gzip."""
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if declared.isdigit() and int(declared) > max_bytes and encoding in ("", "identity"):
        raise _Failure(f"body over {format_size(max_bytes)}")
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    total = 0
    for chunk in response.iter_raw(_CHUNK):
        data = chunk
        while data:
            if decoder is None:
                out, data = data, b""
            else:
                out = decoder.decompress(data, max_bytes - total + 1)
                data = decoder.unconsumed_tail
                if decoder.eof and decoder.unused_data:  # gzip allows several members back to back
                    data = decoder.unused_data + data
                    decoder = _decoder(encoding)
            total += len(out)
            if total > max_bytes:
                raise _Failure(f"body over {format_size(max_bytes)}")
            parts.append(out)
    return b"".join(parts)


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise _Failure(f"unsupported content encoding {encoding[:30]!r}")


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def describe_error(err: httpx.HTTPError, timeout: float) -> str:
    """A short reason for ``newsmon status`` from an httpx exception."""
    text = str(err) or type(err).__name__
    if isinstance(err, httpx.TimeoutException):
        return f"timed out after {format_duration(timeout)}"
    if isinstance(err, httpx.ConnectError):
        lowered = text.lower()
        if "refused to fetch" in lowered or "host not found" in lowered:
            return text[:200]
        if "refused" in lowered:
            return "connection refused"
        if any(sign in lowered for sign in ("name or service", "nodename", "errno -2", "errno -3")):
            return "host not found"
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS error: {text[:150]}"
        return f"cannot connect: {text[:150]}"
    if isinstance(err, httpx.RemoteProtocolError):
        return f"protocol error: {text[:150]}"
    if isinstance(err, httpx.ReadError | httpx.WriteError):
        return f"connection broken: {text[:150]}"
    if isinstance(err, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {text[:150]}"
    return f"{type(err).__name__}: {text[:150]}"
