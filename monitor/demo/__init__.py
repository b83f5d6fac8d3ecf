"""``newsmon demo``: a bundled German sample feed (written for newsmon) served on 127.0.0.1, a local
webhook standing in for a chat, one real cycle through the whole pipeline, the alerts shown."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

DEMO = files("monitor.demo")


class _Handler(BaseHTTPRequestHandler):
    server: _DemoServer

    def do_GET(self) -> None:
        body = self.server.feed
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, feed: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.feed = feed
        self.received: list[dict[str, Any]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def _serving() -> Iterator[_DemoServer]:
    server = _DemoServer(DEMO.joinpath("feed.xml").read_bytes())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def write_config(folder: Path, base: str) -> Path:
    (folder / "watchlists").mkdir(parents=True, exist_ok=True)
    (folder / "watchlists" / "demo.yaml").write_text(DEMO.joinpath("watchlists.yaml").read_text("utf-8"), "utf-8")
    config = folder / "monitor.yaml"
    config.write_text(
        f"database: sqlite:///{folder / 'newsmon.db'}\n"
        "feeds:\n"
        f"  - {{name: Demo-Nachrichten, url: '{base}/feed.xml'}}\n"
        "targets:\n"
        f"  demo-webhook: 'json://127.0.0.1:{base.rsplit(':', 1)[1]}/hook'\n"
        "delivery: {backoff: 1s, max_attempts: 3, max_age: 0}\n",  # the sample items are old by design
        "utf-8",
    )
    return config


def run_demo(keep: str | None, echo: Callable[[str], None]) -> None:
    import logging

    from monitor.settings import load

    logging.getLogger().setLevel(logging.WARNING)  # the demo prints what matters itself
    from monitor.daemon.scheduler import Runner, utcnow

    with tempfile.TemporaryDirectory(prefix="newsmon-demo-") as tmp, _serving() as server:
        folder = Path(keep) if keep else Path(tmp)
        settings = load(write_config(folder, server.base))
        echo(f"Serving a German sample feed at {server.base}/feed.xml, alerts go to a local webhook.")
        offset = [timedelta(0)]
        runner = Runner(settings, clock=lambda: utcnow() + offset[0])
        report = runner.cycle()
        echo(f"Cycle 1: {report.new_articles} new articles, {report.alerts} alerts queued, "
             f"{report.delivery.sent} delivered.\n")
        for message in server.received:
            echo(f"── {message.get('title', '')}")
            echo(str(message.get("message", "")))
            echo("")
        before = len(server.received)
        offset[0] = timedelta(minutes=10)  # the feed is due again: poll it once more
        again = runner.cycle()
        runner.close()
        echo(f"Cycle 2 (same feed again): {again.new_articles} new articles, "
             f"{len(server.received) - before} alerts: nothing is alerted twice.")
        echo("Note: the Skat article ('Trumpf') did not match the watchlist 'trump', and the Tomahawk "
             "article, linked twice with different utm_ parameters, was stored and alerted once.")
