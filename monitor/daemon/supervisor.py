"""``workers: N``: N daemon processes on this machine, sharing the database like daemons on N machines.

The supervisor migrates the schema once, starts N ``newsmon run --worker`` processes (processes,
not threads: parsing is CPU work and the GIL would serialise it), and stays in front of them:
SIGTERM/SIGINT are passed on and the supervisor exits once every worker finished its step; SIGHUP
is passed on; a worker that dies is started again after a pause that doubles while it keeps
dying (a worker that exits 2, bad config, stops the lot). A worker that hangs without dying (no
watchdog ping for ``worker_watchdog``, ``monitor.daemon.workerwatch``) is killed and started
again. The work itself is shared through leases in the database, so nothing here coordinates it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from monitor.daemon import sdnotify
from monitor.daemon.workerwatch import WorkerWatch, kill_hung

log = logging.getLogger(__name__)

GRACE = 60.0  # seconds the workers get to finish their step after SIGTERM
RESTART_FIRST = 1.0
RESTART_MAX = 60.0
PR_SET_PDEATHSIG = 1
STABLE_AFTER = 60.0  # a worker that ran this long restarts after the short pause again


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = RESTART_FIRST
    restart_at: float = 0.0


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the supervisor dies, even by kill -9."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, config_path: Path, workers: int, *, verbose: bool = False,
                 service: Callable[[], Callable[[], None]] | None = None, watchdog: float = 60.0) -> None:
        self.command = [sys.executable, "-m", "monitor", *(["-v"] if verbose else []), "--config",
                        str(config_path), "run", "--worker"]
        self.slots = [_Slot(index) for index in range(workers)]
        self.stop = threading.Event()
        self.exit_code = 0
        self.systemd = sdnotify.SystemdNotifier()
        # systemd talks to the supervisor (the unit's main process); the workers stay quiet
        self.env = sdnotify.without_notify(os.environ)
        self._pinged = 0.0
        self.watch = WorkerWatch(watchdog)  # each worker pings the supervisor while it makes progress
        self.service = service  # started before the workers, stopped after them (the metrics endpoint)

    def serve(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_hup)
        log.info("starting %d workers", len(self.slots))
        stop_service = self.service() if self.service else None
        try:
            for slot in self.slots:
                self._tend(slot)
            self.systemd.notify("READY=1", f"STATUS={len(self.slots)} workers", f"MAINPID={os.getpid()}")
            while not self.stop.is_set():
                for slot in self.slots:
                    self._tend(slot)
                self._watchdog()
                self.stop.wait(0.2)
        finally:
            self.systemd.notify("STOPPING=1")
            self._shutdown()
            self.watch.close()
            if stop_service:
                stop_service()
        return self.exit_code

    def _tend(self, slot: _Slot) -> None:
        now = time.monotonic()
        if slot.process is None:
            if now >= slot.restart_at:
                # own process group: a terminal's Ctrl-C reaches the supervisor only, which passes it on once
                slot.process = subprocess.Popen(self.command, env=self.watch.environment(slot.index, self.env),
                                                process_group=0, preexec_fn=_die_with_parent)
                slot.started = now
                log.info("worker %d started (pid %d)", slot.index + 1, slot.process.pid)
            return
        code = slot.process.poll()
        if code is None:
            why = self.watch.stuck(slot.index)
            if why is not None:
                log.error("worker %d (pid %d) hangs, %s: killing it", slot.index + 1, slot.process.pid, why)
                kill_hung(slot.process.pid)
                slot.process.wait()
                code = slot.process.returncode
            else:
                return
        slot.process = None
        if code == 2:
            log.error("worker %d exited 2 (bad config): stopping", slot.index + 1)
            self.exit_code = 2
            self.stop.set()
            return
        if now - slot.started >= STABLE_AFTER:
            slot.delay = RESTART_FIRST
        slot.restart_at = now + slot.delay
        log.error("worker %d exited with %d; starting it again in %.0fs", slot.index + 1, code, slot.delay)
        slot.delay = min(slot.delay * 2, RESTART_MAX)

    def _watchdog(self) -> None:
        """Ping systemd's watchdog while the supervisor loop runs (workers are restarted by it)."""
        every = self.systemd.watchdog_seconds
        if every and time.monotonic() - self._pinged >= every / 2:
            self.systemd.notify("WATCHDOG=1")
            self._pinged = time.monotonic()

    def _shutdown(self) -> None:
        running = [slot.process for slot in self.slots if slot.process is not None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("worker pid %d did not stop in %.0fs: killing it", process.pid, GRACE)
                process.kill()
                process.wait()
        log.info("all workers stopped")

    def _on_stop(self, signum: int, _frame: FrameType | None) -> Any:
        log.info("signal %s received: stopping the workers", signal.Signals(signum).name)
        self.stop.set()

    def _on_hup(self, _signum: int, _frame: FrameType | None) -> Any:
        for slot in self.slots:
            if slot.process is not None:
                slot.process.send_signal(signal.SIGHUP)
