"""fetch() against real local servers: conditional GET, body hash, files, statuses, redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.config import HttpConfig
from monitor.feeds.fetcher import fetch, fetch_all
from monitor.model import Validators
from tests.servers import FeedServer, close_without_answer, gzipped, refused_url, retry_after, status

FEED = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nachrichten</title>"
        "<item><title>Bürgermeister grüßt</title><link>https://example.org/a</link></item>"
        "</channel></rss>").encode()
HTTP = HttpConfig(timeout=5, max_bytes=1_000_000)


@pytest.fixture
def server() -> FeedServer:
    with FeedServer() as running:
        yield running


def test_first_fetch_returns_body_validators_and_hash(server: FeedServer) -> None:
    url = server.serve("/feed.xml", FEED, etag='"v1"', last_modified="Sat, 21 Nov 2026 10:00:00 GMT")
    result = fetch(url, Validators(), HTTP)
    assert result.ok and result.status == 200 and result.body == FEED
    assert result.etag == '"v1"'
    assert result.last_modified == "Sat, 21 Nov 2026 10:00:00 GMT"
    assert result.body_hash and not result.not_modified
    assert server.requests[0].headers["User-Agent"] == HTTP.user_agent


def test_second_fetch_sends_validators_and_gets_304(server: FeedServer) -> None:
    url = server.serve("/feed.xml", FEED, etag='"v1"', last_modified="Sat, 21 Nov 2026 10:00:00 GMT")
    first = fetch(url, Validators(), HTTP)
    again = fetch(url, Validators(first.etag, first.last_modified, first.body_hash), HTTP)
    assert again.ok and again.not_modified and again.status == 304 and again.body is None
    assert again.etag == '"v1"' and again.body_hash == first.body_hash
    assert server.requests[1].headers["If-None-Match"] == '"v1"'
    assert server.requests[1].headers["If-Modified-Since"] == "Sat, 21 Nov 2026 10:00:00 GMT"


def test_unchanged_body_without_validators_counts_as_not_modified(server: FeedServer) -> None:
    url = server.serve("/feed.xml", FEED)
    first = fetch(url, Validators(), HTTP)
    again = fetch(url, Validators(body_hash=first.body_hash), HTTP)
    assert again.not_modified and again.body is None and again.status == 200
    server.serve("/feed.xml", FEED + b"\n")
    changed = fetch(url, Validators(body_hash=first.body_hash), HTTP)
    assert not changed.not_modified and changed.body == FEED + b"\n"


def test_gzip_encoded_feed_is_decoded(server: FeedServer) -> None:
    url = server.handle("/gz", gzipped(FEED))
    result = fetch(url, Validators(), HTTP)
    assert result.body == FEED
    assert "gzip" in server.requests[0].headers["Accept-Encoding"]


def test_local_path_and_file_url(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    by_path = fetch(str(path), Validators(), HTTP)
    by_url = fetch(path.as_uri(), Validators(), HTTP)
    assert by_path.body == FEED and by_url.body == FEED and by_path.body_hash == by_url.body_hash
    assert fetch(str(path), Validators(body_hash=by_path.body_hash), HTTP).not_modified
    missing = fetch(str(tmp_path / "nope.xml"), Validators(), HTTP)
    assert missing.error is not None and "file not found" in missing.error


def test_local_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b" " * 2000)
    result = fetch(str(path), Validators(), HttpConfig(max_bytes=1000))
    assert result.error == "body over 1 KB" and result.body is None


def test_permanent_redirect_reports_new_url(server: FeedServer) -> None:
    new = server.serve("/new.xml", FEED)
    old = server.redirect("/old.xml", "/new.xml", status=301)
    result = fetch(old, Validators(), HTTP)
    assert result.body == FEED and result.permanent_url == new and result.url == old


def test_temporary_redirect_keeps_url(server: FeedServer) -> None:
    server.serve("/new.xml", FEED)
    server.redirect("/mid.xml", "/new.xml", status=302)
    old = server.redirect("/old.xml", "/mid.xml", status=308)
    result = fetch(old, Validators(), HTTP)
    assert result.body == FEED
    assert result.permanent_url == server.url("/mid.xml")


def test_redirect_loop_and_long_chain_fail_clearly(server: FeedServer) -> None:
    server.redirect("/a", "/b")
    loop = server.redirect("/b", "/a")
    assert fetch(loop, Validators(), HTTP).error == "redirect loop"
    for hop in range(10):
        server.redirect(f"/hop{hop}", f"/hop{hop + 1}", status=302)
    chain = fetch(server.url("/hop0"), Validators(), HTTP)
    assert chain.error is not None and chain.error.startswith("too many redirects")


def test_gone_and_server_errors(server: FeedServer) -> None:
    gone = fetch(server.handle("/gone", status(410)), Validators(), HTTP)
    assert gone.gone and not gone.ok and gone.status == 410
    broken = fetch(server.handle("/500", status(500)), Validators(), HTTP)
    assert broken.error == "HTTP 500" and broken.retry_after is None
    missing = fetch(server.url("/nothing-here"), Validators(), HTTP)
    assert missing.error == "HTTP 404"


def test_429_and_503_carry_retry_after(server: FeedServer) -> None:
    limited = fetch(server.handle("/429", retry_after(3600)), Validators(), HTTP)
    assert limited.error == "HTTP 429" and limited.retry_after == 3600
    busy = fetch(server.handle("/503", retry_after(120, code=503)), Validators(), HTTP)
    assert busy.retry_after == 120
    dated = fetch(server.handle("/date", status(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})),
                  Validators(), HTTP)
    assert dated.retry_after == 0


def test_refused_connection_and_hang_up_are_reasons_not_exceptions(server: FeedServer) -> None:
    assert fetch(refused_url(), Validators(), HTTP).error == "connection refused"
    hung = fetch(server.handle("/hangup", close_without_answer()), Validators(), HTTP)
    assert hung.error is not None and hung.error.startswith(("protocol error", "connection broken"))


def test_unsupported_scheme() -> None:
    result = fetch("ftp://example.org/feed.xml", Validators(), HTTP)
    assert result.error == "unsupported URL scheme 'ftp'"


def test_fetch_all_yields_every_job_and_limits_per_host(server: FeedServer, tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_bytes(FEED)
    jobs = [(i, server.serve(f"/f{i}.xml", FEED), Validators()) for i in range(12)]
    jobs.append((99, str(local), Validators()))
    jobs.append((100, refused_url(), Validators()))
    results = dict(fetch_all(jobs, HTTP, per_host=2, workers=4))
    assert set(results) == {*range(12), 99, 100}
    assert all(results[i].body == FEED for i in range(12))
    assert results[99].body == FEED and results[100].error == "connection refused"


def test_multi_member_gzip_is_decoded_whole(server: FeedServer) -> None:
    import gzip

    half = len(FEED) // 2
    payload = gzip.compress(FEED[:half]) + gzip.compress(FEED[half:])

    def run(request: Any, owner: FeedServer) -> None:
        request.answer(200, payload, {"Content-Encoding": "gzip"})

    assert fetch(server.handle("/members", run), Validators(), HTTP).body == FEED


def test_fetch_all_runs_hosts_in_parallel_but_each_host_at_most_per_host() -> None:
    from tests.servers import slow

    with FeedServer() as one, FeedServer("127.0.0.2") as two:
        jobs = [(f"{n}-{i}", s.handle(f"/f{i}.xml", slow(FEED)), Validators())
                for n, s in (("one", one), ("two", two)) for i in range(6)]
        results = dict(fetch_all(jobs, HTTP, per_host=2, workers=8))
    assert all(r.body == FEED for r in results.values()) and len(results) == 12
    assert one.peak_in_flight == two.peak_in_flight == 2


@pytest.mark.parametrize("url", ["http://[::1", "http://", "http://127.0.0.1:99999/feed"])
def test_malformed_urls_are_reasons(url: str) -> None:
    result = fetch(url, Validators(), HTTP)
    assert result.error is not None and result.error.startswith("invalid URL")


def test_corrupt_gzip_is_a_reason(server: FeedServer) -> None:
    def run(request: Any, owner: FeedServer) -> None:
        request.answer(200, b"\x1f\x8b\x08\x00garbage-not-deflate", {"Content-Encoding": "gzip"})

    assert fetch(server.handle("/corrupt", run), Validators(), HTTP).error == "corrupt compressed body"
