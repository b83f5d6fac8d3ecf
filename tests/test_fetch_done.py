"""Hostile input end to end: a cycle over every hostile feed plus a good one, then a second cycle.

The good feed's alert is sent, every bad feed is recorded with a short reason in ``status``, the
cycle ends inside the timeout, and the second cycle uses 304s and leaves the 429 feed alone.
"""

from __future__ import annotations

import time
from pathlib import Path

from monitor.daemon.scheduler import Runner
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer, endless, gzip_bomb, refused_url, retry_after, status, trickle
from tests.test_parse_hostile import BOMB

GOOD = Item("Lawrow trifft Rubio in Budapest", "https://example.org/politik/lawrow.html", guid="lawrow-1")
XXE = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<rss version="2.0"><channel><title>&x;</title><item><title>Harmlos &x;</title>'
       b"<link>https://example.org/x</link></item></channel></rss>")


def test_hostile_cycle_then_polite_second_cycle(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        server.serve("/new.xml", rss([GOOD]), etag='"good-1"')
        feeds = {
            "gut": server.redirect("/old.xml", "/new.xml", status=301),
            "endlos": server.handle("/endless", endless()),
            "bombe": server.handle("/bomb", gzip_bomb(100_000_000)),
            "tropf": server.handle("/trickle", trickle(every=0.5)),
            "zuviel": server.handle("/429", retry_after(3600)),
            "kaputt": server.handle("/500", status(500)),
            "weg": server.handle("/410", status(410)),
            "entities": server.serve("/bomb.xml", BOMB),
            "xxe": server.serve("/xxe.xml", XXE),
            "schleife": server.redirect("/loop", "/loop2"),
            "niemand": refused_url(),
        }
        server.redirect("/loop2", "/loop")
        config = write_config(tmp_path, feeds, {"hook": hook.url}, http={"timeout": "2s", "max_bytes": "2MB"})
        runner = Runner(load(config), clock=clock)
        started = time.monotonic()
        first = runner.cycle()
        elapsed = time.monotonic() - started

        assert elapsed < 12  # the trickle (5,000 s at full length) is cut at the 2s timeout; margin for load
        assert [m["title"] for m in hook.messages] == ["[ukraine] Lawrow trifft Rubio in Budapest"]
        errors = {poll.feed: poll.error for poll in first.polls}
        assert errors["gut"] is None
        assert errors["endlos"] == errors["bombe"] == "body over 2 MB"
        assert errors["tropf"] == "timed out after 2s"
        assert errors["zuviel"] == "HTTP 429" and errors["kaputt"] == "HTTP 500"
        assert errors["schleife"] == "redirect loop" and errors["niemand"] == "connection refused"
        assert errors["weg"] is not None and "410" in errors["weg"]
        status_feeds = {f["name"]: f for f in collect(runner.settings)["feeds"]}
        for name, error in errors.items():
            assert status_feeds[name]["last_error"] == (error[:500] if error else None), name
        assert status_feeds["gut"]["url"] == server.url("/new.xml")  # the 301 moved it

        clock.advance(minutes=5)
        hits = dict(server.hits)
        second = runner.cycle()
        runner.close()
    polled = {poll.feed: poll for poll in second.polls}
    last_good = [r for r in server.requests if r.path == "/new.xml"][-1]
    assert polled["gut"].not_modified and last_good.headers.get("If-None-Match") == '"good-1"'
    assert server.hits["/new.xml"] == hits["/new.xml"] + 1 and server.hits["/old.xml"] == hits["/old.xml"]
    assert server.hits["/429"] == hits["/429"] == 1  # Retry-After: 3600 is respected
    assert server.hits["/410"] == 1  # gone feeds are disabled
    assert len(hook.messages) == 1 and "root:" not in str(hook.messages)
