"""Benchmark: polling throughput with 1, 2 and 4 processes on PostgreSQL, beside SQLite with one.

Run by hand (not in CI)::

    NEWSMON_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/bench_scale.py [--feeds 200] [--items 10] [--repeat 2] [--synthetic]

``--feeds`` feeds of ``--items`` items each are served on 127.0.0.1 (conditional GET, ETags): real
German feed items from ``../shared/realdata/german_feed_items.csv`` (read in place) where present
and enough, else generated ones that are all distinct. Real items repeat across section feeds, so
fewer articles are stored than items served, as in production.

Each process is a real newsmon ``Runner`` in its own interpreter (multiprocessing spawn): it
starts (imports, German dictionary, migrations), waits at a common start line, then polls every
due feed it can lease, batch by batch, until none is left: fetch, parse, identity and dedup,
store, stories, match against the test watchlists, outbox rows. Start-up is outside the measured span;
delivery is measured by ``bench_delivery.py``. Figures are medians over ``--repeat`` runs, each on
a fresh database (a new PostgreSQL schema, a new SQLite file). ``art/CPU-s`` is stored articles
per CPU-second the newsmon processes used together (the PostgreSQL server's own CPU not counted):
when it stays level as processes are added, throughput grows with the cores they are given.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.harness import Item, rss, write_config  # noqa: E402
from tests.servers import FeedServer  # noqa: E402

SYLLABLES = ("bun", "des", "re", "gie", "rung", "au", "ßen", "mi", "nis", "ter", "ber", "lin", "kanz", "ler",
             "ge", "setz", "ent", "wurf", "stadt", "rat", "haus", "halt", "wahl", "kampf", "bahn", "streik",
             "ren", "te", "land", "tag", "ver", "trag", "hand", "werk", "schu", "le", "kli", "ma", "netz", "strom")
TOPICS = ("Tomahawk-Raketen", "Haushalt", "Bahnstreik", "Budapest-Gipfel", "Rentenreform")


def _text(rng: random.Random, words: int) -> str:
    """Distinct pseudo-German text: every article differs (dedup would fold copies into one)."""
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))).capitalize()
                    if rng.random() < 0.3 else "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
                    for _ in range(words))


def _real_rows() -> list[dict[str, str]]:
    """Real German feed items (``../shared/realdata``, read in place, never copied), if present."""
    path = REALDATA / "german_feed_items.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _items(feed: int, count: int, rows: list[dict[str, str]]) -> list[Item]:
    start = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)
    if len(rows) >= (feed + 1) * count:
        items = []
        for row in rows[feed * count:(feed + 1) * count]:
            try:
                published = parsedate_to_datetime(row["date"])
            except (TypeError, ValueError):
                published = start
            items.append(Item(row["title"], row["link"], guid=row["guid"] or None, description=row["summary"],
                              published=published))
        return items
    rng = random.Random(feed)
    items = []
    for n in range(count):
        topic = TOPICS[(feed + n) % len(TOPICS)]
        items.append(Item(f"{topic}: {_text(rng, 6)}", f"https://example.org/{feed}/{n}.html",
                          guid=f"bench-{feed}-{n}", description=f"{topic}. {_text(rng, 80)}",
                          published=start + timedelta(minutes=n)))
    return items


def _worker(config: str, ready: Any, go: Any, results: Any) -> None:
    from monitor.daemon.scheduler import Runner
    from monitor.settings import load

    runner = Runner(load(config))
    runner.ctx.matcher.match  # noqa: B018  (compiled already; the dictionary is loaded)
    ready.release()
    go.wait()
    started, cpu = time.time(), time.process_time()
    outcomes = runner.poll_due()
    ended, cpu = time.time(), time.process_time() - cpu
    runner.close()
    results.put((len(outcomes), sum(o.new_articles for o in outcomes), sum(o.alerts for o in outcomes),
                 started, ended, cpu))


def _run(config: Path, processes: int) -> tuple[float, int, int, int, float]:
    spawn = mp.get_context("spawn")
    ready, go, results = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
    procs = [spawn.Process(target=_worker, args=(str(config), ready, go, results)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.acquire()
    go.set()
    parts = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    span = max(p[4] for p in parts) - min(p[3] for p in parts)
    return (span, sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts),
            sum(p[5] for p in parts))


def _database(kind: str, folder: Path, pg: str | None) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}", lambda: None
    assert pg is not None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    sep = "&" if "?" in pg else "?"
    return f"{pg}{sep}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--synthetic", action="store_true", help="generated items even where real ones exist")
    parser.add_argument("--processes", default="1,2,4", help="PostgreSQL process counts, comma-separated")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite row")
    args = parser.parse_args()
    pg = os.environ.get("NEWSMON_TEST_PG_URL")
    counts = [int(n) for n in args.processes.split(",") if n]
    setups = ([] if args.no_sqlite else [("sqlite", 1)]) + ([("postgresql", n) for n in counts] if pg else [])
    print(f"{args.feeds} feeds × {args.items} new items, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'database':<12}{'processes':>10}{'feeds/s':>10}{'items/s':>9}{'articles/s':>12}{'span s':>9}"
          f"{'stored':>8}{'alerts':>8}{'art/CPU-s':>11}")
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        rows = [] if args.synthetic else _real_rows()
        print("items:", "real German feed items (realdata)" if len(rows) >= args.feeds * args.items
              else "synthetic, all distinct")
        feeds = {f"Feed {f}": server.serve(f"/f{f}.xml", rss(_items(f, args.items, rows)), etag=f'"{f}"')
                 for f in range(args.feeds)}
        for kind, processes in setups:
            runs = []
            for _ in range(args.repeat):
                url, drop = _database(kind, Path(tmp), pg)
                folder = Path(tmp) / uuid.uuid4().hex[:8]
                config = write_config(folder, feeds, {"hook": "json://127.0.0.1:9/none"}, database=url,
                                      workers=processes if kind == "postgresql" else 1)
                try:
                    runs.append(_run(config, processes))
                finally:
                    drop()
            span = statistics.median(r[0] for r in runs)
            polled, new, alerts = runs[0][1], runs[0][2], runs[0][3]
            cpu = statistics.median(r[4] for r in runs)
            assert polled == args.feeds and new > 0, (polled, new)
            items = args.feeds * args.items
            print(f"{kind:<12}{processes:>10}{polled / span:>10.1f}{items / span:>9.0f}{new / span:>12.0f}"
                  f"{span:>9.2f}{new:>8}{alerts:>8}{new / cpu:>11.0f}", flush=True)


if __name__ == "__main__":
    main()
