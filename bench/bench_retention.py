"""Benchmark: what the database holds after months of news, with and without retention.

Run by hand (not in CI)::

    python bench/bench_retention.py [--days 120] [--per-day 100] [--feeds 10]

A real ``Runner`` on a SQLite file and a simulated clock: each simulated day every feed (served on
127.0.0.1) publishes new items (distinct pseudo-German text, a summary and a body each, one in ten
mentioning Tomahawk), a cycle polls, stores, matches and delivers the alerts to a local webhook,
and maintenance runs as a daemon's would. Twice: with retention (``bodies: 90d`` and the defaults
for features, stories and messages) and with every horizon off. Rows and bytes per table
(SQLite's ``dbstat``, indexes counted with their table) are printed, then extrapolated to a year
of 10,000 articles a day: tables kept forever by rows per article, tables bounded by a horizon by
their steady state (horizon × rate); for the bodies in ``articles`` and the signatures and terms
in ``article_features`` (rows kept, payload bounded) the payload is scaled by its horizon and the
rest of the row like a kept table.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_scale import _text  # noqa: E402
from tests.harness import Clock, write_config  # noqa: E402
from tests.receivers import Webhook  # noqa: E402
from tests.servers import FeedServer  # noqa: E402

YEAR_ARTICLES = 10_000 * 365
BOUNDED = {"stories": 90, "story_outlets": 90, "messages": 90}  # days kept (steady state)


def _rss(items: list[tuple[str, str, str, str]]) -> bytes:
    parts = [f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
             f"<description>{summary}</description><content:encoded><![CDATA[<p>{body}</p>]]></content:encoded>"
             f"</item>" for title, link, guid, summary, body in ((t, lk, g, s, s + " " + s) for t, lk, g, s in items)]
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            f"{''.join(parts)}</channel></rss>").encode()


def _tables(db: Path) -> dict[str, tuple[int, int]]:
    """(rows, bytes with indexes) per table."""
    with sqlite3.connect(db) as conn:
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        sizes: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(size)
        return {table: (int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]), size)
                for table, size in sizes.items() if table in owner and not table.startswith(("sqlite_", "alembic"))}


def fill(folder: Path, days: int, per_day: int, feeds: int, retention: dict[str, Any]) -> dict[str, Any]:
    from monitor.daemon.scheduler import Runner
    from monitor.settings import load

    rng = random.Random(7)
    clock = Clock(datetime(2025, 1, 1, 6, 0, tzinfo=UTC))
    started = time.perf_counter()
    with FeedServer() as server, Webhook() as hook:
        urls = {f"Feed {f}": server.serve(f"/f{f}.xml", b"<rss/>") for f in range(feeds)}
        lists = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}
        config = write_config(folder, urls, {"hook": hook.url}, watchlists=lists, retention=retention)
        run = Runner(load(config), clock=clock)
        serial = 0
        for _day in range(days):
            for f in range(feeds):
                items = []
                for _ in range(per_day // feeds):
                    serial += 1
                    topic = "Tomahawk " if serial % 10 == 0 else ""
                    items.append((f"{topic}{_text(rng, 8)}", f"https://example.org/{serial}.html",
                                  f"item-{serial:08d}", _text(rng, 60)))
                server.serve(f"/f{f}.xml", _rss(items))
            run.cycle()
            clock.advance(days=1)
        run.close()
        sent = len(hook.messages)
    db = folder / "newsmon.db"
    with sqlite3.connect(db) as conn:
        conn.execute("VACUUM")
        # the parts a horizon bounds inside tables that keep their rows: bodies, signatures and terms
        bodies = conn.execute("SELECT count(body), coalesce(sum(length(CAST(body AS BLOB))), 0) "
                              "FROM articles").fetchone()
        features = conn.execute("SELECT count(signature), coalesce(sum(length(signature) + length(terms)), 0) "
                                "FROM article_features WHERE signature IS NOT NULL").fetchone()
    return {"tables": _tables(db), "file": db.stat().st_size, "articles": serial, "sent": sent,
            "seconds": time.perf_counter() - started,
            "bounded": {"articles": (bodies, 90), "article_features": (features, 14)}}


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB" if value < 1e9 else f"{value / 1e9:,.2f} GB"


def report(name: str, result: dict[str, Any], days: int, per_day: int, *, pruned: bool) -> None:
    articles = result["articles"]
    print(f"\n{name}: {articles:,} articles over {days} simulated days, {result['sent']:,} alerts sent, "
          f"file {_mb(result['file'])} after VACUUM ({result['seconds']:.0f} s)")
    print("| table | rows | bytes | rows after a year of 10,000/day | bytes after a year |")
    print("|---|---:|---:|---:|---:|")
    total = 0.0
    for table, (rows, size) in sorted(result["tables"].items(), key=lambda kv: -kv[1][1]):
        horizon = BOUNDED.get(table) if pruned else None
        if horizon is not None and days > horizon:
            scale = (10_000 * horizon) / (per_day * horizon)
        elif table in ("feeds", "feed_health", "maintenance"):
            scale = 1.0
        else:
            scale = YEAR_ARTICLES / max(articles, 1)
        if rows == 0:
            size = 0  # an empty table's page is not a cost that grows
        year = size * scale
        part = result["bounded"].get(table)
        if part is not None and pruned and days > part[1]:
            (count, payload), horizon = part
            # rows kept forever without the bounded payload, plus that payload for the horizon's articles
            year = (size - payload) * scale + (payload / max(count, 1)) * 10_000 * horizon
        total += year
        print(f"| {table} | {rows:,} | {_mb(size)} | {rows * scale:,.0f} | {_mb(year)} |")
    print(f"| **all** | | {_mb(sum(s for _, s in result['tables'].values()))} | | **{_mb(total)}** |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()
    modes = {"with retention (bodies 90d, features 14d, stories 90d, messages 90d)": {"bodies": "90d"},
             "without retention": {"features": None, "stories": None, "messages": None}}
    for name, retention in modes.items():
        with tempfile.TemporaryDirectory(prefix="newsmon-retention-") as tmp:
            result = fill(Path(tmp), args.days, args.per_day, args.feeds, retention)
        report(name, result, args.days, args.per_day, pruned=name.startswith("with "))


if __name__ == "__main__":
    main()
