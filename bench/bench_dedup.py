"""What dedup and story assignment cost per article (run by hand, not in CI).

    python bench/bench_dedup.py [--repeat 3]

Input: the 13 feeds captured together on 21 Dec 2024 (../shared/realdata/corss-dec2024-snapshot;
1,532 items, 1,000 distinct, 999 stored). Parsing is done once, outside the timings. Reported:
medians over the repeats, per item fed to the stage and per new article.

- store: ``Deduplicator.store`` (keys, fingerprint, versions, MinHash LSH, stories, one decision
  per entry, then a feed's rows at once) into a fresh SQLite file, one transaction per feed, as
  ``ingest`` runs it.
- the same feeds polled a second time (every item a repeat: the common case in production).
- the pure parts on their own: hashing and fingerprints for every item; MinHash signatures, story
  terms, LSH lookups and story assignment for the 1,000 articles that are not exact repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import FeedConfig  # noqa: E402
from monitor.dedup import features as dedup  # noqa: E402
from monitor.dedup.nearindex import BatchBands, band_keys  # noqa: E402
from monitor.dedup.stage import Deduplicator  # noqa: E402
from monitor.dedup.storyindex import StoryIndex, features  # noqa: E402
from monitor.feeds.parse.reader import parse  # noqa: E402
from monitor.model import Entry, Validators  # noqa: E402
from monitor.store import repo  # noqa: E402
from monitor.store.db import Database, open_database  # noqa: E402
from monitor.store.repo import Candidate, FeedState  # noqa: E402

DATA = ROOT.parent / "shared" / "realdata" / "corss-dec2024-snapshot"
NOW = datetime(2024, 12, 21, 19, 30, tzinfo=UTC)


def load() -> list[tuple[str, list[Entry]]]:
    return [(path.stem, list(parse(path.read_bytes(), str(path)).entries)) for path in sorted(DATA.glob("*.xml"))]


def timed(func: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def feed_states(db: Database, feeds: list[tuple[str, list[Entry]]]) -> dict[str, FeedState]:
    """The feeds made in ``db``, by name."""
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url=name, name=name) for name, _ in feeds], NOW)
    with db.session() as session:
        states = {name: repo.feed_state(session, name) for name, _ in feeds}
    return {name: state for name, state in states.items() if state is not None}


def poll(db: Database, stage: Deduplicator, feeds: list[tuple[str, list[Entry]]],
         states: dict[str, FeedState]) -> None:
    """Every feed's entries through the dedup stage once, a feed at a time, as the daemon stores them."""
    for name, entries in feeds:
        state = states[name]
        candidates = [Candidate(e, dedup.identity_keys(e, state.id)) for e in entries]
        with stage.stage(), db.session() as session:
            stage.store(session, FeedState(state.id, name, name, Validators(), 0), candidates, NOW)


def store_run(feeds: list[tuple[str, list[Entry]]]) -> tuple[float, float]:
    """Seconds for the first poll of every feed (all new) and for the second (all repeats)."""
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{folder}/bench.db", upgrade=True)
        states = feed_states(db, feeds)
        stage = Deduplicator()
        elapsed = []
        for _poll in range(2):
            start = time.perf_counter()
            poll(db, stage, feeds, states)
            elapsed.append(time.perf_counter() - start)
        db.dispose()
    return elapsed[0], elapsed[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    feeds = load()
    items = [entry for _name, entries in feeds for entry in entries]
    seen: set[str] = set()
    articles = []
    for entry in items:
        keys = dedup.identity_keys(entry, 0)
        if not seen.intersection(keys):
            articles.append(entry)
        seen.update(keys)
    features(0, articles[0], NOW)  # load the lemma table once, outside the timings
    tokens = [dedup.content_words(entry) for entry in articles]
    signatures = [dedup.signature(t) for t in tokens]
    pairs = enumerate(zip(articles, signatures, strict=True))
    prepared = [features(i + 1, entry, NOW, sig) for i, (entry, sig) in pairs]

    def assign() -> None:
        index = StoryIndex()
        for item in prepared:
            item.story_id = index.story_for(item) or item.article_id
            index.add(item)

    def lsh() -> None:  # the in-memory form of the band lookup (the stage asks ``article_bands`` per feed)
        index = BatchBands()
        for item in prepared:
            keys = band_keys(item.signature)
            index.ranked(item.signature, keys)
            if item.signature is not None:
                index.add(item.article_id, item.signature, keys)

    rows = [
        ("keys + content hash + fingerprint", len(items),
         timed(lambda: [(dedup.identity_keys(e, 0), dedup.content_hash(e), dedup.fingerprint_key(e)) for e in items],
               args.repeat)),
        ("MinHash signature (128 perm, 3-shingles)", len(articles),
         timed(lambda: [dedup.signature(t) for t in tokens], args.repeat)),
        ("story terms (title + lead)", len(articles),
         timed(lambda: [features(0, e, NOW) for e in articles], args.repeat)),
        ("LSH band keys + query + insert (in memory)", len(articles), timed(lsh, args.repeat)),
        ("story assignment + index insert (in memory)", len(articles), timed(assign, args.repeat)),
    ]
    our_runs = [store_run(feeds) for _ in range(args.repeat)]
    rows += [("store stage (as ingest runs it)", len(items), statistics.median(r[0] for r in our_runs)),
             ("second poll (all repeats)", len(items), statistics.median(r[1] for r in our_runs))]
    print(f"{len(items)} items, {len(articles)} articles not exact repeats; median of {args.repeat}")
    print(f"| {'stage':48} | {'n':>5} | {'total ms':>9} | {'µs / unit':>9} | {'µs / article':>12} |")
    print(f"|{'-' * 46}|{'-' * 7}|{'-' * 11}|{'-' * 11}|{'-' * 14}|")
    for label, count, seconds in rows:
        print(f"| {label:48} | {count:5} | {seconds * 1000:9.1f} | {seconds / count * 1e6:9.0f} | "
              f"{seconds / len(articles) * 1e6:12.0f} |")


if __name__ == "__main__":
    main()
