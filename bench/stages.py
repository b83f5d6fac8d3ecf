"""Each stage, then the whole ingest, for one pipeline on the same feed files (run in its own process).

Every stage gets the previous stage's output of the same pipeline, computed beforehand; database
stages start from a fresh database each run (creating it is not timed). One transaction per feed,
as in a poll. Timings are medians of ``repeat`` runs.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import median_time, peak_rss_mb

STAGES = ("parse", "clean", "dedup", "store", "match", "outbox")


def make_pipeline(kind: str, folder: Path, watchlists: dict[str, list[str]], feeds: int) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "newsmon":
        from bench.ours import OursPipeline

        return OursPipeline(folder, watchlists, feeds)
    if kind == "naive":
        from bench.naive import NaivePipeline

        return NaivePipeline(folder / "naive.db", watchlists)
    from bench.fast import FastPipeline

    return FastPipeline(folder / "fast.db", watchlists)


def load_feeds(feed_dir: Path) -> list[tuple[str, bytes]]:
    return [(f"http://127.0.0.1/{p.name}", p.read_bytes()) for p in sorted(feed_dir.glob("*.xml"))]


def run(kind: str, feed_dir: Path, watchlists: dict[str, list[str]], repeat: int,
        stages: bool = True) -> dict[str, Any]:
    feeds = load_feeds(feed_dir)
    work = Path(tempfile.mkdtemp(prefix=f"bench-{kind.replace(' ', '')}-"))
    counter = iter(range(10**6))

    def fresh() -> Any:
        return make_pipeline(kind, work / str(next(counter)), watchlists, len(feeds))

    result: dict[str, Any] = {"kind": kind}
    try:
        if stages:
            result["stages"] = _stages(fresh, feeds, repeat)
        ingest_times = []
        counts = (0, 0)
        for _ in range(repeat):
            pipeline = fresh()
            start = time.process_time()
            counts = _ingest_all(pipeline, feeds)
            ingest_times.append(time.process_time() - start)
            pipeline.close()
        ingest_times.sort()
        result["ingest"] = ingest_times[len(ingest_times) // 2]
        result["new"], result["alerts"] = counts
        result["rss_mb"] = peak_rss_mb()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _ingest_all(pipeline: Any, feeds: list[tuple[str, bytes]]) -> tuple[int, int]:
    new = alerts = 0
    for feed_id, (url, body) in enumerate(feeds):
        _, stored, sent = pipeline.ingest(body, url, feed_id)
        new, alerts = new + stored, alerts + sent
    return new, alerts


def _stages(fresh: Callable[[], Any], feeds: list[tuple[str, bytes]], repeat: int) -> dict[str, Any]:
    pipeline = fresh()
    raws = [pipeline.parse(body, url) for url, body in feeds]
    texts = [pipeline.clean(r) for r in raws]
    keyed = [pipeline.dedup(t, n) for n, t in enumerate(texts)]
    out: dict[str, Any] = {
        "items": sum(len(r) for r in raws),
        "parse": median_time(lambda: [pipeline.parse(body, url) for url, body in feeds], repeat),
        "clean": median_time(lambda: [pipeline.clean(r) for r in raws], repeat),
        "dedup": median_time(lambda: [pipeline.dedup(t, n) for n, t in enumerate(texts)], repeat),
    }
    pipeline.close()
    store, match, outbox = [], [], []
    for _ in range(repeat):
        pipeline = fresh()
        start = time.process_time()
        stored = [pipeline.store(k, n) for n, k in enumerate(keyed)]
        store.append(time.process_time() - start)
        start = time.process_time()
        matched = [pipeline.match(s) for s in stored]
        match.append(time.process_time() - start)
        start = time.process_time()
        for m in matched:
            pipeline.outbox(m)
        outbox.append(time.process_time() - start)
        pipeline.close()
    for name, times in (("store", store), ("match", match), ("outbox", outbox)):
        out[name] = sorted(times)[len(times) // 2]
    return out
