"""systemd's notify protocol (``sd_notify``) and the service watchdog, without libsystemd.

Under ``Type=notify`` systemd passes ``$NOTIFY_SOCKET`` (a datagram socket, ``@`` for the abstract
namespace); ``READY=1``, ``RELOADING=1``, ``STOPPING=1``, ``STATUS=…`` and ``WATCHDOG=1`` are sent
there. ``$WATCHDOG_USEC`` (with ``WatchdogSec=``) says how often the watchdog must be fed.

``Watchdog`` feeds it from a scheduler job and only while no job has been running longer than its
limit: a scheduler that stops dispatching, or a job stuck for good, stops the pings, and systemd
restarts the service.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

log = logging.getLogger(__name__)
NOTIFY_ENV = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


class SystemdNotifier:
    """Sends state lines to ``$NOTIFY_SOCKET``; does nothing when it is not set (not under systemd)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        self.watchdog_seconds = int(usec) / 1e6 if usec.isdigit() and int(usec) > 0 and mine else None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, *lines: str) -> bool:
        """Send ``KEY=value`` lines in one datagram; False when not under systemd or on failure."""
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall("\n".join(lines).encode())
        except OSError as err:
            log.warning("cannot notify systemd: %s", err)
            return False
        return True


class Watchdog:
    """Feeds systemd's watchdog while the daemon's jobs make progress.

    Jobs report ``begin``/``end``; ``beat()`` (run by a scheduler job every half watchdog interval)
    pings only when no job has been running longer than the limit it was begun with.
    """

    def __init__(self, notifier: SystemdNotifier, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.notifier = notifier
        self.clock = clock
        self._running: dict[str, tuple[datetime, float]] = {}
        self._lock = threading.Lock()
        self._reported: set[str] = set()

    @property
    def interval(self) -> float | None:
        """How often ``beat`` must run, or None when systemd's watchdog is off."""
        seconds = self.notifier.watchdog_seconds
        return seconds / 2 if seconds else None

    def begin(self, job: str, limit: float) -> None:
        with self._lock:
            self._running[job] = (self.clock(), limit)

    def end(self, job: str) -> None:
        with self._lock:
            self._running.pop(job, None)
            self._reported.discard(job)

    def hung(self) -> list[str]:
        """Jobs running longer than their limit."""
        now = self.clock()
        with self._lock:
            return [job for job, (start, limit) in self._running.items() if (now - start).total_seconds() > limit]

    def beat(self) -> bool:
        """Ping systemd unless a job is hung; returns whether it pinged."""
        stuck = self.hung()
        if stuck:
            for job in stuck:
                if job not in self._reported:
                    self._reported.add(job)
                    log.error("job hung, no longer feeding the watchdog: %s", job)
            return False
        return self.notifier.notify("WATCHDOG=1")


def without_notify(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for a child process that must not talk to systemd itself."""
    return {key: value for key, value in environ.items() if key not in NOTIFY_ENV}

