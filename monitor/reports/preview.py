"""The live preview of a watchlist file: loaded from disk (only from the configured watchlists
folder) and run over the stored articles of a window, as ``backtest`` does; a file that does not
load gives its error in place of the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.reports.queries import BERLIN, Found, PerDay, backtest
from monitor.store.db import Database

SUFFIXES = (".yaml", ".yml")


def watchlists_root(settings: Settings) -> Path:
    return (settings.path.parent / settings.monitor.watchlists).resolve()


def watchlist_files(settings: Settings) -> list[str]:
    """The files the preview may open, as paths relative to the config folder."""
    root = watchlists_root(settings)
    files = [root] if root.is_file() else sorted(p for p in root.glob("*") if p.suffix in SUFFIXES and p.is_file())
    return [_shown(settings, path) for path in files]


def resolve(settings: Settings, name: str) -> Path:
    """``name`` (relative to the config folder, or to the watchlists folder) as a file inside the
    configured watchlists folder; anything else is refused."""
    root = watchlists_root(settings)
    for base in (settings.path.parent, root if root.is_dir() else root.parent):
        candidate = (base / name).resolve()
        inside = candidate == root or (root.is_dir() and candidate.is_relative_to(root))
        if inside and candidate.suffix in SUFFIXES and candidate.is_file():
            return candidate
    raise ConfigError(f"{name!r} is not a watchlist file in {_shown(settings, root)}", key="file")


def stamp(path: Path) -> str:
    """Changes when the file does (modification time and size); ``missing`` when it is gone."""
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_mtime_ns}-{info.st_size}"


@dataclass
class Preview:
    file: str
    stamp: str
    since: datetime | None
    total: int = 0
    error: str | None = None
    per_day: PerDay = field(default_factory=lambda: PerDay([]))
    latest: dict[str, list[Found]] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """As ``backtest`` counts: alerts per day per watchlist (``per: story`` counts a story once)."""
        return {"file": self.file, "stamp": self.stamp, "since": self.since.isoformat() if self.since else None,
                "articles": self.total, "error": self.error,
                "watchlists": [{"name": name, "alerts": self.per_day.total(name),
                                "busiest": self.per_day.busiest(name),
                                "per_day": [{"day": d.isoformat(), "alerts": self.per_day.counts[d][name]
                                             if d in self.per_day.counts else 0} for d in self.days],
                                "latest": [found.as_json() for found in self.latest.get(name, [])]}
                               for name in self.per_day.watchlists]}


def preview(settings: Settings, path: Path, now: datetime, since: timedelta | None, examples: int = 5,
            db: Database | None = None) -> Preview:
    cutoff = now - since if since is not None else None
    result = Preview(_shown(settings, path), stamp(path), cutoff)
    try:
        scan, watchlists = backtest(settings, str(path), cutoff, db)
    except ConfigError as err:
        result.error = str(err)
        return result
    result.total = scan.total
    result.per_day = PerDay.of(watchlists)
    result.latest = {w.name: [] for w in watchlists}
    for found in result.per_day.feed(scan.run()):
        kept = result.latest[found.match.watchlist]
        kept.append(found)
        if len(kept) > examples:
            del kept[0]
    for name in result.latest:
        result.latest[name].reverse()  # newest first
    first = cutoff.astimezone(BERLIN).date() if cutoff else None
    result.days = result.per_day.days(first, now.astimezone(BERLIN).date() if first else None)
    return result


def _shown(settings: Settings, path: Path) -> str:
    base = settings.path.parent.resolve()
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
