"""Benchmark: ``search`` and ``backtest`` over a stored SQLite database of real German articles, and
the retention run (dropping bodies, ANALYZE, VACUUM) on it.

Run by hand (not in CI), on an otherwise idle machine::

    python bench/bench_history.py [--copies 6] [--realdata ../shared/realdata]

The database holds the 2,315 feed items of ``german_feed_items.csv`` (title + summary) and the
1,028 derStandard articles of 10kGNAD (first sentence as title, the text as body), stored
``--copies`` times under distinct identity keys (so 6 copies ≈ 20,000 articles), written as plain
rows (the copies have equal texts: the dedup stage would make them one article each). Backtest
runs the example watchlists of ``config/``; search runs three typical queries. Figures are wall
seconds (the work includes SQLite reads), medians of three runs, and articles per second.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import FeedConfig, RetentionConfig, WatchlistConfig  # noqa: E402
from monitor.dedup.features import identity_keys  # noqa: E402
from monitor.match import compile_matcher  # noqa: E402
from monitor.model import Entry  # noqa: E402
from monitor.reports.queries import Scan  # noqa: E402
from monitor.settings import load_watchlists  # noqa: E402
from monitor.store import repo  # noqa: E402
from monitor.store.db import open_database  # noqa: E402
from monitor.store.maintenance import run_if_due  # noqa: E402
from monitor.store.tables import Article, ArticleKey  # noqa: E402
from monitor.store.writes import insert_rows  # noqa: E402

QUERIES = ["Ukraine AND (Selenskyj OR Putin)", '"Europäische Union" OR EU-Kommission', "title:Trump*"]


def entries(realdata: Path) -> list[Entry]:
    found: list[Entry] = []
    with (realdata / "german_feed_items.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.append(Entry(title=row["title"], link=row["link"] or None, guid=row["guid"] or None,
                               summary=row["summary"].strip()))
    with (realdata / "10kGNAD" / "test.csv").open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            _label, _, text = line.partition(";")
            text = text.strip().strip("'")
            title = text.split(". ", 1)[0][:200]
            found.append(Entry(title=title, link=f"https://derstandard.at/a/{index}", body=text))
    return found


def build(url: str, items: list[Entry], copies: int, now: datetime) -> int:
    db = open_database(url, upgrade=True)
    total = 0
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url="https://example.org/feed.xml", name="bench")], now)
        feed = repo.feed_state(session, "bench")
        assert feed is not None
    for copy in range(copies):
        day = now - timedelta(days=copy * 20)  # copies spread over months, so retention has work
        articles, keys = [], []
        for index, entry in enumerate(items):
            moved = Entry(title=entry.title, link=f"{entry.link or 'https://x.de/'}?copy={copy}",
                          guid=f"bench-{copy}-{index}", summary=entry.summary, body=entry.body,
                          published=day - timedelta(minutes=index))
            number = copy * len(items) + index + 1
            articles.append({"id": number, "feed_id": feed.id, "title": moved.title, "link": moved.link,
                             "guid": moved.guid, "summary": moved.summary, "body": moved.body or None,
                             "author": None, "published": moved.published, "first_seen": day})
            keys += [{"key": key, "article_id": number} for key in identity_keys(moved, feed.id)]
        with db.session() as session:  # plain rows: the copies' texts are equal, the dedup stage would join them
            insert_rows(session, Article, articles)
            insert_rows(session, ArticleKey, keys)
            total += len(articles)
    db.dispose()
    return total


def timed(run: Callable[[], int], repeat: int = 3) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    args = parser.parse_args()
    now = datetime.now(UTC)
    items = entries(args.realdata)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        stored = build(url, items, args.copies, now)
        print(f"stored {stored} articles in {time.perf_counter() - started:.1f}s "
              f"({Path(tmp, 'bench.db').stat().st_size / 1e6:.1f} MB)")

        class _Settings:  # what Scan needs of Settings
            database_url = url

        from monitor.store import archive as history

        reader = open_database(url)
        seconds, _ = timed(lambda: sum(1 for _ in history.articles(reader, None)))
        reader.dispose()
        print(f"reading alone (pages of {history.BATCH}): {seconds:.2f}s, {stored / seconds:,.0f} articles/s")
        entities, watchlists = load_watchlists(ROOT / "config" / "watchlists")
        matcher = compile_matcher(watchlists, entities)
        seconds, found = timed(lambda: sum(1 for _ in Scan(_Settings(), matcher, None,  # type: ignore[arg-type]
                                                              newest_first=False).run()))
        print(f"backtest, {len(watchlists)} example watchlists: {seconds:.2f}s, {stored / seconds:,.0f} articles/s, "
              f"{found} matches")
        for query in QUERIES:
            one = compile_matcher([WatchlistConfig(name="q", query=query)], entities)
            seconds, found = timed(lambda m=one: sum(1 for _ in Scan(_Settings(), m, None,  # type: ignore[arg-type]
                                                                      newest_first=True).run()))
            print(f"search {query!r}: {seconds:.2f}s, {stored / seconds:,.0f} articles/s, {found} matches")
        db = open_database(url)
        started = time.perf_counter()
        first = run_if_due(db, RetentionConfig(bodies=45 * 86400, vacuum=7 * 86400), now)  # starts the vacuum schedule
        middle = time.perf_counter()
        second = run_if_due(db, RetentionConfig(bodies=45 * 86400, every=0, vacuum=1), now + timedelta(seconds=2))
        print(f"retention: {first} in {middle - started:.2f}s; then {second} in {time.perf_counter() - middle:.2f}s "
              f"(file now {Path(tmp, 'bench.db').stat().st_size / 1e6:.1f} MB)")
        db.dispose()


if __name__ == "__main__":
    main()
