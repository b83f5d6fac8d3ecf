"""Metrics in-process: counters from the daemon's observations, gauges read from the database."""

from __future__ import annotations

from pathlib import Path

from monitor.daemon.metrics import Metrics
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer


def test_stored_state_and_counters_are_exposed(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([Item("Tomahawk für Kiew", "https://example.org/t.html", guid="t-12345"),
                                             Item("Wetter", "https://example.org/w.html", guid="w-12345")]))
        runner = Runner(load(write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url})), clock=Clock())
        runner.cycle()
        metrics = Metrics(lambda: runner.db)
        metrics.observe_poll("Testfeed", 0.2, new=2, alerts=1, error=None, not_modified=False)
        metrics.observe_poll("Testfeed", 0.1, new=0, alerts=0, error="HTTP 500", not_modified=False)
        metrics.observe_delivery(0.05, sent=1, retried=0, dead=0)
        text = metrics.render().decode()
        stored_only = Metrics(lambda: runner.db, counters=False).render().decode()
        runner.close()
    assert "newsmon_articles 2.0" in text
    assert 'newsmon_alerts{state="sent"} 1.0' in text and 'newsmon_alerts{state="held"} 0.0' in text
    assert 'newsmon_matches{watchlist="ukraine"} 1.0' in text
    assert 'newsmon_feed_consecutive_failures{feed="Testfeed"} 0.0' in text
    assert 'newsmon_polls_total{feed="Testfeed",outcome="ok"} 1.0' in text
    assert 'newsmon_polls_total{feed="Testfeed",outcome="error"} 1.0' in text
    assert 'newsmon_poll_errors_total{feed="Testfeed"} 1.0' in text
    assert 'newsmon_new_articles_total{feed="Testfeed"} 2.0' in text
    assert 'newsmon_deliveries_total{result="sent"} 1.0' in text
    assert "newsmon_poll_duration_seconds_count 2.0" in text
    assert "newsmon_articles 2.0" in stored_only and "newsmon_polls_total" not in stored_only
