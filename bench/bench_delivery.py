"""Benchmark: the delivery job on a SQLite file, to a local webhook through apprise's json://.

Run by hand (not in CI)::

    python bench/bench_delivery.py [--alerts 2000] [--repeat 3]

Three figures, medians of ``--repeat`` runs on a fresh database each:

* ``plan``: turning N due alerts of one target into N one-alert messages (one transaction);
* ``plan, 3/hour``: the same N alerts on a rate-limited target (two messages and one summary);
* ``send``: leasing, rendering (Jinja2, text), posting and committing the N messages one by one;
  compared with a bare ``apprise.Apprise.notify`` loop to the same webhook (the floor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.alert.deliver import Notifier  # noqa: E402
from monitor.alert.render import Renderer  # noqa: E402
from monitor.alert.send import (  # noqa: E402
    DeliveryReport,
    plan_due,
    send_due,
)
from monitor.config import MonitorConfig, Settings, TargetConfig  # noqa: E402
from monitor.store.db import Database, open_database  # noqa: E402
from monitor.store.tables import Alert, Article, Feed  # noqa: E402

NOW = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def _settings(url: str, folder: Path, rate: str | None) -> Settings:
    monitor = MonitorConfig(targets={"hook": TargetConfig(url=url, rate_limit=rate)})
    return Settings(path=folder / "monitor.yaml", monitor=monitor, feeds=(), entities={}, watchlists=(),
                    database_url=f"sqlite:///{folder / 'bench.db'}", state_dir=folder)


def _fill(db: Database, count: int) -> None:
    payload = {"watchlist": "ukraine", "title": "Debatte über Tomahawk-Raketen", "link": "https://example.org/t",
               "source": "Testfeed", "published": NOW.isoformat(), "terms": ["Tomahawk"],
               "snippet": "Kiew wirbt um Tomahawk-Marschflugkörper.", "snippet_spans": [[17, 25]]}
    with db.session() as session:
        feed = Feed(name="f", url="http://x", created_at=NOW, failures=0, disabled=False)
        session.add(feed)
        session.flush()
        articles = [Article(feed_id=feed.id, title=f"t{n}", summary="", first_seen=NOW) for n in range(count)]
        session.add_all(articles)
        session.flush()
        session.add_all(Alert(article_id=a.id, watchlist="ukraine", target="hook", state="pending", attempts=0,
                              next_attempt_at=NOW, payload=payload, created_at=NOW, mode="instant")
                        for a in articles)


def run(count: int, url: str, rate: str | None, send: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(url, Path(tmp), rate)
        db = open_database(settings.database_url, upgrade=True)
        _fill(db, count)
        started = time.perf_counter()
        plan_due(db, settings, NOW)
        planned = time.perf_counter() - started
        sent = 0.0
        if send:
            started = time.perf_counter()
            report = DeliveryReport()
            send_due(db, Notifier(settings.monitor.targets), Renderer(), settings, lambda: NOW, "bench", report)
            sent = time.perf_counter() - started
            assert report.sent == count, report
        db.dispose()
    return planned, sent


def bare_apprise(count: int, url: str) -> float:
    import apprise

    app = apprise.Apprise()
    app.add(url)
    started = time.perf_counter()
    for _ in range(count):
        app.notify(title="t", body="b")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    n = args.alerts
    plain = [run(n, url, None, True) for _ in range(args.repeat)]
    limited = [run(n, url, "3/hour", False)[0] for _ in range(args.repeat)]
    floor = [bare_apprise(n, url) for _ in range(args.repeat)]
    plan, send = statistics.median(p for p, _ in plain), statistics.median(s for _, s in plain)
    print(f"{n} alerts, one target, SQLite file, medians of {args.repeat}")
    print(f"plan (one message each)     {n / plan:10.0f} alerts/s   ({plan * 1000:.0f} ms)")
    print(f"plan (3/hour: fold)         {n / statistics.median(limited):10.0f} alerts/s")
    print(f"send (lease, render, post)  {n / send:10.0f} messages/s")
    print(f"bare apprise notify loop    {n / statistics.median(floor):10.0f} messages/s")
    server.shutdown()


if __name__ == "__main__":
    main()
