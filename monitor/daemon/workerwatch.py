"""The supervisor's watchdog over its workers: each worker talks systemd's notify protocol to it.

A worker gets its own ``$NOTIFY_SOCKET`` (a datagram socket of the supervisor in a private folder)
and ``$WATCHDOG_USEC``, so the daemon's own watchdog (``sdnotify.Watchdog``) pings the supervisor
exactly as it would ping systemd: only while its jobs make progress. A worker that sent READY and
then no ping for ``worker_watchdog`` (stopped, deadlocked, a job stuck past its bound), or that
never became ready within ``START_LIMIT``, is killed and started again like a worker that died.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

START_LIMIT = 300.0  # seconds a starting worker may take to report READY (imports, migrations, watchlists)


@dataclass
class Channel:
    """One worker's notify socket and what it last said."""

    path: Path
    sock: socket.socket
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    last_ping: float = 0.0

    def drain(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return
            except OSError:
                return
            lines = data.decode("utf-8", "replace").splitlines()
            now = time.monotonic()
            if "READY=1" in lines:
                self.ready, self.last_ping = True, now
            if "WATCHDOG=1" in lines:
                self.last_ping = now

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)


class WorkerWatch:
    """Notify sockets for the workers of one supervisor, and the verdict on each."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.folder = Path(tempfile.mkdtemp(prefix="newsmon-workers-"))  # 0700: only we can ping ourselves
        self._channels: dict[int, Channel] = {}

    def environment(self, index: int, base: dict[str, str]) -> dict[str, str]:
        """A fresh channel for worker ``index``; the environment that points the worker at it."""
        old = self._channels.pop(index, None)
        if old is not None:
            old.close()
        path = self.folder / f"worker-{index + 1}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK)
        sock.bind(str(path))
        self._channels[index] = Channel(path, sock)
        return {**base, "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": str(int(self.limit * 1e6))}

    def stuck(self, index: int) -> str | None:
        """Why worker ``index`` counts as hung, or None while it makes progress."""
        channel = self._channels.get(index)
        if channel is None:
            return None
        channel.drain()
        now = time.monotonic()
        if not channel.ready:
            waited = now - channel.started
            return f"not ready after {waited:.0f}s" if waited > max(START_LIMIT, self.limit) else None
        quiet = now - channel.last_ping
        return f"no sign of progress for {quiet:.0f}s" if quiet > self.limit else None

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def kill_hung(pid: int) -> None:
    """SIGKILL: a stopped or deadlocked process does not act on SIGTERM."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
