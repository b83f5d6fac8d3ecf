"""``re:`` patterns are bounded per article and per poll; one that keeps timing out is switched off.

Each search was cut off after 50 ms, but per (pattern, field, article): a few catastrophic patterns
over a poll's articles stalled it for minutes, and the warnings named neither the pattern nor the
watchlist. Now the searches of an article and of a poll share a budget, the log names both, and a
pattern that timed out ``DISABLE_AFTER`` times in a row is disabled with an admin message.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from monitor.config import WatchlistConfig
from monitor.daemon.scheduler import Runner
from monitor.match import compile_matcher
from monitor.match.regexguard import ARTICLE_BUDGET, DISABLE_AFTER, POLL_BUDGET, SEARCH_LIMIT
from monitor.model import Document
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

BOMB = "a" * 60 + "!"
# each backtracks exponentially on BOMB and times out at the 50 ms limit
CATASTROPHIC = [r"(a|aa)+$", r"(a|aa)+\?", r"(aa|a)+$", r"(a|aa)+#"]


def _timeouts(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "timed out" in r.getMessage() or "disabled after" in r.getMessage()]


def test_catastrophic_patterns_are_named_disabled_and_reported_while_a_good_one_keeps_matching(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    items = [Item(f"Tomahawk-Raketen Meldung {n} {BOMB}", f"https://example.org/{n}.html", guid=f"meldung-{n:04d}",
                  description=f"Bericht Nummer {n}") for n in range(40)]
    lists = {"watchlists": [{"name": f"kaputt-{n}", "query": f"re:/{pattern}/", "notify": ["hook"]}
                            for n, pattern in enumerate(CATASTROPHIC)]
             + [{"name": "raketen", "query": "re:/Tomahawk-?Raketen?/", "notify": ["hook"]}]}
    with FeedServer() as server, Webhook() as hook:
        config = write_config(tmp_path, {"Testfeed": server.serve("/f.xml", rss(items))}, {"hook": hook.url},
                              watchlists=lists, admin={"target": "hook"})
        run = Runner(load(config), clock=Clock())
        report = run.cycle()
        run.close()
    assert report.alerts == 40  # the good pattern matched every article
    timeouts = _timeouts(caplog)
    assert 0 < len(timeouts) <= len(CATASTROPHIC) * DISABLE_AFTER
    assert all(getattr(r, "watchlist", "").startswith("kaputt-") and getattr(r, "pattern", "").startswith("re:/")
               for r in timeouts)
    disabled = [r for r in timeouts if "disabled after" in r.getMessage()]
    assert sorted(r.watchlist for r in disabled) == [f"kaputt-{n}" for n in range(len(CATASTROPHIC))]  # type: ignore[attr-defined]
    admin = [m for m in hook.messages if "abgeschaltet" in m["title"]]
    assert sorted(m["title"] for m in admin) == sorted(f"newsmon: Muster in Watchlist „kaputt-{n}“ abgeschaltet"
                                                       for n in range(len(CATASTROPHIC)))
    assert all(f"re:/{CATASTROPHIC[int(m['title'].split('kaputt-')[1][0])]}/" in m["message"] for m in admin)
    assert len([m for m in hook.messages if m["title"].startswith("[raketen]")]) == 40


def _many(count: int) -> list[WatchlistConfig]:
    # distinct patterns (a longer tail each), so switching one off does not spare the others
    return [WatchlistConfig(name=f"w{n}", query=f"re:/(a|aa)+{'b' * (n + 1)}$/", notify=["x"]) for n in range(count)]


def test_the_searches_of_one_article_share_a_budget(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    matcher = compile_matcher(_many(20), {})
    assert matcher.match(Document(BOMB, BOMB, BOMB)) == []
    full = [r for r in _timeouts(caplog)]
    # 20 patterns × 3 fields would be 60 searches of 50 ms; the article's budget allows a handful
    assert 0 < len(full) <= ARTICLE_BUDGET / SEARCH_LIMIT + 1


def test_the_searches_of_one_poll_share_a_budget(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    matcher = compile_matcher(_many(60), {})
    with matcher.regex_guard.poll("Testfeed"):
        for _ in range(30):
            matcher.match(Document(BOMB, "", ""))
    full = _timeouts(caplog)
    assert 0 < len(full) <= POLL_BUDGET / SEARCH_LIMIT + 1
    assert any("budget of this poll" in r.getMessage() and getattr(r, "feed", None) == "Testfeed"
               for r in caplog.records)


def test_a_pattern_that_recovers_is_not_disabled(caplog: pytest.LogCaptureFixture) -> None:
    matcher = compile_matcher([WatchlistConfig(name="w", query=r"re:/(a|aa)+$/", notify=["x"])], {})
    for _ in range(3 * DISABLE_AFTER):
        for _ in range(DISABLE_AFTER - 1):
            matcher.match(Document(BOMB, "", ""))
        assert matcher.match(Document("aaaa", "", "")) != []  # a search that ends resets the count
    assert matcher.regex_guard.disabled == []
