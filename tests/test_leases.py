"""Leases on both backends: claims never overlap, expire after a death, and advisory locks exclude."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from monitor.config import FeedConfig
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from monitor.store import leases, repo
from monitor.store.db import Database, open_database
from monitor.store.tables import Base, Feed
from tests.harness import START, Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

LEASE = timedelta(minutes=2)
# A prefix query needs no German dictionary, so a daemon starts in a fraction of a second.
PREFIX_WATCHLIST = {"watchlists": [{"name": "ukraine", "query": "Tomahawk*", "notify": ["hook"]}]}
NAMES = [f"feed-{n:02d}" for n in range(10)]


def _feeds(db: Database) -> None:
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{n}.xml", name=n) for n in NAMES], START)


def _claim(db: Database, owner: str, limit: int, now: object = START) -> set[str]:
    with db.session() as session:
        return {f.name for f in leases.claim_due_feeds(session, NAMES, now, owner, LEASE, limit)}  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_claims_split_the_due_feeds_and_a_lease_keeps_others_away(db: Database) -> None:
    _feeds(db)
    first = _claim(db, "a", 4)
    second = _claim(db, "b", 100)
    assert len(first) == 4 and len(second) == 6 and not first & second
    assert _claim(db, "c", 100) == set()


def test_a_dead_owner_loses_its_leases_after_the_expiry_and_cannot_release_the_new_ones(db: Database) -> None:
    _feeds(db)
    assert len(_claim(db, "dead", 100)) == 10
    assert _claim(db, "alive", 100, START + LEASE - timedelta(seconds=1)) == set()
    assert len(_claim(db, "alive", 100, START + LEASE + timedelta(seconds=1))) == 10
    with db.session() as session:
        ids = list(session.scalars(select(Feed.id)))
        assert leases.release_feeds(session, ids, "dead") == 0
        assert leases.renew_feeds(session, ids, "dead", START + 3 * LEASE) == 0
        assert leases.release_feeds(session, ids, "alive") == 10


def test_an_owner_renewing_its_leases_keeps_its_feeds_past_the_first_expiry(db: Database) -> None:
    _feeds(db)
    assert len(_claim(db, "slow", 3)) == 3
    with db.session() as session:
        mine = [f.id for f in session.scalars(select(Feed).where(Feed.lease_owner == "slow"))]
        assert leases.renew_feeds(session, mine, "slow", START + 2 * LEASE) == 3
    assert len(_claim(db, "other", 100, START + LEASE + timedelta(seconds=1))) == 7


def test_concurrent_claims_skip_locked_rows_instead_of_waiting(pg_schema_url: str) -> None:
    one, two = open_database(pg_schema_url, upgrade=True), open_database(pg_schema_url)
    try:
        _feeds(one)
        with one.session() as held:  # a claim still in its transaction: its rows are locked
            mine = {f.name for f in leases.claim_due_feeds(held, NAMES, START, "a", LEASE, 5)}
            other = _claim(two, "b", 100)
        assert len(mine) == 5 and other == set(NAMES) - mine
    finally:
        one.dispose()
        two.dispose()


def test_once_per_deployment_excludes_a_second_holder_until_released_or_its_process_dies(
        pg_schema_url: str) -> None:
    one, two = open_database(pg_schema_url, upgrade=True), open_database(pg_schema_url)
    try:
        with leases.once_per_deployment(one, "digest:morgen") as mine, \
                leases.once_per_deployment(two, "digest:morgen") as theirs, \
                leases.once_per_deployment(two, "retention") as other_job:
            assert (mine, theirs, other_job) == (True, False, True)
        with leases.once_per_deployment(two, "digest:morgen") as theirs:
            assert theirs
        with leases.once_per_deployment(one, "retention") as mine:
            with one.engine.connect() as conn:  # the holder's connection dies, as with kill -9
                conn.execute(text("SELECT pg_terminate_backend(pid, 5000) FROM pg_locks "
                                  "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"))
            with leases.once_per_deployment(two, "retention") as theirs:
                assert mine and theirs
    finally:
        one.dispose()
        two.dispose()


def test_maintenance_runs_in_one_daemon_at_a_time_and_once_per_interval(pg_schema_url: str, tmp_path: Path) -> None:
    settings = load(write_config(tmp_path, {}, {"hook": "json://h"}, PREFIX_WATCHLIST, database=pg_schema_url,
                                 retention={"bodies": "30d", "every": "6h"}))
    clock = Clock()
    one, two = Runner(settings, clock=clock), Runner(settings, clock=clock)
    try:
        with leases.once_per_deployment(one.db, "maintenance") as busy:  # as if `one` were running it
            assert busy and two.maintain() is None
        assert one.maintain() is not None
        assert two.maintain() is None  # done for this interval by the other daemon
        clock.advance(hours=6)
        _until_released(two.db, "maintenance")
        assert two.maintain() is not None, _maintenance_state(two.db)
    finally:
        one.close()
        two.close()


def _held(db: Database, name: str) -> bool:
    """Whether any session of the server holds the deployment-wide lock ``name`` of this schema."""
    with db.engine.connect() as conn:
        key = conn.scalar(text(f"SELECT {leases.LOCK_KEY}"), {"name": name})
        return bool(conn.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                                     "((classid::bigint << 32) | objid::bigint) = :key"), {"key": key}))


def _until_released(db: Database, name: str) -> None:
    """The server drops a released session lock at once, or when a closed session's backend has exited:
    wait (bounded) for the latter, which the exclusion itself does not promise to be instant."""
    for _ in range(100):
        if not _held(db, name):
            return
        threading.Event().wait(0.1)


def _maintenance_state(db: Database) -> str:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT task, last_run FROM maintenance")).all()
    return f"maintenance rows {rows}, lock held: {_held(db, 'maintenance')}"


def test_once_per_deployment_is_always_granted_to_the_single_sqlite_process(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'n.db'}", upgrade=True)
    with leases.once_per_deployment(db, "retention") as mine:
        assert mine
    db.dispose()


def test_daemons_starting_together_migrate_and_create_feed_rows_once(pg_schema_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, {n: f"http://127.0.0.1:9/{n}.xml" for n in NAMES}, {"hook": "json://h"},
                          PREFIX_WATCHLIST, database=pg_schema_url)
    settings = load(config)
    errors: list[BaseException] = []
    runners: list[Runner] = []

    def start() -> None:
        try:
            runners.append(Runner(settings))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runner in runners:
        runner.close()
    assert errors == [] and len(runners) == 3
    with runners[0].db.session() as session:
        assert sorted(session.scalars(select(Feed.name))) == NAMES


def test_a_daemon_that_dies_holding_leases_is_taken_over_after_the_expiry(db_url: str, tmp_path: Path) -> None:
    clock = Clock()
    items = [Item(f"Tomahawk-Debatte Teil {n}", f"https://example.org/t{n}.html", guid=f"t{n}") for n in range(3)]
    with FeedServer() as server, Webhook() as hook:
        feeds = {n: server.serve(f"/{n}.xml", rss(items[:1] if n == "feed-00" else items), etag=f'"{n}"')
                 for n in NAMES[:3]}
        settings = load(write_config(tmp_path, feeds, {"hook": hook.url}, PREFIX_WATCHLIST, database=db_url,
                                     lease="2m"))
        runner = Runner(settings, clock=clock)
        with runner.db.session() as session:  # another daemon leased everything, then was killed
            leases.claim_due_feeds(session, list(feeds), clock(), "other-host:4711", LEASE, 100)
        assert runner.cycle().polls == []
        clock.advance(seconds=119)
        assert runner.cycle().polls == []
        clock.advance(seconds=2)
        report = runner.cycle()
        runner.close()
    assert (len(report.polls), report.new_articles, report.delivery.sent) == (3, 3, 3)
    assert sorted(m["title"] for m in hook.messages) == sorted(f"[ukraine] {i.title}" for i in items)


def test_a_config_with_several_workers_on_sqlite_is_refused(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="PostgreSQL"):
        load(write_config(tmp_path, {}, {"hook": "json://h"}, workers=2))
