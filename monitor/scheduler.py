"""Running newsmon: one cycle (``run --once``) or the daemon (APScheduler jobs, signals, shutdown).

The daemon runs one interval job per feed and a delivery job; a poll that wrote outbox rows wakes
the delivery job at once. SIGTERM/SIGINT finish the current step and exit 0; a second signal exits
at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from monitor.alert.deliver import Notifier
from monitor.alert.outbox import DeliveryReport, deliver_due
from monitor.config import Settings
from monitor.match import compile_matcher
from monitor.pipeline import Context, PollOutcome, poll_feed, poll_feeds
from monitor.store import repo
from monitor.store.db import Database, open_database

log = logging.getLogger(__name__)
DELIVERY_INTERVAL = 10.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CycleReport:
    polls: list[PollOutcome] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def new_articles(self) -> int:
        return sum(p.new_articles for p in self.polls)

    @property
    def alerts(self) -> int:
        return sum(p.alerts for p in self.polls)


class Runner:
    """Owns the database, compiled watchlists and notifier for one process."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow,
                 db: Database | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db or open_database(settings.database_url, upgrade=True)
        self.ctx = Context(settings, self.db, compile_matcher(settings.watchlists, settings.entities), clock)
        self.notifier = Notifier(settings.monitor.targets)
        with self.db.session() as session:
            repo.sync_feeds(session, settings.feeds, clock())

    def cycle(self) -> CycleReport:
        """Poll every due feed, then deliver every due alert."""
        names = [feed.name for feed in self.settings.feeds]
        with self.db.session() as session:
            due = repo.due_feeds(session, names, self.clock())
        report = CycleReport(polls=poll_feeds(self.ctx, due) if due else [])
        report.delivery = self.deliver()
        return report

    def deliver(self) -> DeliveryReport:
        return deliver_due(self.db, self.notifier, self.settings, self.clock)

    def poll_one(self, name: str) -> PollOutcome | None:
        with self.db.session() as session:
            due = [f for f in repo.due_feeds(session, [name], self.clock())]
        return poll_feed(self.ctx, due[0]) if due else None

    def close(self) -> None:
        self.db.dispose()


class Daemon:
    """APScheduler wiring around a Runner, with signal handling and a clean shutdown."""

    def __init__(self, runner: Runner) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.runner = runner
        self.stop = threading.Event()
        self._signals = 0
        self.scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(4)}, timezone=UTC,
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": None})

    def serve(self) -> int:
        self._install_signals()
        start = utcnow()
        for index, feed in enumerate(self.runner.settings.feeds):
            interval = feed.interval or self.runner.settings.monitor.poll.interval
            spread = min(interval, 60.0) * index / max(len(self.runner.settings.feeds), 1)
            self.scheduler.add_job(self._poll, "interval", args=[feed.name], seconds=interval, id=f"feed:{feed.name}",
                                   next_run_time=start + timedelta(seconds=spread))
        self.scheduler.add_job(self._deliver, "interval", seconds=DELIVERY_INTERVAL, id="deliver", next_run_time=start)
        self._add_digest_jobs()
        self.scheduler.start()
        log.info("newsmon running: %d feeds, %d watchlists", len(self.runner.settings.feeds),
                 len(self.runner.settings.watchlists))
        self.stop.wait()
        log.info("stopping: finishing the current step")
        self.scheduler.shutdown(wait=True)
        self.runner.close()
        return 0

    def _add_digest_jobs(self) -> None:
        """A digest is due at its cron time: wake the delivery job then, not up to 10s later."""
        from monitor.alert.policy import cron_trigger

        zone = self.runner.settings.monitor.delivery.timezone
        for name, digest in self.runner.settings.monitor.digests.items():
            self.scheduler.add_job(self._deliver, cron_trigger(digest.cron, zone), id=f"digest:{name}")

    def _poll(self, name: str) -> None:
        try:
            outcome = self.runner.poll_one(name)
        except Exception:
            log.exception("poll crashed", extra={"feed": name})
            return
        if outcome is not None and outcome.alerts and not self.stop.is_set():
            self.scheduler.modify_job("deliver", next_run_time=utcnow())

    def _deliver(self) -> None:
        try:
            self.runner.deliver()
        except Exception:
            log.exception("delivery crashed")

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> Any:
        self._signals += 1
        if self._signals > 1:
            log.warning("second signal: exiting at once")
            os._exit(1)
        log.info("signal %s received", signal.Signals(signum).name)
        self.stop.set()
