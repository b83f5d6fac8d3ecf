"""Retention on a schedule: old bodies dropped, titles, links and alert history kept; VACUUM now and then."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.daemon.scheduler import Runner
from monitor.settings import load
from monitor.store.db import open_database
from monitor.store.maintenance import last_runs
from monitor.store.tables import Base
from tests.harness import Clock, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

LONG = "Kiew wirbt um Marschflugkörper vom Typ Tomahawk. " * 400


def _feed(title: str, guid: str) -> bytes:
    """RSS whose item carries a full body (content:encoded), as many German outlets send."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            f"<item><title>{title}</title><link>https://example.org/{guid}.html</link><guid>{guid}</guid>"
            f"<description>Kurz.</description><content:encoded><![CDATA[<p>{title}: {LONG}</p>]]></content:encoded>"
            f"</item></channel></rss>").encode()


def _rows(db_file: Path) -> list[tuple[str, str | None, int | None]]:
    with sqlite3.connect(db_file) as conn:
        return conn.execute("SELECT title, link, length(body) FROM articles ORDER BY id").fetchall()


def _bands(db_file: Path) -> dict[int, int]:
    with sqlite3.connect(db_file) as conn:
        return dict(conn.execute("SELECT article_id, count(*) FROM article_bands GROUP BY article_id").fetchall())


def test_bodies_older_than_the_retention_age_are_dropped_and_the_rest_stays(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", _feed("Tomahawk-Debatte", "t-2025"))
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url},
                              retention={"bodies": "90d", "every": "1d", "vacuum": "7d"})
        runner = Runner(load(config), clock=clock)
        first = runner.cycle()
        assert first.alerts == 1 and first.maintenance is not None and first.maintenance.bodies_dropped == 0
        assert _bands(tmp_path / "newsmon.db") == {1: 32}  # the near-duplicate band keys of the first article
        clock.advance(days=60)
        server.serve("/feed.xml", _feed("Neuer Artikel", "n-2025"))
        later = runner.cycle().maintenance  # a day has passed: retention ran, no body old enough
        assert later is not None and later.bodies_dropped == 0 and later.pruned.bands == 1
        assert _bands(tmp_path / "newsmon.db") == {2: 32}  # the first article's keys left with the horizon
        clock.advance(hours=1)
        assert runner.cycle().maintenance is None  # not due again within the day
        clock.advance(days=31)
        report = runner.cycle().maintenance
        runner.close()
    assert report is not None and report.bodies_dropped == 1 and report.vacuumed
    db_file = tmp_path / "newsmon.db"
    (old, new) = _rows(db_file)
    assert old[:2] == ("Tomahawk-Debatte", "https://example.org/t-2025.html") and old[2] is None
    assert new[2] is not None and new[2] > 10_000
    with sqlite3.connect(db_file) as conn:
        history = conn.execute("SELECT state, json_extract(payload, '$.title') FROM alerts ORDER BY id").fetchall()
    assert history == [("sent", "Tomahawk-Debatte"), ("sent", "Neuer Artikel")]
    db = open_database(f"sqlite:///{db_file}")
    runs = last_runs(db)
    db.dispose()
    assert runs["retention"]["detail"].startswith("1 bodies dropped, ") and runs["vacuum"]["detail"] == "vacuumed"


def test_without_a_retention_age_bodies_are_kept(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", _feed("Alt", "alt-2025"))
        runner = Runner(load(write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url})), clock=clock)
        runner.cycle()
        clock.advance(days=3650)
        report = runner.cycle().maintenance
        runner.close()
    assert report is not None and report.bodies_dropped == 0
    assert _rows(tmp_path / "newsmon.db")[0][2] is not None


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index:sqlalchemy.exc.SAWarning")
def test_migrations_and_models_agree(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}", upgrade=True)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []
    # alembic cannot compare expression indexes: check the one search/backtest rely on by hand
    with sqlite3.connect(tmp_path / "m.db") as conn:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_articles_when'").fetchone()
    assert "coalesce(published, first_seen)" in sql
