"""The lease heartbeat: a living daemon keeps its short leases; a dead one loses them in seconds.

Leases on feeds and outbox messages are short (``lease``). A thread renews every lease the process
holds every quarter lease, so a slow fetch or send never loses its lease to another daemon (nothing
is fetched or sent twice), while a process killed -9 stops renewing and the others take its feeds
and messages over once ``lease`` has passed. The heartbeat also stops while a job of the daemon is
hung (``healthy`` says so): a stuck process must not keep its work from the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from monitor.store import leases
from monitor.store.db import Database

log = logging.getLogger(__name__)

BEATS_PER_LEASE = 4
MIN_EVERY = 0.25


class Heartbeat:
    """Renews ``owner``'s leases every ``lease / 4`` seconds in a thread, until ``stop``."""

    def __init__(self, db: Database, owner: str, lease: float, clock: Callable[[], datetime],
                 healthy: Callable[[], bool] = lambda: True) -> None:
        self.db, self.owner, self.lease, self.clock, self.healthy = db, owner, lease, clock, healthy
        self.every = max(lease / BEATS_PER_LEASE, MIN_EVERY)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every + 35)

    def beat(self) -> int:
        """Renew once; returns how many leases were extended (0 while a job is hung)."""
        if not self.healthy():
            return 0
        with self.db.session() as session:
            return leases.renew_held(session, self.owner, self.clock() + timedelta(seconds=self.lease))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.beat()
            except Exception as err:  # the database is away: the step in flight retries on its own
                if not self._failing:
                    log.warning("lease heartbeat failed (%s); leases run out after %.0fs unless it recovers",
                                err.__class__.__name__, self.lease)
                self._failing = True
            else:
                if self._failing:
                    log.info("lease heartbeat recovered")
                self._failing = False


@contextmanager
def beating(db: Database, owner: str, lease: float, clock: Callable[[], datetime],
            healthy: Callable[[], bool] = lambda: True) -> Iterator[Heartbeat]:
    heart = Heartbeat(db, owner, lease, clock, healthy)
    heart.start()
    try:
        yield heart
    finally:
        heart.stop()
