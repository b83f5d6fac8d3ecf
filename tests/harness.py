"""Test harness: a config folder on disk, RSS built from items, and a clock tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

START = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)


class Clock:
    """An injected clock: ``clock()`` is now, ``clock.advance(minutes=5)`` moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str | None = None
    description: str = ""
    published: datetime = START


def rss(items: list[Item], title: str = "Testfeed") -> bytes:
    parts = [f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
             + (f'<guid isPermaLink="false">{escape(i.guid)}</guid>' if i.guid else "")
             + f"<description>{escape(i.description)}</description>"
             + f"<pubDate>{format_datetime(i.published)}</pubDate></item>" for i in items]
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://127.0.0.1/</link><description>t</description>{''.join(parts)}</channel></rss>").encode()


WATCHLISTS = {
    "entities": {"lawrow": {"name": "Sergej Lawrow", "aliases": ["Lawrow", "Lavrov"]}},
    "watchlists": [
        {"name": "ukraine", "query": '"Budapest-Gipfel" OR Tomahawk OR @lawrow', "notify": ["hook"]},
        {"name": "trump", "query": "Trump", "notify": ["hook"]},
    ],
}


def write_config(folder: Path, feeds: dict[str, str], targets: dict[str, object],
                 watchlists: dict[str, object] | None = None, **extra: object) -> Path:
    (folder / "watchlists").mkdir(parents=True, exist_ok=True)
    (folder / "watchlists" / "test.yaml").write_text(yaml.safe_dump(watchlists or WATCHLISTS, allow_unicode=True),
                                                     "utf-8")
    config: dict[str, object] = {
        "database": f"sqlite:///{folder / 'newsmon.db'}",
        "feeds": [{"name": name, "url": url, "interval": "1m"} for name, url in feeds.items()],
        "targets": targets,
        # test items carry fixed dates while some tests run on the real clock: no age limit unless asked
        "delivery": {"backoff": "30s", "max_attempts": 4, "max_age": 0},
        **extra,
    }
    path = folder / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return path
