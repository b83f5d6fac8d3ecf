"""Does ingest slow down as the database grows? newsmon's ``ingest`` on one SQLite file filled to
1k → 100k articles; at each size a probe is timed: feeds of new articles, then the same feeds again
(every item known: only dedup lookups and a second source).

The database is filled through the same ``ingest`` (so dedup and story state are real), with
distinct articles recombined from real sentences, at ``PER_DAY`` new articles a day of a simulated
clock (a deployment of some 500 busy feeds): at 100k stored, ten days have passed, the story index
holds the last seven (its horizon) and the story window the last 36 hours, as in a daemon that has
run that long. The time the feeds' articles are published moves with the clock.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import peak_rss_mb, reset_peak
from bench.ours import NOW, OursPipeline

PER_FEED = 50
PROBE_FEEDS = 6
PER_DAY = 10_000


def run(sizes: list[int]) -> dict[str, Any]:
    synthetic = corpus.Synthetic(corpus.article_pool())
    fill_feeds = max(sizes) // PER_FEED + 1
    total_feeds = fill_feeds + PROBE_FEEDS * len(sizes)
    work = Path(tempfile.mkdtemp(prefix="bench-growth-"))
    points = []
    try:
        clock = {"now": NOW}
        pipeline = OursPipeline(work, {"w0": corpus.BASE_TERMS}, total_feeds, clock=lambda: clock["now"])
        step = timedelta(days=PER_FEED / PER_DAY)
        stored = feed_id = 0
        fill_started = time.process_time()
        for size in sizes:
            while stored < size:
                (url, body), = synthetic.feeds(1, PER_FEED, f"f{feed_id}", start=clock["now"])
                pipeline.ingest(body, f"https://{url}/rss", feed_id)
                stored, feed_id = stored + PER_FEED, feed_id + 1
                clock["now"] += step
            reset_peak()
            probe = synthetic.feeds(PROBE_FEEDS, PER_FEED, f"probe{size}", start=clock["now"])
            ids = list(range(feed_id, feed_id + PROBE_FEEDS))
            feed_id += PROBE_FEEDS
            new = _timed(pipeline, probe, ids)
            known = _timed(pipeline, probe, ids)
            stored += PROBE_FEEDS * PER_FEED
            points.append({"stored": size, "indexed": _indexed(pipeline),
                           "days": (clock["now"] - NOW) / timedelta(days=1), "new_per_s": PROBE_FEEDS * PER_FEED / new,
                           "known_per_s": PROBE_FEEDS * PER_FEED / known, "rss_mb": peak_rss_mb(),
                           "db_mb": (work / "newsmon.db").stat().st_size / 1e6})
        fill = time.process_time() - fill_started
        pipeline.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"points": points, "fill_seconds": fill}


def _indexed(pipeline: OursPipeline) -> int:
    """Articles in the story horizon: the process's index where it keeps one, else the database's count."""
    index = getattr(pipeline.ctx.dedup, "index", None) or getattr(pipeline.ctx.dedup, "local", None)
    if index is not None:
        return len(index)
    from monitor.store.db import Session
    from monitor.store.storyterms import horizon_count

    session: Session
    with pipeline.db.session() as session:
        return horizon_count(session)


def _timed(pipeline: OursPipeline, feeds: list[tuple[str, bytes]], ids: list[int]) -> float:
    start = time.process_time()
    for feed_id, (url, body) in zip(ids, feeds, strict=True):
        pipeline.ingest(body, f"https://{url}/rss", feed_id)
    return time.process_time() - start
