"""Benchmark: the fetch side of a cycle, side by side with the baselines it was chosen against.

Run by hand (not in CI), on an otherwise idle machine::

    python bench/bench_fetch.py [--repeat 3] [--realdata ../shared/realdata]

* parse: ``monitor.feeds.parse.reader.parse`` over the real German feeds vs feedparser with its defaults and
  with ``sanitize_html=False, resolve_relative_uris=False`` (the setting parse uses), items/s;
* html_to_text: ``monitor.feeds.parse.html.html_to_text`` vs bs4's ``get_text`` on the feeds' real summaries
  and bodies, items/s;
* fetch_all: 200 local feeds (a real 54 KB feed each) from a local server, first fetch and a
  conditional re-fetch answered 304, feeds/s (the test server shares this process, so this is a
  floor, not the client's ceiling);
* fulltext: word-level F1 of ``monitor.feeds.fulltext.extract`` on the 105 fundus pages, and ms/page.

Times are CPU seconds of this process for the pure stages (medians of ``--repeat``), wall time for
fetching.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import HttpConfig  # noqa: E402
from monitor.feeds.fetcher import fetch_all  # noqa: E402
from monitor.feeds.parse.html import html_to_text  # noqa: E402
from monitor.feeds.parse.reader import parse  # noqa: E402
from monitor.model import Validators  # noqa: E402

FOLDERS = ("corss-dec2024-snapshot", "news-homereader-feeds", "fast-news-reader-feeds", "sz-feed")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rate(work: Callable[[], int], repeat: int) -> float:
    """Items per CPU second, median of ``repeat`` runs."""
    rates = []
    for _ in range(repeat):
        start = cpu()
        count = work()
        rates.append(count / max(cpu() - start, 1e-9))
    return statistics.median(rates)


def bench_parse(feeds: list[bytes], repeat: int) -> None:
    import feedparser

    def ours() -> int:
        return sum(len(parse(body, "https://example.org/").entries) for body in feeds)

    def default() -> int:
        return sum(len(feedparser.parse(body).entries) for body in feeds)

    def unsanitised() -> int:
        return sum(len(feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False).entries)
                   for body in feeds)

    print(f"parse, {ours()} items of {len(feeds)} real German feeds (items/s):")
    for name, work in (("monitor.feeds.parse.reader.parse", ours), ("feedparser default", default),
                       ("feedparser unsanitised", unsanitised)):
        print(f"  {name:28s} {rate(work, repeat):10,.0f}")


def bench_clean(feeds: list[bytes], repeat: int) -> None:
    import feedparser
    from bs4 import BeautifulSoup

    texts = []
    for body in feeds:
        for entry in feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False).entries:
            texts.append(entry.get("summary", ""))
            texts.extend(c.get("value", "") for c in entry.get("content", []))
    texts = [t for t in texts if t]

    def ours() -> int:
        for text in texts:
            html_to_text(text)
        return len(texts)

    def bs4() -> int:
        for text in texts:
            BeautifulSoup(text, "lxml").get_text(" ")
        return len(texts)

    print(f"html_to_text, {len(texts)} real summaries and bodies (items/s):")
    print(f"  {'monitor.feeds.parse.html.html_to_text':28s} {rate(ours, repeat):10,.0f}")
    print(f"  {'bs4 lxml get_text':28s} {rate(bs4, max(1, repeat // 2)):10,.0f}")


def bench_fetch(feed: bytes) -> None:
    from tests.servers import FeedServer

    http = HttpConfig()
    with FeedServer() as server:
        jobs = [(i, server.serve(f"/f{i}.xml", feed, etag=f'"e{i}"'), Validators()) for i in range(200)]
        print("fetch_all, 200 local feeds (feeds/s, wall):")
        for per_host in (2, 8):
            start = time.perf_counter()
            results = dict(fetch_all(jobs, http, per_host=per_host, workers=8))
            assert all(r.ok for r in results.values())
            print(f"  {'first fetch, per_host=' + str(per_host):28s} {200 / (time.perf_counter() - start):10,.0f}")
        again = [(i, url, Validators(etag=f'"e{i}"')) for i, url, _ in jobs]
        start = time.perf_counter()
        results = dict(fetch_all(again, http, per_host=8, workers=8))
        assert all(r.not_modified for r in results.values())
        print(f"  {'304 re-fetch, per_host=8':28s} {200 / (time.perf_counter() - start):10,.0f}")


def bench_fulltext(realdata: Path) -> None:
    from monitor.feeds.fulltext import extract
    from tests.test_fulltext_quality import _pages, f1

    pages = _pages(realdata / "fundus-german-articles")
    start = cpu()
    scores = [f1(extract(gzip.decompress(page.read_bytes())) or "", text) for page, text in pages]
    spent = cpu() - start
    print(f"fulltext, {len(pages)} fundus pages: mean word F1 {statistics.mean(scores):.3f}, "
          f"median {statistics.median(scores):.3f}, {spent / len(pages) * 1000:.0f} ms/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    args = parser.parse_args()
    feeds = [p.read_bytes() for folder in FOLDERS for p in sorted((args.realdata / folder).glob("*.xml"))]
    bench_parse(feeds, args.repeat)
    bench_clean(feeds, args.repeat)
    bench_fetch((args.realdata / "corss-dec2024-snapshot" / "tagesschau.xml").read_bytes())
    bench_fulltext(args.realdata)
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
