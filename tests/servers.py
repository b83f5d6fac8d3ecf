"""Real local HTTP servers for tests: good feeds, conditional GET, and hostile behaviour.

``FeedServer`` listens on 127.0.0.1 on a random port, answers in threads, and serves what a test
puts at a path::

    with FeedServer() as server:
        url = server.serve("/feed.xml", body, etag='"v1"')      # 304 when If-None-Match matches
        server.redirect("/old", "/feed.xml", status=301)
        server.handle("/slow", trickle(b"<rss>..."))             # any behaviour, see the factories below
        ...
        assert server.hits["/feed.xml"] == 2
        assert server.requests[-1].headers["User-Agent"].startswith("newsmon")

Hostile factories: ``endless``, ``trickle``, ``gzip_bomb``, ``retry_after``, ``status``,
``close_without_answer``; ``refused_url()`` gives a URL nobody listens on.
"""

from __future__ import annotations

import functools
import gzip
import socket
import ssl
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

Handler = Callable[["_RequestHandler", "FeedServer"], None]


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    handler: Handler | None = None


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stalls
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.hits[path] += 1
            owner.requests.append(Request(path=self.path, headers=dict(self.headers.items())))
            route = owner.routes.get(path)
            owner.in_flight += 1
            owner.peak_in_flight = max(owner.peak_in_flight, owner.in_flight)
        try:
            self._answer_route(path, route)
        finally:
            with owner.lock:
                owner.in_flight -= 1

    def _answer_route(self, path: str, route: Route | None) -> None:
        owner = self.server.owner
        if route is None:
            self.answer(404, b"not found", {"Content-Type": "text/plain"})
        elif route.handler is not None:
            route.handler(self, owner)
        elif self._not_modified(route):
            self.answer(304, b"", self._validators(route))
        else:
            self.answer(route.status, route.body, {**self._validators(route), **route.headers})

    def _not_modified(self, route: Route) -> bool:
        tag = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        if route.etag is not None and tag is not None:
            return route.etag in [t.strip() for t in tag.split(",")]
        return route.last_modified is not None and since == route.last_modified

    @staticmethod
    def _validators(route: Route) -> dict[str, str]:
        found = {"ETag": route.etag, "Last-Modified": route.last_modified}
        return {k: v for k, v in found.items() if v is not None}

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """A complete response with Content-Length (unless the headers set one)."""
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", **(headers or {})}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read ``FeedServer.requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up on hostile answers is expected; anything else is printed as usual."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 (or another loopback address) serving routes a test sets."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.scheme = "https" if tls is not None else "http"
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.in_flight = 0
        self.peak_in_flight = 0  # most requests answered at the same time (per-host limits)
        self._server = _Server((host, 0), _RequestHandler)
        if tls is not None:  # https: a context with a certificate, e.g. from a trustme CA
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="feedserver",
                                        daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None,
              etag: str | None = None, last_modified: str | None = None) -> str:
        """Answer GET ``path`` with ``body``; 304 when the request's validators match. Returns the URL."""
        self.routes[path] = Route(body=body, status=status, headers=dict(headers or {}), etag=etag,
                                  last_modified=last_modified)
        return self.url(path)

    def handle(self, path: str, handler: Handler) -> str:
        """Answer GET ``path`` with a custom behaviour (see the factories in this module)."""
        self.routes[path] = Route(handler=handler)
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 301) -> str:
        target = to if "://" in to else self.url(to)
        return self.serve(path, b"", status=status, headers={"Location": target})

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _open_ended(request: _RequestHandler, headers: dict[str, str]) -> None:
    request.send_response(200)
    for name, value in {"Content-Type": "application/rss+xml", **headers, "Connection": "close"}.items():
        request.send_header(name, value)
    request.end_headers()
    request.close_connection = True


def endless(chunk: bytes = b"<item><title>again</title></item>" * 64) -> Handler:
    """A body that never ends (no Content-Length), streamed as fast as the client reads."""
    def run(request: _RequestHandler, server: FeedServer) -> None:
        _open_ended(request, {})
        request.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
        try:
            while not server.stopping.is_set():
                request.wfile.write(chunk)
        except OSError:
            return
    return run


def _drip(request: _RequestHandler, server: FeedServer, data: bytes, every: float) -> None:
    """Write ``data`` one byte every ``every`` seconds, until done, the server stops or the client leaves."""
    try:
        for index in range(len(data)):
            request.wfile.write(data[index:index + 1])
            request.wfile.flush()
            if server.stopping.wait(every):
                return
    except OSError:
        return


def trickle(body: bytes = b"<?xml version='1.0'?><rss version='2.0'><channel>" + b" " * 10_000,
            every: float = 1.0) -> Handler:
    """One byte every ``every`` seconds: each read is quick, the whole response takes forever."""
    def run(request: _RequestHandler, server: FeedServer) -> None:
        _open_ended(request, {"Content-Length": str(len(body))})
        _drip(request, server, body, every)
    return run


def gzip_bomb(decoded_size: int = 200_000_000, encoding: str = "gzip") -> Handler:
    """A small gzip (or deflate) body that decodes to ``decoded_size`` bytes of zeros (about 1 KB per MB)."""
    payload = _bomb(decoded_size, encoding)

    def run(request: _RequestHandler, server: FeedServer) -> None:
        request.answer(200, payload, {"Content-Encoding": encoding})
    return run


@functools.lru_cache(maxsize=8)
def _bomb(decoded_size: int, encoding: str) -> bytes:
    bits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, bits)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(decoded_size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def slow(body: bytes, seconds: float = 0.2) -> Handler:
    """Answer ``body`` after ``seconds``: long enough for concurrent requests to overlap."""
    def run(request: _RequestHandler, server: FeedServer) -> None:
        server.stopping.wait(seconds)
        request.answer(200, body)
    return run


def gzipped(body: bytes) -> Handler:
    """A well-behaved gzip-encoded response."""
    payload = gzip.compress(body)

    def run(request: _RequestHandler, server: FeedServer) -> None:
        request.answer(200, payload, {"Content-Encoding": "gzip"})
    return run


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Handler:
    """A fixed status, e.g. ``status(500)`` or ``status(429, {"Retry-After": "3600"})``."""
    def run(request: _RequestHandler, server: FeedServer) -> None:
        request.answer(code, body, {"Content-Type": "text/plain", **(headers or {})})
    return run


def retry_after(seconds: int, code: int = 429) -> Handler:
    return status(code, {"Retry-After": str(seconds)})


def close_without_answer() -> Handler:
    """Accept the request, then hang up without a status line."""
    def run(request: _RequestHandler, server: FeedServer) -> None:
        request.close_connection = True
        request.connection.shutdown(socket.SHUT_RDWR)
    return run


def refused_url(path: str = "/feed.xml") -> str:
    """A URL on 127.0.0.1 whose port has no listener (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def slow_headers(every: float = 1.0) -> Handler:
    """Trickle the status line and headers themselves, one byte every ``every`` seconds."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n" + b"X-Pad: " + b"x" * 1000 + b"\r\n"

    def run(request: _RequestHandler, server: FeedServer) -> None:
        request.close_connection = True
        _drip(request, server, head, every)
    return run
