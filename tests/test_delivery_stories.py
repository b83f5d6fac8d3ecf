"""Story follow-ups (written by story alerting) take the delivery path of their watchlist: a digest
watchlist's follow-ups wait for the digest instead of going out on their own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, write_config
from tests.receivers import Webhook
from tests.test_stories_flow import ANALYSE, REAKTION, WIRE, Feeds


def test_follow_ups_of_a_digest_watchlist_arrive_in_the_digest(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 10, 21, 5, 30, tzinfo=UTC))  # 07:30 in Berlin
    lists = {"watchlists": [{"name": "story", "query": "Tomahawk", "notify": ["hook"], "per": "story",
                             "followups": "30m", "mode": "digest:morgen"}]}
    feeds = Feeds(tmp_path, ["eins", "zwei", "drei"])
    feeds.write("eins", Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE,
                             published=clock()))
    with Webhook() as hook:
        config = write_config(tmp_path, feeds.urls, {"hook": hook.url}, lists,
                              digests={"morgen": {"cron": "0 7 * * *", "title": "Morgenlage"}})
        run = Runner(load(config), clock=clock)
        run.cycle()
        clock.advance(minutes=10)
        feeds.write("zwei", Item("Tomahawk-Debatte: Analyse", "https://zwei.example/a", description=ANALYSE,
                                 published=clock()))
        feeds.write("drei", Item("Selenskyj fordert Tomahawks", "https://drei.example/r", description=REAKTION,
                                 published=clock()))
        run.cycle()
        for _ in range(4):  # past the 30 minutes after which a follow-up is due on its own
            clock.advance(hours=1)
            run.cycle()
        assert hook.messages == []
        clock.now = datetime(2025, 10, 22, 5, 0, tzinfo=UTC)
        run.cycle()
        run.close()
    (digest,) = hook.messages
    assert digest["title"] == "[story] Morgenlage: 2 Meldungen"  # the first article and its follow-ups
    body = digest["message"]
    assert "USA prüfen Tomahawk-Lieferung" in body
    assert "Tomahawk-Debatte: Analyse" in body and "Selenskyj fordert Tomahawks" in body
    assert "https://zwei.example/a" in body and "https://drei.example/r" in body
