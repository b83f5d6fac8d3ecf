"""Benchmark: what the robustness measures cost and save.

Run by hand (not in CI)::

    python bench/bench_robust.py [--db-mb 250]

* a hostile item: ``run --once`` (own process) over a 9.5 MB feed whose one title is 9.5 MB, against
  a one-item feed: peak resident memory, wall time, size of the database written;
* ``newsmon status``'s ``PRAGMA quick_check``: MB/s over a generated SQLite file of ``--db-mb``;
* masking a log line with a feed URL in it (``monitor.redact.text``): microseconds a line;
* parsing a 100-item feed with the field caps in place: items per second (median of seven).
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor import redact  # noqa: E402
from monitor.feeds.parse.reader import parse  # noqa: E402
from monitor.store.damage import quick_check  # noqa: E402
from tests.harness import Item, rss, write_config  # noqa: E402


def hostile_item(folder: Path) -> list[tuple[str, float, float, float]]:
    rows = []
    cases = {"one-line feed": "Tomahawk klein", "9.5 MB title": "Tomahawk " + "Riesentitel " * 790_000}
    for label, title in cases.items():
        case = folder / label.replace(" ", "-")
        case.mkdir()
        (case / "feed.xml").write_bytes(rss([Item(title, "https://example.org/r.html", guid="r")]))
        config = write_config(case, {"R": str(case / "feed.xml")}, {"hook": "json://127.0.0.1:9/h"},
                              watchlists={"watchlists": [{"name": "u", "query": "Tomahawk", "notify": ["hook"]}]})
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)], cwd=ROOT,
                       capture_output=True, check=True)
        wall = time.perf_counter() - started
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        rows.append((label, peak, wall, (case / "newsmon.db").stat().st_size / 1e6))
    return rows


def check_speed(folder: Path, megabytes: int) -> tuple[float, float]:
    path = folder / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v TEXT)")
        rows = megabytes * 2_400  # about 420 bytes a row with its index entry
        conn.executemany("INSERT INTO t (k, v) VALUES (?, ?)", ((f"key-{i:09d}", "Text " * 60) for i in range(rows)))
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    quick_check(engine, budget=600)  # warm the page cache as a running system would have it
    started = time.perf_counter()
    quick_check(engine, budget=600)
    spent = time.perf_counter() - started
    engine.dispose()
    size = path.stat().st_size / 1e6
    return size, size / spent


def mask_cost() -> float:
    line = ('polled: 12 entries, 1 new, 0 alerts feed=tagesschau url=https://example.org/feed.xml?apikey=abc123'
            '&lang=de')
    runs = 20_000
    started = time.perf_counter()
    for _ in range(runs):
        redact.text(line)
    return (time.perf_counter() - started) / runs * 1e6


def parse_speed() -> float:
    body = rss([Item(f"Titel {i} über den Gipfel in Budapest", f"https://example.org/a/{i}.html", guid=f"g-{i}",
                     description="Ein Satz über Tomahawk. " * 20) for i in range(100)])
    times = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(20):
            parse(body, "https://example.org/feed.xml")
        times.append(time.perf_counter() - started)
    return 20 * 100 / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-mb", type=int, default=250)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| run --once over | peak RSS | wall | database |\n|---|---|---|---|")
        for label, peak, wall, size in hostile_item(folder):
            print(f"| {label} | {peak:.0f} MB | {wall:.1f} s | {size:.2f} MB |")
        size, speed = check_speed(folder, args.db_mb)
        print(f"\nquick_check: {size:.0f} MB file at {speed:.0f} MB/s (status stops it after 3 s)")
    print(f"masking one log line: {mask_cost():.1f} µs")
    print(f"parse, 100-item feed, caps on: {parse_speed():,.0f} items/s")


if __name__ == "__main__":
    main()
