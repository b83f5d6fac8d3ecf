"""Benchmark: polling throughput with 1, 2 and 4 processes on PostgreSQL, beside SQLite with one.

Run by hand (not in CI)::

    NEWSMON_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/bench_scale.py [--feeds 400] [--items 20] [--repeat 2]

``--feeds`` feeds of ``--items`` new articles each are served on 127.0.0.1 (conditional GET,
ETags). Each process is a real newsmon ``Runner`` in its own interpreter (multiprocessing spawn):
it starts (imports, German dictionary, migrations), waits at a common start line, then polls
every due feed it can lease, batch by batch, until none is left: fetch, parse, identity keys,
store, match against the test watchlists, outbox rows. Start-up is outside the measured span;
delivery is measured by ``bench_delivery.py``. Figures are medians over ``--repeat`` runs, each on
a fresh database (a new PostgreSQL schema, a new SQLite file).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.harness import Item, rss, write_config  # noqa: E402
from tests.servers import FeedServer  # noqa: E402

_TEXT = ("Die Bundesregierung berät am Dienstag über weitere Hilfen für die Ukraine. Außenminister Wadephul traf "
         "in Brüssel seine Amtskollegen, die Beratungen dauerten bis in den Abend. Kritiker warnen vor steigenden "
         "Kosten, Befürworter verweisen auf die Lage an der Front.")
WORDS = tuple(_TEXT.split(" "))
TOPICS = ("Tomahawk-Raketen", "Haushalt", "Bahnstreik", "Budapest-Gipfel", "Rentenreform")


def _items(feed: int, count: int) -> list[Item]:
    items = []
    start = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)
    for n in range(count):
        topic = TOPICS[(feed + n) % len(TOPICS)]
        body = " ".join(WORDS[(feed * 7 + n + k) % len(WORDS)] for k in range(80))
        items.append(Item(f"{topic}: Meldung {feed}-{n}", f"https://example.org/{feed}/{n}.html",
                          guid=f"bench-{feed}-{n}", description=f"{topic}. {body}",
                          published=start + timedelta(minutes=n)))
    return items


def _worker(config: str, ready: Any, go: Any, results: Any) -> None:
    from monitor.config import load
    from monitor.scheduler import Runner

    runner = Runner(load(config))
    runner.ctx.matcher.match  # noqa: B018  (compiled already; the dictionary is loaded)
    ready.release()
    go.wait()
    started = time.time()
    outcomes = runner.poll_due()
    ended = time.time()
    runner.close()
    results.put((len(outcomes), sum(o.new_articles for o in outcomes), sum(o.alerts for o in outcomes),
                 started, ended))


def _run(config: Path, processes: int) -> tuple[float, int, int, int]:
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
    return span, sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts)


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
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    pg = os.environ.get("NEWSMON_TEST_PG_URL")
    setups = [("sqlite", 1)] + ([("postgresql", n) for n in (1, 2, 4)] if pg else [])
    print(f"{args.feeds} feeds × {args.items} new items, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'database':<12}{'processes':>10}{'feeds/s':>10}{'articles/s':>12}{'span s':>9}{'alerts':>8}")
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        feeds = {f"Feed {f}": server.serve(f"/f{f}.xml", rss(_items(f, args.items)), etag=f'"{f}"')
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
            assert polled == args.feeds and new == args.feeds * args.items, (polled, new)
            print(f"{kind:<12}{processes:>10}{polled / span:>10.0f}{new / span:>12.0f}{span:>9.2f}{alerts:>8}",
                  flush=True)


if __name__ == "__main__":
    main()
