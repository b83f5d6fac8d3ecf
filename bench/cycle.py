"""A poll cycle of many feeds on 127.0.0.1 through the real ``Runner.cycle()``: first every feed
answers 200 with a new body; then the server honours conditional GET (304); then it ignores it and
sends the same bodies again (200, unchanged: newsmon's body hash skips the parse). Peak RSS is
measured per cycle.

All feeds are on one host, so newsmon's politeness limit (two requests per host at a time) applies.
The feeds are served by ``bench.server.LeanServer``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import peak_rss_mb, reset_peak
from bench.ours import NOW, write_config
from bench.server import LeanServer

ROOT = Path(__file__).resolve().parents[1]


def run(feeds: int, per_feed: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from monitor.daemon.scheduler import Runner
    from monitor.settings import load
    from tests.receivers import Webhook

    synthetic = corpus.Synthetic(corpus.article_pool(), seed=11)
    bodies = [body for _, body in synthetic.feeds(feeds, per_feed, "poll")]
    work = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    clock = _Clock()
    out: dict[str, Any] = {"feeds": feeds, "per_feed": per_feed}
    try:
        with LeanServer() as server, Webhook() as hook:
            for number, body in enumerate(bodies):
                server.serve(f"/f{number}.xml", body, etag=f'"v{number}"')
            config = write_config(work, {"w0": ["Selenskyj", "Tomahawk"]}, feeds, feed_url=server.url("/f{n}.xml"),
                                  hook=hook.url)
            runner = Runner(load(config), clock=clock)
            for name in ("200 new bodies", "304 not modified", "200 unchanged body"):
                if name == "200 unchanged body":
                    for number, body in enumerate(bodies):
                        server.serve(f"/f{number}.xml", body)  # no validators: conditional GET ignored
                reset_peak()
                start = time.perf_counter()
                report = runner.cycle()
                seconds = time.perf_counter() - start
                errors = [p.error for p in report.polls if p.error]
                out[name] = {"seconds": seconds, "feeds_per_s": feeds / seconds, "new": report.new_articles,
                             "polled": len(report.polls), "errors": len(errors), "rss_mb": peak_rss_mb()}
                clock.advance(minutes=10)
            runner.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
