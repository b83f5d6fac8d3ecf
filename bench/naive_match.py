"""The naive one-feed match a user could write in ten minutes: feedparser with its defaults, the
watchlists' words pulled out of the queries, one case-insensitive ``re.search`` per word and entry.

``python bench/naive_match.py WATCHLISTS_DIR FEED``: prints one line per (entry, watchlist) match.
It does far less than ``newsmon match``: no boolean logic, no inflection, no folding, no entities'
aliases beyond their written words, no offsets. It is the floor a user compares start-up against.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import feedparser
import yaml

_WORD = re.compile(r"[^\W\d_][\w-]*")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def terms_of(query: str) -> list[str]:
    return [word for word in _WORD.findall(query) if word not in _OPERATORS]


def main() -> None:
    folder, feed = Path(sys.argv[1]), sys.argv[2]
    lists: dict[str, list[re.Pattern[str]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for watchlist in data.get("watchlists") or []:
            words = terms_of(watchlist["query"])
            lists[watchlist["name"]] = [re.compile(r"\b" + re.escape(w) + r"\b", re.IGNORECASE) for w in words]
    parsed = feedparser.parse(feed)
    for entry in parsed.entries:
        text = " ".join([entry.get("title", ""), entry.get("summary", "")])
        for name, patterns in lists.items():
            hits = [p.pattern for p in patterns if p.search(text)]
            if hits:
                print(f"{name}\t{entry.get('title', '')}\t{len(hits)}")


if __name__ == "__main__":
    main()
