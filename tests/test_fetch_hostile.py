"""Hostile servers on 127.0.0.1: every one ends in a short reason, inside the timeout, in bounded memory."""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from monitor.config import HttpConfig
from monitor.feeds.fetcher import fetch
from monitor.model import Validators
from tests.servers import FeedServer, endless, gzip_bomb, slow_headers, trickle

CAP = HttpConfig(timeout=10, max_bytes=1_000_000)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_endless_body_stops_at_the_cap(server: FeedServer) -> None:
    result = fetch(server.handle("/endless", endless()), Validators(), CAP)
    assert result.error == "body over 1 MB" and result.body is None


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_stops_at_the_cap_without_inflating(server: FeedServer, encoding: str) -> None:
    url = server.handle("/bomb", gzip_bomb(100_000_000, encoding))
    tracemalloc.start()
    try:
        result = fetch(url, Validators(), CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body over 1 MB"
    assert peak < 8 * CAP.max_bytes  # decoded in bounded steps, never the whole 100 MB


def test_declared_length_over_the_cap_is_refused_before_reading(server: FeedServer) -> None:
    url = server.serve("/big", b"x" * 2_000_000)
    assert fetch(url, Validators(), CAP).error == "body over 1 MB"


@pytest.mark.parametrize("handler", [trickle(every=0.25), slow_headers(every=0.25)], ids=["body", "headers"])
def test_trickle_is_cut_off_by_the_whole_request_timeout(server: FeedServer, handler: object) -> None:
    url = server.handle("/slow", handler)  # type: ignore[arg-type]
    started = time.monotonic()
    result = fetch(url, Validators(), HttpConfig(timeout=1.0))
    elapsed = time.monotonic() - started
    assert result.error == "timed out after 1s"
    assert elapsed < 5.0  # each byte arrives well within a read timeout; only the deadline stops it
    # (the whole answer would take minutes; the margin is for a loaded machine)


def test_hanging_dns_lookup_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    release = threading.Event()
    original = socket.getaddrinfo

    def hanging(host: object, *args: Any, **kwargs: Any) -> Any:
        if host == "slow-dns.test":
            release.wait(30)
            raise OSError("gave up")
        return original(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()
    try:
        result = fetch("http://slow-dns.test/feed.xml", Validators(), HttpConfig(timeout=1.0))
    finally:
        release.set()
    assert result.error == "timed out after 1s"
    assert time.monotonic() - started < 5.0  # the lookup itself hangs for 30 s


def test_unknown_host_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def unknown(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    result = fetch("http://nowhere.invalid/feed.xml", Validators(), CAP)
    assert result.error == "host not found: nowhere.invalid"
