"""Retention and database upkeep, run on a schedule by the daemon and by ``run --once``.

* Retention: article bodies older than ``retention.bodies`` (by when newsmon first saw them) are
  set to NULL in small batches, so polls keep getting the write lock in between; dedup features,
  stories and sent messages are bounded too (``store/prune.py`` lists what is kept how long).
  Identity keys, titles, links, summaries, sources and the alert history stay.
* ANALYZE after each retention run keeps the query planner's statistics fresh.
* SQLite is VACUUMed every ``retention.vacuum`` (and the WAL truncated) so dropped bodies give
  their space back; PostgreSQL has autovacuum.

When each task last ran is stored in the ``maintenance`` table, so a restart or a timer-driven
``run --once`` does not lose the schedule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from monitor.config import RetentionConfig
from monitor.store import prune as prune_rows
from monitor.store import storyterms
from monitor.store.bandrows import prune_bands
from monitor.store.db import Database
from monitor.store.prune import Pruned
from monitor.store.tables import Article, Maintenance

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    bodies_dropped: int = 0
    analyzed: bool = False
    vacuumed: bool = False
    pruned: Pruned = field(default_factory=Pruned)


def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """``{task: {"last_run": iso, "detail": str}}`` for ``newsmon status``."""
    with db.reading() as session:
        return {row.task: {"last_run": row.last_run.isoformat(), "detail": row.detail}
                for row in session.scalars(select(Maintenance))}


def run_if_due(db: Database, retention: RetentionConfig, now: datetime,
               horizon: timedelta) -> MaintenanceReport | None:
    """Run retention (+ANALYZE) and VACUUM when their intervals have passed; None when nothing was due.
    ``horizon``: how far back the dedup stage looks for near-duplicates (older band keys go)."""
    with db.reading() as session:
        runs = {row.task: row.last_run for row in session.scalars(select(Maintenance))}
    if not _due(runs.get("retention"), retention.every, now):
        return None
    dropped = drop_bodies(db, now - timedelta(seconds=retention.bodies), BATCH) if retention.bodies else 0
    pruned = prune(db, retention, now, horizon)
    analyze(db)
    _record(db, "retention", now, f"{dropped} bodies dropped, {pruned.describe()}")
    vacuumed = False
    if retention.vacuum and db.dialect == "sqlite":
        if "vacuum" not in runs:
            _record(db, "vacuum", now, "schedule started")  # a fresh database has nothing to give back
        elif _due(runs["vacuum"], retention.vacuum, now):
            vacuum(db)
            _record(db, "vacuum", now, "vacuumed")
            vacuumed = True
    log.info("maintenance: %d article bodies dropped, %s, analyzed%s", dropped, pruned.describe(),
             ", vacuumed" if vacuumed else "")
    return MaintenanceReport(dropped, True, vacuumed, pruned)


def prune(db: Database, retention: RetentionConfig, now: datetime, horizon: timedelta) -> Pruned:
    """Everything but bodies that ``retention`` bounds (``store/prune.py`` says what is kept how long),
    and the near-duplicate band keys and story terms past the dedup ``horizon``."""
    def before(seconds: float) -> datetime:
        return now - timedelta(seconds=seconds)

    return Pruned(
        features=prune_rows.slim_features(db, before(retention.features)) if retention.features else 0,
        revisions=prune_rows.drop_revision_texts(db, before(retention.bodies)) if retention.bodies else 0,
        stories=prune_rows.drop_stories(db, before(retention.stories)) if retention.stories else 0,
        messages=prune_rows.drop_sent_messages(db, before(retention.messages)) if retention.messages else 0,
        bands=prune_bands(db, now - horizon),
        story_terms=storyterms.prune(db, now - horizon),
    )


def _due(last: datetime | None, every: float, now: datetime) -> bool:
    return last is None or (now - last).total_seconds() >= every


def drop_bodies(db: Database, before: datetime, batch: int = BATCH) -> int:
    """NULL the body of every article first seen before ``before``; batch by batch, each committed."""
    total = 0
    while True:
        with db.session() as session:
            ids = list(session.scalars(select(Article.id).where(Article.first_seen < before, Article.body.is_not(None))
                                       .limit(batch)))
            if ids:
                session.execute(update(Article).where(Article.id.in_(ids)).values(body=None))
        total += len(ids)
        if len(ids) < batch:
            return total


def analyze(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def vacuum(db: Database) -> None:
    """VACUUM must run outside a transaction: use the driver connection (autocommit) directly."""
    raw = db.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        driver.execute("VACUUM")
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _record(db: Database, task: str, now: datetime, detail: str | None) -> None:
    with db.session() as session:
        row = session.get(Maintenance, task)
        if row is None:
            session.add(Maintenance(task=task, last_run=now, detail=detail))
        else:
            row.last_run, row.detail = now, detail
