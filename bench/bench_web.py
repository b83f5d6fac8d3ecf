"""How long each page of the web view takes on a large database.

``python -m bench.bench_web [--articles 100000] [--keep DIR]``: fills one SQLite file through
newsmon's own ``ingest`` (as ``growth.py`` does: distinct articles recombined from real sentences,
10,000 a day of a simulated clock), then asks every page (HTML and ``?format=json``) through the
ASGI application, with the clock at the end of the fill, and prints the median and worst wall
time of each (after one warm-up request). ``--keep DIR`` keeps the filled database there and
reuses it on the next run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import corpus
from bench.growth import PER_DAY, PER_FEED
from bench.ours import NOW, OursPipeline

PAGES = ["/", "/?feeds=all", "/stories", "/stories/{story}", "/watchlists", "/watchlists/w0", "/alerts",
         "/alerts?dead=1", "/preview/stamp?file=watchlists/bench.yaml"]
SCANS = ["/search?q=Gipfel&since=1d", "/search?q=Gipfel+AND+Nato&since=1d",
         "/preview?file=watchlists/bench.yaml&since=1d"]


def fill(folder: Path, articles: int) -> datetime:
    marker = folder / "filled.json"
    if marker.exists():
        done = json.loads(marker.read_text())
        if done["articles"] >= articles:
            return datetime.fromisoformat(done["now"])
    folder.mkdir(parents=True, exist_ok=True)
    synthetic = corpus.Synthetic(corpus.article_pool())
    feeds = articles // PER_FEED + 1
    clock = {"now": NOW}
    pipeline = OursPipeline(folder, {"w0": corpus.BASE_TERMS[:6]}, feeds, clock=lambda: clock["now"])
    step = timedelta(days=PER_FEED / PER_DAY)
    started = time.perf_counter()
    for feed_id in range(feeds):
        (url, body), = synthetic.feeds(1, PER_FEED, f"f{feed_id}", start=clock["now"])
        pipeline.ingest(body, f"https://{url}/rss", feed_id)
        clock["now"] += step
        if feed_id % 200 == 0:
            print(f"  filled {feed_id * PER_FEED} articles, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    pipeline.close()
    marker.write_text(json.dumps({"articles": articles, "now": clock["now"].isoformat(),
                                  "fill_seconds": time.perf_counter() - started}))
    return clock["now"]


def measure(folder: Path, now: datetime, repeat: int) -> list[dict[str, Any]]:
    from starlette.testclient import TestClient

    from monitor.settings import load
    from monitor.web import create_app

    app = create_app(load(folder / "monitor.yaml"), clock=lambda: now)
    rows = []
    with TestClient(app) as client:
        story = client.get("/stories?format=json").json()[0]["id"]
        started = time.perf_counter()
        first = client.get("/watchlists?format=json").json()
        answered = time.perf_counter() - started
        app.state.web.matches.wait()
        counted = time.perf_counter() - started
        print(f"first /watchlists: answered in {answered * 1000:.0f} ms with {first[0]['articles_not_yet_matched']} "
              f"articles not matched yet; all matched after {counted:.1f} s", file=sys.stderr)
        rows.append({"page": "first /watchlists (match log starts)", "first_ms": answered * 1000,
                     "background_s": counted, "pending": first[0]["articles_not_yet_matched"]})
        for template, times_each in [*((p, repeat) for p in PAGES), *((p, max(1, repeat // 3)) for p in SCANS)]:
            for suffix in ("", "&format=json" if "?" in template else "?format=json"):
                url = template.format(story=story) + suffix
                first_ms = _timed(client, url)
                times = [_timed(client, url) for _ in range(times_each)]
                rows.append({"page": url, "first_ms": first_ms * 1000, "median_ms": statistics.median(times) * 1000,
                             "worst_ms": max(times) * 1000})
                print(f"{url:<60} first {first_ms * 1000:8.1f} ms  median {statistics.median(times) * 1000:8.1f} ms  "
                      f"worst {max(times) * 1000:8.1f} ms", file=sys.stderr)
    return rows


def _timed(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    spent = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_web", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the filled database in this folder")
    args = parser.parse_args()
    import tempfile

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-web-"))
    now = fill(folder, args.articles)
    rows = measure(folder, now, args.repeat)
    print(json.dumps({"articles": args.articles, "pages": rows}, indent=1))


if __name__ == "__main__":
    main()
