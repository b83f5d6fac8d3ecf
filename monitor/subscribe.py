"""Adding feeds to ``monitor.yaml`` (``newsmon feeds add`` and ``feeds import``).

config.py stays the only reader; this is the only writer. The file is edited round-trip with
ruamel.yaml, so comments, ``${ENV}`` references and the order of keys stay as the user wrote them.
The edited text is validated with ``settings.load`` on a temporary copy first and then replaces the
file atomically: a write never leaves a config that newsmon would refuse.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.settings import load


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str
    name: str
    interval: str | None = None
    fulltext: bool = False
    origin: str = "config"  # "opml" or "discovered": written, so the feed keeps the address guard


def add_feeds(settings: Settings, feeds: Sequence[NewFeed]) -> tuple[list[NewFeed], list[str]]:
    """Append the feeds not configured yet; returns (added, reasons for those skipped)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    path = settings.path
    yaml = YAML()
    yaml.preserve_quotes = True
    document = yaml.load(path.read_text("utf-8")) or CommentedMap()
    entries = document.get("feeds")
    if entries is None:
        entries = document["feeds"] = CommentedSeq()
    urls = {feed.url for feed in settings.feeds} | {str(e.get("url")) for e in entries if hasattr(e, "get")}
    names = {feed.name for feed in settings.feeds} | {str(e.get("name")) for e in entries if hasattr(e, "get")}
    added: list[NewFeed] = []
    skipped: list[str] = []
    for feed in feeds:
        if feed.url in urls:
            skipped.append(f"{feed.url}: already configured")
            continue
        name = _unique(feed.name, names)
        entry: dict[str, Any] = {"name": name, "url": feed.url}
        if feed.interval:
            entry["interval"] = feed.interval
        if feed.fulltext:
            entry["fulltext"] = True
        if feed.origin != "config":
            entry["origin"] = feed.origin
        entries.append(CommentedMap(entry))
        urls.add(feed.url)
        names.add(name)
        added.append(NewFeed(feed.url, name, feed.interval, feed.fulltext, feed.origin))
    if added:
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        _replace_validated(path, buffer.getvalue())
    return added, skipped


def _unique(name: str, taken: set[str]) -> str:
    base = re.sub(r"\s+", " ", name).strip() or "feed"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base} ({n})", n + 1
    return candidate


def _replace_validated(path: Path, text: str) -> None:
    trial = path.with_name(f".{path.name}.new")
    trial.write_text(text, "utf-8")
    try:
        load(trial)
    except ConfigError as err:
        trial.unlink(missing_ok=True)
        raise ConfigError(f"the edited config would not load, left unchanged: {err}", file=str(path)) from err
    os.replace(trial, path)
