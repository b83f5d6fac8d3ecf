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

from monitor import workers
from monitor.alert.deliver import Notifier
from monitor.alert.outbox import DeliveryReport, deliver_due
from monitor.config import Settings
from monitor.match import compile_matcher
from monitor.pipeline import Context, PollOutcome
from monitor.store import leases, repo
from monitor.store.db import Database, open_database
from monitor.store.retry import retrying

log = logging.getLogger(__name__)
DELIVERY_INTERVAL = 10.0
POLL_TICK = 1.0  # how often a daemon looks for due feeds it can lease


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
            leases.serialize(session, "sync-feeds")  # daemons starting together add the rows once
            repo.sync_feeds(session, settings.feeds, clock())

    def cycle(self) -> CycleReport:
        """Poll every due feed this process can lease, then deliver every due alert."""
        report = CycleReport(polls=self.poll_due())
        report.delivery = self.deliver()
        return report

    def poll_due(self, stop: Callable[[], bool] = lambda: False,
                 after_batch: Callable[[list[PollOutcome]], None] | None = None) -> list[PollOutcome]:
        return workers.poll_due(self.ctx, stop=stop, after_batch=after_batch)

    def deliver(self) -> DeliveryReport:
        return retrying(lambda: deliver_due(self.db, self.notifier, self.settings, self.clock), what="delivery")

    def poll_one(self, name: str) -> PollOutcome | None:
        feed = workers.claim_one(self.ctx, name)
        if feed is None:
            return None
        try:
            return workers.poll_claimed(self.ctx, [feed])[0]
        finally:
            workers.release(self.ctx, [feed.id])

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
        # the poll job reschedules itself a tick after each run; the hourly trigger is only a safety net
        self.scheduler.add_job(self._poll, "interval", hours=1, id="poll", next_run_time=start)
        self.scheduler.add_job(self._deliver, "interval", seconds=DELIVERY_INTERVAL, id="deliver", next_run_time=start)
        self.scheduler.start()
        log.info("newsmon running: %d feeds, %d watchlists", len(self.runner.settings.feeds),
                 len(self.runner.settings.watchlists))
        while not self.stop.wait(0.5):  # a timeout: a signal delivered to another thread is seen here too
            pass
        log.info("stopping: finishing the current step")
        self.scheduler.shutdown(wait=True)
        self.runner.close()
        return 0

    def _poll(self) -> None:
        """Poll what this daemon can lease, batch by batch, then look again a tick after it ends."""
        try:
            self.runner.poll_due(stop=self.stop.is_set, after_batch=self._wake_delivery)
        except Exception:
            log.exception("poll crashed")
        finally:
            if not self.stop.is_set():
                self.scheduler.modify_job("poll", next_run_time=utcnow() + timedelta(seconds=POLL_TICK))

    def _wake_delivery(self, outcomes: list[PollOutcome]) -> None:
        if any(outcome.alerts for outcome in outcomes) and not self.stop.is_set():
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
