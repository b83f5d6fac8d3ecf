"""An httpx transport whose sockets obey a whole-request deadline and, optionally, refuse private addresses.

httpx's timeouts bound each socket operation, so a server trickling one byte a second never trips
them. Here every read, write and connect is given at most the time left until the deadline of the
request being made in this thread (``deadline()``), so the whole request is bounded.

With ``allow_private=False`` the host name is resolved here, every address is checked, and the
socket connects to a checked address: a feed cannot make newsmon fetch loopback, private,
link-local or otherwise internal targets, not even through a redirect or a DNS answer that changes
between check and connect.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_DEADLINE: ContextVar[float | None] = ContextVar("newsmon_deadline", default=None)


class BlockedAddress(httpcore.ConnectError):
    """The target resolves to an address newsmon must not fetch from."""


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound every socket operation in this block (this thread) to end ``seconds`` from now."""
    until = time.monotonic() + seconds
    token = _DEADLINE.set(until)
    try:
        yield until
    finally:
        _DEADLINE.reset(token)


def _remaining(timeout: float | None, error: type[Exception]) -> float | None:
    until = _DEADLINE.get()
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise error("deadline passed")
    return left if timeout is None else min(timeout, left)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped (``::ffff:a.b.c.d``), compatible
    (``::a.b.c.d``, which Linux still routes to the IPv4 host), SIIT-translated, 6to4, Teredo's
    client or NAT64 (``64:ff9b::/96``); None for a plain IPv6 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, reserved…);
    an IPv6 address that embeds an IPv4 one is judged by the IPv4 address as well."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE and int(ip) <= 1:
            return False  # :: and ::1
        inner = embedded_ipv4(ip)
        if inner is not None:
            return inner.is_global and not inner.is_multicast
    return ip.is_global and not ip.is_multicast


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        left = _remaining(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host``, the lookup bounded by ``timeout`` (getaddrinfo itself cannot be).

    The lookup runs in a daemon thread, so a hanging resolver delays neither the request beyond its
    deadline nor the exit of newsmon.
    """
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    answer: list[list[str] | BaseException] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            answer.append(list(dict.fromkeys(str(info[4][0]) for info in infos)))
        except BaseException as err:  # handed to the caller
            answer.append(err)
        finally:
            done.set()

    threading.Thread(target=lookup, name=f"dns {host}", daemon=True).start()
    if not done.wait(timeout):
        raise httpcore.ConnectTimeout(f"DNS lookup of {host} timed out")
    result = answer[0]
    if isinstance(result, BaseException) or not result:
        raise httpcore.ConnectError(f"host not found: {host}") from (result if isinstance(result, BaseException)
                                                                     else None)
    return result


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend plus the deadline and, unless ``allow_private``, the address guard."""

    def __init__(self, *, allow_private: bool = True) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        addresses = resolve(host, port, _remaining(timeout, httpcore.ConnectTimeout))
        if not self._allow_private:
            blocked = [address for address in addresses if not is_public(address)]
            if blocked:
                raise BlockedAddress(f"refused to fetch from non-public address {blocked[0]}")
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # the addresses checked above, so a second DNS answer cannot differ
            try:
                stream = self._inner.connect_tcp(address, port, _remaining(timeout, httpcore.ConnectTimeout),
                                                 local_address, socket_options)
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as err:
                failure = err
                continue
            return _DeadlineStream(stream)
        raise failure or httpcore.ConnectError(f"no address for {host}")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """Loading the CA bundle costs tens of milliseconds; one context per bundle serves every client.
    ``ca_bundle`` (``http.ca_bundle``) adds the certificates of a PEM file to the default ones."""
    context = httpx.create_ssl_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` on a ``GuardedBackend``; proxies from the environment are not used."""

    def __init__(self, *, allow_private: bool = True, max_connections: int = 32, ca_bundle: str | None = None) -> None:
        # HTTPTransport.__init__ would build an SSL context per client only to be replaced; its
        # methods use nothing but self._pool
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(ca_bundle),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private=allow_private),
        )


def make_client(*, user_agent: str, allow_private: bool = True, max_connections: int = 32,
                ca_bundle: str | None = None) -> httpx.Client:
    """A client for feeds and pages: no automatic redirects (callers follow them, checking each hop)."""
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private, max_connections=max_connections, ca_bundle=ca_bundle),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=False,
        trust_env=False,
    )
