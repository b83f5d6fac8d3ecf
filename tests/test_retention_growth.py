"""Retention bounds every table that grows with time, and keeps identity and the alert history.

Only article bodies were ever dropped: dedup features, stories, story outlets and messages grew
forever. A real cycle on a simulated clock: an article alerted on day 0, another on day 100; after
day 100's maintenance the old article's signature and terms, its story and outlets and its sent
message are gone, while its identity keys and its alert (sent, with its time) stay, so the old item,
still in the feed, is neither stored nor alerted again.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

LISTS = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}
TEXT = " ".join(f"Satz {n} über Marschflugkörper, Reichweiten und die Lieferung an Kiew." for n in range(6))


def _item(n: int) -> Item:
    return Item(f"Tomahawk-Debatte Teil {n}", f"https://example.org/{n}.html", guid=f"debatte-{n:04d}",
                description=f"Teil {n}: {TEXT}")


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_after_the_horizons_only_identity_and_the_alert_history_of_an_old_article_remain(tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "newsmon.db"
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([_item(1)]))
        config = write_config(tmp_path, {"Testfeed": feed}, {"hook": hook.url}, watchlists=LISTS)
        run = Runner(load(config), clock=clock)
        run.cycle()
        assert _count(db, "SELECT count(*) FROM article_features WHERE signature IS NOT NULL") == 1
        assert (_count(db, "SELECT count(*) FROM stories"), _count(db, "SELECT count(*) FROM messages")) == (1, 1)
        clock.advance(days=100)
        server.serve("/f.xml", rss([_item(1), _item(2)]))  # the old item is still in the feed
        report = run.cycle()
        run.close()
    assert report.new_articles == 1 and report.alerts == 1
    assert report.maintenance is not None and report.maintenance.pruned.features == 1
    assert (report.maintenance.pruned.stories, report.maintenance.pruned.messages) == (1, 1)
    assert [m["title"] for m in hook.messages] == ["[ukraine] Tomahawk-Debatte Teil 1",
                                                   "[ukraine] Tomahawk-Debatte Teil 2"]
    # the old article: identity and alert kept, its dedup state, story and sent message gone
    assert _count(db, "SELECT count(*) FROM article_keys WHERE article_id = 1") >= 2
    assert _count(db, "SELECT count(*) FROM article_features WHERE article_id = 1 AND signature IS NULL "
                      "AND terms = '{}'") == 1
    assert _count(db, "SELECT count(*) FROM article_features WHERE article_id = 2 AND signature IS NOT NULL") == 1
    assert _count(db, "SELECT count(*) FROM stories") == 1  # the new article's
    assert _count(db, "SELECT count(*) FROM story_outlets") == 1
    assert _count(db, "SELECT count(*) FROM messages") == 1
    assert _count(db, "SELECT count(*) FROM alerts WHERE state = 'sent' AND sent_at IS NOT NULL") == 2
    listed = CliRunner().invoke(main, ["--config", str(config), "alerts", "list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert sorted((row["title"], row["state"]) for row in rows) == [("Tomahawk-Debatte Teil 1", "sent"),
                                                                   ("Tomahawk-Debatte Teil 2", "sent")]
    status = CliRunner().invoke(main, ["--config", str(config), "status", "--json"])
    detail = json.loads(status.output)["maintenance"]["retention"]["detail"]
    assert "1 feature rows slimmed" in detail and "1 stories" in detail and "1 sent messages" in detail


def test_null_keeps_a_table_as_it_is(tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "newsmon.db"
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([_item(1)]))
        config = write_config(tmp_path, {"Testfeed": feed}, {"hook": hook.url}, watchlists=LISTS,
                              retention={"features": None, "stories": None, "messages": None})
        run = Runner(load(config), clock=clock)
        run.cycle()
        clock.advance(days=400)
        run.cycle()
        run.close()
    assert _count(db, "SELECT count(*) FROM article_features WHERE signature IS NOT NULL") == 1
    assert (_count(db, "SELECT count(*) FROM stories"), _count(db, "SELECT count(*) FROM messages")) == (1, 1)
