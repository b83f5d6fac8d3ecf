"""Daemons sharing one PostgreSQL: does a second process cost CPU per article, and does its memory grow
with the other's articles? (run by hand; needs a PostgreSQL at 127.0.0.1)

    python -m bench.bench_shared [--url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--articles 3000]

Real processes run newsmon's ``ingest`` (``bench/ours.py``) on distinct synthetic articles, 50 a feed,
on a simulated clock (10,000 articles a day), each in its own feeds of one fresh schema:

- one: a single process stores all the articles;
- two: two processes at once, half each (disjoint feeds);
- probe: a process stores 300 articles into an empty schema, and again into one where another process
  first stored all the articles: its peak RSS should not grow with the articles it did not store.

Reported per process: CPU seconds per article (``time.process_time`` around ``ingest`` only), its RSS
after the first feed and its peak, and the slope of its RSS over the articles in the database.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

PER_FEED = 50
PER_DAY = 10_000
PROBE = 300


def worker(url: str, first: int, count: int, stride: int, feeds: int, seed: int, folder: Path) -> dict[str, Any]:
    """Store ``count`` feeds of new articles (feeds ``first``, ``first + stride``, …) into the schema of ``url``."""
    import time

    from bench import corpus, ours
    from bench.common import peak_rss_mb, reset_peak

    synthetic = corpus.Synthetic(corpus.article_pool(), seed=seed)
    clock = {"now": ours.NOW}
    pipeline = _pipeline(url, folder, feeds, lambda: clock["now"])
    step = timedelta(days=PER_FEED / PER_DAY)
    cpu = 0.0
    samples = []
    for number, feed_id in enumerate(range(first, first + count * stride, stride)):
        clock["now"] = ours.NOW + step * feed_id  # both processes walk the same simulated days
        (site, body), = synthetic.feeds(1, PER_FEED, f"s{seed}-f{feed_id}", start=clock["now"])
        started = time.process_time()
        pipeline.ingest(body, f"https://{site}/rss", feed_id)
        if number:  # the first feed loads the lemma table and compiles statements: not counted
            cpu += time.process_time() - started
        else:
            reset_peak()
            settled = _rss_mb()
        samples.append((_stored(pipeline), _rss_mb()))
    pipeline.close()
    articles = (count - 1) * PER_FEED
    (low, low_rss), (high, high_rss) = samples[0], samples[-1]
    return {"articles": articles, "cpu_s": cpu, "cpu_ms_per_article": 1000 * cpu / articles,
            "rss_after_first_mb": settled, "peak_rss_mb": peak_rss_mb(), "db_articles": high,
            "rss_slope_kb_per_db_article": 1024 * (high_rss - low_rss) / max(1, high - low)}


def _pipeline(url: str, folder: Path, feeds: int, clock: Any) -> Any:
    """``bench.ours``'s pipeline with its database at ``url``."""
    from bench import corpus, ours

    def with_database(*args: Any, **kwargs: Any) -> Path:
        path = plain(*args, **kwargs)
        config = yaml.safe_load(path.read_text("utf-8"))
        config["database"] = url
        path.write_text(yaml.safe_dump(config), "utf-8")
        return path

    plain = ours.write_config
    ours.write_config = with_database  # type: ignore[assignment]
    try:
        return ours.OursPipeline(folder, {"w0": corpus.BASE_TERMS}, feeds, clock=clock)
    finally:
        ours.write_config = plain  # type: ignore[assignment]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _stored(pipeline: Any) -> int:
    from sqlalchemy import text

    with pipeline.db.session() as session:
        return int(session.execute(text("SELECT count(*) FROM articles")).scalar_one())


def _schema(base: str, feeds: int, folder: Path) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{name}"
    from monitor.store.db import open_database

    open_database(url, upgrade=True).dispose()  # migrated, and its feeds made, before the processes start
    folder.mkdir(parents=True, exist_ok=True)
    _pipeline(url, folder, feeds, lambda: None).close()
    return name, url


def _drop(base: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


def _spawn(url: str, plan: tuple[int, int, int, int], feeds: int, folder: Path) -> subprocess.Popen[str]:
    first, count, stride, seed = plan
    folder.mkdir(parents=True, exist_ok=True)
    job = json.dumps({"url": url, "first": first, "count": count, "stride": stride, "feeds": feeds, "seed": seed,
                      "folder": str(folder)})
    return subprocess.Popen([sys.executable, "-m", "bench.bench_shared", "--worker", job],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])


def _results(*processes: subprocess.Popen[str]) -> list[dict[str, Any]]:
    out = []
    for process in processes:
        stdout, _ = process.communicate()
        assert process.returncode == 0, stdout
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--worker")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bench-shared"))
    args = parser.parse_args()
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(worker(job["url"], job["first"], job["count"], job["stride"], job["feeds"], job["seed"],
                                Path(job["folder"]))))
        return
    feeds = args.articles // PER_FEED
    half = feeds // 2
    feeds = 2 * half
    probe = PROBE // PER_FEED + 1
    total = feeds + 2 * probe
    report: dict[str, Any] = {}
    scratch = args.scratch / uuid.uuid4().hex[:6]
    # two processes take alternate feeds, so their simulated clocks walk the same days together
    for label, plans in (("one", [(0, feeds, 1, 1)]), ("two", [(0, half, 2, 1), (1, half, 2, 2)])):
        name, url = _schema(args.url, total, scratch / f"{label}-setup")
        try:
            report[label] = _results(*[_spawn(url, plan, total, scratch / f"{label}{plan[3]}") for plan in plans])
        finally:
            _drop(args.url, name)
    name, url = _schema(args.url, total, scratch / "probe-setup")
    try:
        report["probe_empty"] = _results(_spawn(url, (feeds, probe, 1, 3), total, scratch / "pe"))[0]
        _results(_spawn(url, (0, feeds, 1, 1), total, scratch / "fill"))
        report["probe_after_other"] = _results(_spawn(url, (feeds + probe, probe, 1, 4), total, scratch / "pf"))[0]
    finally:
        _drop(args.url, name)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
