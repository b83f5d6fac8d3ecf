"""Running newsmon: one cycle (``run --once``) or the daemon (APScheduler jobs, signals, shutdown).

The daemon runs one interval job per feed and a delivery job; a poll that wrote outbox rows wakes
the delivery job at once. SIGTERM/SIGINT finish the current step and exit 0; a second signal exits
at once. SIGHUP re-reads config and watchlists (``monitor.daemon.reload``): a good config takes effect for
the next articles and the feed jobs follow it; a broken one is refused and the running one stays.
Under systemd (``Type=notify``) it reports READY/RELOADING/STOPPING and feeds the watchdog
(``monitor.daemon.sdnotify``); a maintenance job runs retention (``monitor.store.maintenance``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from monitor.alert.deliver import Notifier
from monitor.alert.send import DeliveryReport, deliver_due
from monitor.config import Settings
from monitor.daemon import polling as workers
from monitor.daemon import sdnotify
from monitor.daemon.heartbeat import Heartbeat, beating
from monitor.dedup.storyindex import HORIZON
from monitor.errors import DamagedDatabase
from monitor.match import compile_matcher
from monitor.pipeline import PollContext, PollOutcome
from monitor.store import leases, repo
from monitor.store.db import Database, open_database
from monitor.store.leases import owner_id
from monitor.store.maintenance import MaintenanceReport, run_if_due
from monitor.store.retry import retrying
from monitor.text.tokens import release_lexicon

if TYPE_CHECKING:
    from monitor.daemon.metrics import Metrics

log = logging.getLogger(__name__)
DELIVERY_INTERVAL = 10.0
POLL_TICK = 1.0  # how often a daemon looks for due feeds it can lease
TICK_GAP = 0.05  # an earlier tick is set at least this far ahead, after the running one has ended
MAINTENANCE_CHECK = 3600.0  # how often the daemon asks whether retention or VACUUM is due
DELIVERY_LIMIT = 1800.0  # watchdog: a delivery round running longer is hung
MAINTENANCE_LIMIT = 4 * 3600.0  # VACUUM of a large SQLite file can take a while


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CycleReport:
    polls: list[PollOutcome] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    maintenance: MaintenanceReport | None = None

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
        self.ctx = PollContext(settings, self.db, compile_matcher(settings.watchlists, settings.entities), clock)
        self.notifier = Notifier(settings.monitor.targets)
        self.stopping = threading.Event()  # set by a signal during run --once: skip the remaining steps
        with self.db.session() as session:
            leases.serialize(session, "sync-feeds")  # daemons starting together add the rows once
            repo.sync_feeds(session, settings.feeds, clock())

    def cycle(self) -> CycleReport:
        """Poll every due feed this process can lease, then deliver every due alert."""
        with self.heartbeat():
            report = CycleReport(polls=self.poll_due(stop=self.stopping.is_set))
            if not self.stopping.is_set():
                report.delivery = self.deliver()
        if not self.stopping.is_set():
            report.maintenance = self.maintain()
        return report

    def heartbeat(self, healthy: Callable[[], bool] = lambda: True) -> AbstractContextManager[Heartbeat]:
        """Renew this process's leases while the block runs (``monitor.daemon.heartbeat``)."""
        return beating(self.db, owner_id(), self.settings.monitor.lease, self.clock, healthy)

    def orphaned_messages(self) -> bool:
        """A due message whose sender died holding it (its lease ran out)."""
        with self.db.reading() as session:
            return leases.orphaned_messages(session, self.clock())

    def soonest_poll(self) -> datetime | None:
        """The next scheduled poll still ahead (feeds due now are polled or leased by another daemon)."""
        with self.db.reading() as session:
            return repo.soonest_poll(session, [feed.name for feed in self.settings.feeds], self.clock())

    def poll_due(self, stop: Callable[[], bool] = lambda: False,
                 after_batch: Callable[[list[PollOutcome]], None] | None = None) -> list[PollOutcome]:
        return workers.poll_due(self.ctx, stop=stop, after_batch=after_batch)

    def deliver(self, stop: Callable[[], bool] | None = None) -> DeliveryReport:
        """Deliver due alerts; ``stop`` (default: a signal during run --once) ends it after the message in flight."""
        stop = stop or self.stopping.is_set
        return retrying(lambda: deliver_due(self.db, self.notifier, self.settings, self.clock, stop=stop),
                        what="delivery")

    def maintain(self) -> MaintenanceReport | None:
        """Retention, ANALYZE and VACUUM when due (``retention``); None when nothing was due, or when
        another daemon sharing the database is running it right now (it records the run, so the
        others find it done)."""
        with leases.once_per_deployment(self.db, "maintenance") as mine:
            return run_if_due(self.db, self.settings.monitor.retention, self.clock(), HORIZON) if mine else None

    def apply(self, settings: Settings) -> None:
        """Take a reloaded config: watchlists and targets for the next articles, feed rows synced."""
        matcher = compile_matcher(settings.watchlists, settings.entities)
        notifier = Notifier(settings.monitor.targets)
        with self.db.session() as session:
            leases.serialize(session, "sync-feeds")
            repo.sync_feeds(session, settings.feeds, self.clock())
        self.settings, self.notifier = settings, notifier
        self.ctx = PollContext(settings, self.db, matcher, self.clock)

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


