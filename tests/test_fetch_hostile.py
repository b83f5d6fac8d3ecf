"""Hostile servers on 127.0.0.1: every one ends in a short reason, inside the timeout, in bounded memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import pytest

from monitor.config import HttpConfig
from monitor.fetch import fetch
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
    assert elapsed < 2.0  # each byte arrives well within a read timeout; only the deadline stops it
