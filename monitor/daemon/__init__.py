"""The daemon: ``run --once`` and the APScheduler daemon, polling over leased feeds, the supervisor of
worker processes, SIGHUP reload, systemd notify and watchdog, Prometheus metrics.

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.daemon.metrics import serve_stored_state
    from monitor.daemon.scheduler import Daemon, Runner, run_once, utcnow
    from monitor.daemon.supervisor import Supervisor

__all__ = ["Daemon", "Runner", "Supervisor", "run_once", "serve_stored_state", "utcnow"]
__getattr__ = exports(__name__, {
    "Daemon": "scheduler", "Runner": "scheduler", "run_once": "scheduler", "utcnow": "scheduler",
    "Supervisor": "supervisor",
    "serve_stored_state": "metrics",
})
