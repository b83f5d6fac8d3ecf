"""The naive pipeline of ``bench/naive.py`` as a whole process.

``python -m bench.naive_ingest DB TERMS FEED...``; ``TERMS``: a JSON file of watchlist name → terms.
Start-up included, like ``newsmon run --once``: imports, the ORM's tables, then every feed file
through parse (feedparser), clean (bs4), store (ORM) and match (one ``re.search`` per term).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.naive import NaivePipeline


def main() -> None:
    db, terms, *feeds = sys.argv[1:]
    pipeline = NaivePipeline(Path(db), json.loads(Path(terms).read_text("utf-8")))
    items = stored = 0
    for number, feed in enumerate(feeds):
        seen, new, _ = pipeline.ingest(Path(feed).read_bytes(), feed, number + 1)
        items, stored = items + seen, stored + new
    pipeline.close()
    print(items, stored)


if __name__ == "__main__":
    main()
