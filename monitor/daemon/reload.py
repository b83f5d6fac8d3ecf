"""SIGHUP: read the config and watchlists again; take them only when every file is good.

A broken file is refused with one logged error naming it (file, key, what was expected) and the
running config stays; so is a file that makes loading fail in any other way. Keys the running
process cannot swap (``database``, ``metrics``, ``workers``) are logged as needing a restart and
keep their running value.
"""

from __future__ import annotations

import logging
from pathlib import Path

from monitor.config import Settings
from monitor.errors import ConfigError, MonitorError
from monitor.settings import load

log = logging.getLogger(__name__)
RESTART_ONLY = ("database", "metrics", "web", "workers")


def reread(current: Settings) -> Settings | None:
    """The config at the running config's path, validated; None (and an error logged) when refused."""
    from monitor.alert.deliver import validate_targets

    path: Path = current.path
    try:
        fresh = load(path)
        validate_targets(fresh.monitor.targets, str(fresh.path))
    except MonitorError as err:
        file = err.file if isinstance(err, ConfigError) else None
        log.error("reload refused, keeping the running config: %s", err, extra={"file": file or str(path)})
        return None
    except Exception as err:  # whatever else loading runs into, the running daemon must not die of it
        log.error("reload refused, keeping the running config: %s: %s", type(err).__name__, err,
                  exc_info=True, extra={"file": str(path)})
        return None
    kept: dict[str, object] = {}
    for key in RESTART_ONLY:
        if getattr(fresh.monitor, key) != getattr(current.monitor, key):
            log.warning("%s changed: takes effect after a restart", key, extra={"file": str(path)})
            kept[key] = getattr(current.monitor, key)
    if kept:
        fresh = fresh.model_copy(update={"monitor": fresh.monitor.model_copy(update=kept),
                                         "database_url": current.database_url})
    return fresh