def run_once(runner: Runner) -> CycleReport:
    """``run --once``: SIGTERM/SIGINT let the current step finish and skip the rest (exit 0, the
    outbox keeps what was not delivered); a second signal exits at once."""
    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if runner.stopping.is_set():
            os._exit(1)
        log.info("signal %s received: stopping after the current step", signal.Signals(signum).name)
        runner.stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return runner.cycle()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Daemon:
    """APScheduler wiring around a Runner, with signal handling, reload, systemd notify and a clean shutdown."""

    def __init__(self, runner: Runner, *, systemd: sdnotify.SystemdNotifier | None = None,
                 serve_metrics: bool = True) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.runner = runner
        self.stop = threading.Event()
        self.wake = threading.Event()
        self._reload_requested = False
        self._signals = 0
        self.exit_code = 0
        self.systemd = systemd or sdnotify.SystemdNotifier()
        self.watchdog = sdnotify.Watchdog(self.systemd)
        self.metrics: Metrics | None = None
        self._serve_metrics = serve_metrics  # a worker of ``workers: N`` leaves them to its supervisor
        self.scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(4),
                                                        "watchdog": ThreadPoolExecutor(1)}, timezone=UTC,
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": None})

    def serve(self) -> int:
        self._install_signals()
        stop_metrics = self._start_metrics()
        start = utcnow()
        # the poll job reschedules itself a tick after each run; the hourly trigger is only a safety net
        self.scheduler.add_job(self._poll, "interval", hours=1, id="poll", next_run_time=start)
        self.scheduler.add_job(self._deliver, "interval", seconds=DELIVERY_INTERVAL, id="deliver", next_run_time=start)
        self._sync_digest_jobs()
        every = min(self.runner.settings.monitor.retention.every, MAINTENANCE_CHECK)
        self.scheduler.add_job(self._maintain, "interval", seconds=every, id="maintenance",
                               next_run_time=start + timedelta(seconds=min(every, 60.0)))
        if self.watchdog.interval:
            self.scheduler.add_job(self.watchdog.beat, "interval", seconds=self.watchdog.interval, id="watchdog",
                                   executor="watchdog", next_run_time=start)
        self.scheduler.start()
        heart = contextlib.ExitStack()
        heart.enter_context(self.runner.heartbeat(healthy=lambda: not self.watchdog.hung()))
        release_lexicon()  # ~100 MB that only compiling watchlists needs; a reload loads it again
        threading.Thread(target=self.runner.notifier.warm, name="warm-apprise", daemon=True).start()
        log.info("newsmon running: %d feeds, %d watchlists", len(self.runner.settings.feeds),
                 len(self.runner.settings.watchlists))
        self.systemd.notify("READY=1", f"STATUS={self._status_line()}")
        try:
            while not self.stop.is_set():
                self.wake.wait(0.5)  # a timeout: a signal delivered to another thread is seen here too
                self.wake.clear()
                if self._reload_requested and not self.stop.is_set():
                    self._reload_requested = False
                    self.reload()
        finally:
            log.info("stopping: finishing the current step")
            self.systemd.notify("STOPPING=1")
            self.scheduler.shutdown(wait=True)
            heart.close()  # the leases still held run out after ``lease``; none are, after a clean stop
            if stop_metrics:
                stop_metrics()
            self.runner.close()
        return self.exit_code

    def reload(self) -> bool:
        """Re-read config and watchlists; a good config replaces the running one, a bad one is refused."""
        from monitor.daemon.reload import reread

        self.systemd.notify("RELOADING=1", f"MONOTONIC_USEC={time.monotonic_ns() // 1000}")
        fresh = reread(self.runner.settings)
        if fresh is not None:
            try:
                self.runner.apply(fresh)  # builds everything before it swaps: a failure leaves the old config
            except Exception as err:  # whatever taking the new config runs into, the daemon keeps running
                log.error("reload refused, keeping the running config: %s: %s", type(err).__name__, err,
                          exc_info=True, extra={"file": str(fresh.path)})
                fresh = None
        if fresh is not None:
            release_lexicon()
            self._sync_digest_jobs()
            log.info("reloaded: %d feeds, %d watchlists", len(fresh.feeds), len(fresh.watchlists),
                     extra={"file": str(fresh.path)})
        if self.metrics:
            self.metrics.reloads.labels("ok" if fresh else "refused").inc()
        self.systemd.notify("READY=1", f"STATUS={self._status_line(refused=fresh is None)}")
        return fresh is not None

    def _sync_digest_jobs(self) -> None:
        """A digest is due at its cron time: wake the delivery job then, not up to 10s later."""
        from monitor.units import cron_trigger

        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()
        zone = self.runner.settings.monitor.delivery.timezone
        for name, digest in self.runner.settings.monitor.digests.items():
            self.scheduler.add_job(self._wake_delivery, cron_trigger(digest.cron, zone), id=f"digest:{name}")

    def _wake_delivery(self) -> None:
        if not self.stop.is_set():
            self.scheduler.modify_job("deliver", next_run_time=utcnow())

    def _poll(self) -> None:
        """The poll tick: lease the due feeds of this deployment batch by batch (other daemons take
        the rest); the job runs again a tick after it ends, so a long round never overlaps itself."""
        self.watchdog.begin("poll", limit=self._poll_limit())
        started = time.perf_counter()
        try:
            outcomes = self.runner.poll_due(stop=self.stop.is_set, after_batch=self._after_batch)
        except DamagedDatabase as err:
            self._give_up(err)
            return
        except Exception:
            log.exception("poll crashed")
            return
        finally:
            self.watchdog.end("poll")
            self._take_over_messages()
            self._reschedule("poll", self._next_tick())
        if self.metrics:
            spent = (time.perf_counter() - started) / max(len(outcomes), 1)
            for outcome in outcomes:
                self.metrics.observe_poll(outcome.feed, spent, new=outcome.new_articles, alerts=outcome.alerts,
                                          error=outcome.error, not_modified=outcome.not_modified)

    def _take_over_messages(self) -> None:
        """Messages a dead daemon held are sent as soon as their lease runs out, not at the next
        delivery interval."""
        try:
            if self.runner.orphaned_messages():
                self._wake_delivery()
        except Exception as err:
            log.warning("cannot look for orphaned messages (%s)", err.__class__.__name__)

    def _after_batch(self, outcomes: list[PollOutcome]) -> None:
        if any(outcome.alerts for outcome in outcomes):
            self._wake_delivery()

    def _next_tick(self) -> float:
        """Seconds to the next poll tick: a tick, or less when jitter put a feed's next poll in
        between (a 1s feed would otherwise be polled every 2s about half the time)."""
        try:
            soonest = self.runner.soonest_poll()
        except DamagedDatabase as err:
            self._give_up(err)
            return POLL_TICK
        except Exception:
            log.exception("cannot read the poll schedule")
            return POLL_TICK
        if soonest is None:
            return POLL_TICK
        return min(POLL_TICK, max((soonest - utcnow()).total_seconds(), TICK_GAP))

    def _reschedule(self, job: str, seconds: float) -> None:
        from apscheduler.jobstores.base import JobLookupError

        if self.stop.is_set():
            return
        with contextlib.suppress(JobLookupError):  # the scheduler is shutting down
            self.scheduler.modify_job(job, next_run_time=utcnow() + timedelta(seconds=seconds))

    def _deliver(self) -> None:
        self.watchdog.begin("deliver", limit=DELIVERY_LIMIT)
        started = time.perf_counter()
        try:
            report = self.runner.deliver(stop=self.stop.is_set)
        except DamagedDatabase as err:
            self._give_up(err)
            return
        except Exception:
            log.exception("delivery crashed")
            return
        finally:
            self.watchdog.end("deliver")
        if self.metrics:
            self.metrics.observe_delivery(time.perf_counter() - started, sent=report.sent, retried=report.retried,
                                          dead=report.dead)

    def _maintain(self) -> None:
        self.watchdog.begin("maintenance", limit=MAINTENANCE_LIMIT)
        try:
            self.runner.maintain()
        except DamagedDatabase as err:
            self._give_up(err)
        except Exception:
            log.exception("maintenance crashed")
        finally:
            self.watchdog.end("maintenance")

    def _give_up(self, err: DamagedDatabase) -> None:
        """A damaged database does not heal by polling again: one error, then exit 1 (systemd shows the
        unit failed and restarts it, which refuses again until the file is restored)."""
        if not self.stop.is_set():
            log.error("%s", err)
            log.error("stopping: the database cannot be used")
        self.exit_code = 1
        self.stop.set()
        self.wake.set()

    def _poll_limit(self) -> float:
        """A poll round is bounded: batches of leased feeds, each fetch by the HTTP timeout. A round
        running far longer than that is hung."""
        settings = self.runner.settings
        batches = -(-len(settings.feeds) // workers.CLAIM_BATCH)
        return max(120.0, batches * (3 * settings.monitor.http.timeout + 30.0))

    def _start_metrics(self) -> Callable[[], None] | None:
        listen = self.runner.settings.monitor.metrics.listen
        if not listen or not self._serve_metrics:
            return None
        from monitor.daemon.metrics import Metrics

        self.metrics = Metrics(lambda: self.runner.db)
        stop = self.metrics.start(listen)
        log.info("metrics at http://%s/metrics", listen)
        return stop

    def _status_line(self, refused: bool = False) -> str:
        settings = self.runner.settings
        line = f"{len(settings.feeds)} feeds, {len(settings.watchlists)} watchlists"
        return f"{line}; last reload refused (see log)" if refused else line

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGHUP, self._on_hangup)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> Any:
        self._signals += 1
        if self._signals > 1:
            log.warning("second signal: exiting at once")
            os._exit(1)
        log.info("signal %s received", signal.Signals(signum).name)
        self.stop.set()
        self.wake.set()

    def _on_hangup(self, _signum: int, _frame: FrameType | None) -> Any:
        log.info("signal SIGHUP received: reloading config and watchlists")
        self._reload_requested = True
        self.wake.set()
