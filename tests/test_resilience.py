"""Connection loss on PostgreSQL: backends terminated between and in the middle of steps.

The server is shared, so instead of restarting it the tests end the daemon's connections with
``pg_terminate_backend``, which is what the daemon sees of a restart: every connection dies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, create_engine, event, func, select, text

from monitor.daemon.scheduler import Runner
from monitor.errors import StoreError
from monitor.settings import load
from monitor.store.retry import retrying
from monitor.store.tables import Alert, Article
from tests.conftest import pg_url
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook, free_port
from tests.servers import FeedServer

WATCHLIST = {"watchlists": [{"name": "ukraine", "query": "Tomahawk*", "notify": ["hook"]}]}
FIRST = Item("Tomahawk-Lieferung beraten", "https://example.org/a.html", guid="a")
SECOND = Item("Tomahawk: Kanzler zögert", "https://example.org/b.html", guid="b")


@pytest.fixture
def admin() -> Iterator[Engine]:
    engine = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _terminate_all(admin: Engine, url: str) -> int:
    """End every connection the daemon holds (its URL names its application)."""
    name = parse_qs(urlsplit(url).query)["application_name"][0]
    with admin.connect() as conn:
        return len(conn.execute(text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                     "WHERE application_name = :n"), {"n": name}).all())


def _kill_on(admin: Engine, runner: Runner, prefix: str, *, having: str = "") -> list[str]:
    """Terminate the connection about to run the first statement starting with ``prefix`` (and
    containing ``having``)."""
    fired: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        upper = statement.lstrip().upper()
        if not fired and upper.startswith(prefix) and having in upper:
            fired.append(statement)
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"),
                              {"pid": cursor.connection.info.backend_pid})

    event.listen(runner.db.engine, "before_cursor_execute", before)
    return fired


def _counts(runner: Runner) -> tuple[int, int]:
    with runner.db.session() as session:
        return (session.scalar(select(func.count()).select_from(Article)) or 0,
                session.scalar(select(func.count()).select_from(Alert).where(Alert.state == "sent")) or 0)


def test_a_daemon_survives_all_its_connections_dying_between_cycles(pg_schema_url: str, tmp_path: Path,
                                                                   admin: Engine) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        server.serve("/f.xml", rss([FIRST]), etag='"1"')
        config = write_config(tmp_path, {"Politik": server.url("/f.xml")}, {"hook": hook.url}, WATCHLIST,
                              database=pg_schema_url)
        runner = Runner(load(config), clock=clock)
        assert runner.cycle().delivery.sent == 1
        assert _terminate_all(admin, pg_schema_url) >= 1  # as in a server restart
        server.serve("/f.xml", rss([SECOND, FIRST]), etag='"2"')
        clock.advance(minutes=2)
        report = runner.cycle()
        assert (report.new_articles, report.delivery.sent) == (1, 1)
        assert _counts(runner) == (2, 2)
        runner.close()
    assert sorted(m["title"] for m in hook.messages) == sorted(f"[ukraine] {i.title}" for i in (FIRST, SECOND))


def test_connections_lost_in_the_middle_of_storing_are_retried_and_store_once(
        pg_schema_url: str, tmp_path: Path, admin: Engine) -> None:
    with FeedServer() as server, Webhook() as hook:
        server.serve("/f.xml", rss([FIRST, SECOND]), etag='"1"')
        config = write_config(tmp_path, {"Politik": server.url("/f.xml")}, {"hook": hook.url}, WATCHLIST,
                              database=pg_schema_url)
        runner = Runner(load(config), clock=Clock())
        fired = [_kill_on(admin, runner, statement) for statement in
                 ("INSERT INTO ARTICLES", "INSERT INTO ALERTS", "UPDATE FEEDS SET ETAG")]
        report = runner.cycle()
        assert all(fired), "a statement to interrupt never ran"
        assert (report.new_articles, report.alerts, report.delivery.sent) == (2, 2, 2)
        assert _counts(runner) == (2, 2)
        runner.close()
    assert server.hits["/f.xml"] == 1  # the body in memory was stored on the retry, not fetched again
    assert len(hook.messages) == 2


def test_a_connection_lost_while_recording_a_sent_alert_does_not_send_it_again(
        pg_schema_url: str, tmp_path: Path, admin: Engine) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        server.serve("/f.xml", rss([FIRST]), etag='"1"')
        config = write_config(tmp_path, {"Politik": server.url("/f.xml")}, {"hook": hook.url}, WATCHLIST,
                              database=pg_schema_url)
        runner = Runner(load(config), clock=clock)
        fired = _kill_on(admin, runner, "UPDATE ALERTS SET", having="SENT_AT")
        assert runner.cycle().delivery.sent == 1 and fired
        clock.advance(hours=1)
        assert runner.cycle().delivery.sent == 0
        assert _counts(runner) == (1, 1)
        runner.close()
    assert len(hook.messages) == 1


def test_retrying_waits_longer_each_time_then_names_the_step(tmp_path: Path) -> None:
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    waits: list[float] = []
    with pytest.raises(StoreError, match="claim feeds: database unavailable after 4 tries"):
        retrying(lambda: engine.connect().close(), what="claim feeds", attempts=4, sleep=waits.append)
    assert waits == [0.25, 0.5, 1.0]
