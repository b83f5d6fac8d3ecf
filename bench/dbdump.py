"""Behaviour check for refactorings: ingest the full bench input and dump every table, sorted.

    python -m bench.dbdump OUT.txt        # in the checkout to check; then diff two dumps

Run it before and after a change that must not change behaviour (moving modules, a faster dedup
path): the dumps must be identical. ``feeds.next_poll`` is left out (it carries random jitter).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench import report
from bench.__main__ import write_feeds
from bench.ours import OursPipeline


def dump(out: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        feeds = Path(tmp) / "feeds"
        feeds.mkdir()
        write_feeds(feeds, 99, 30)
        files = sorted(feeds.iterdir())
        work = Path(tmp) / "db"
        work.mkdir()
        ours = OursPipeline(work, report.ingest_watchlists(), len(files))
        for number, file in enumerate(files):
            ours.ingest(file.read_bytes(), f"http://127.0.0.1/{file.name}", number)
        ours.close()
        con = sqlite3.connect(work / "newsmon.db")
        lines: list[str] = []
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if not (table == "feeds" and c == "next_poll")]
            rows = sorted(repr(row) for row in con.execute(f"SELECT {', '.join(kept)} FROM {table}"))
            lines += [f"== {table} {kept} {len(rows)}", *rows]
        con.close()
    text = "\n".join(lines)
    out.write_text(text, "utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


if __name__ == "__main__":
    print(dump(Path(sys.argv[1])))
