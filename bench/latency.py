"""Alert latency: a real ``newsmon run`` daemon (a subprocess) polls a feed on 127.0.0.1 every
second; an item is added to the served feed and the time until the alert reaches a webhook (apprise
``json://``) is measured. Wall clock, several trials.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ours import write_config
from bench.server import LeanServer

ROOT = Path(__file__).resolve().parents[1]
WAIT = 20.0
START_WAIT = 120.0  # imports, migrations and the German lexicon, on a loaded machine


def _feed(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{title}</title><link>https://example.org/{guid}.html</link>"
                   f"<guid isPermaLink='false'>{guid}</guid><description>Ein Bericht.</description></item>"
                   for title, guid in items)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Latenz</title>"
            f"<link>https://example.org/</link><description>t</description>{body}</channel></rss>").encode()


def run(trials: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.receivers import Webhook

    work = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    items = [("Wetter: Sonne im Süden", "alt-0")]
    latencies: list[float] = []
    daemon = None
    try:
        with LeanServer() as server, Webhook() as hook:
            url = server.serve("/feed.xml", _feed(items), etag='"0"')
            config = write_config(work, {"latenz": ["Tomahawk"]}, 1, feed_url=url, hook=hook.url, interval="1s")
            env = {**os.environ, "NEWSMON_STATE_DIR": str(work)}
            log = (work / "daemon.log").open("wb")
            daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)],
                                      cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
            if not _until(lambda: server.hits["/feed.xml"] >= 2, timeout=START_WAIT):
                raise RuntimeError("the daemon did not start polling")
            for trial in range(trials):
                time.sleep(0.37 * (trial % 3))  # land at different points of the poll interval
                items.insert(0, (f"Debatte über Tomahawk-Raketen, Teil {trial}", f"neu-{trial}"))
                seen = len(hook.messages)
                started = time.perf_counter()
                server.serve("/feed.xml", _feed(items), etag=f'"{trial + 1}"')
                if not _until(lambda seen=seen: len(hook.messages) > seen):
                    raise RuntimeError("no alert arrived")
                latencies.append(time.perf_counter() - started)
    finally:
        if daemon is not None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
        if os.environ.get("BENCH_KEEP_LOG"):
            shutil.copy(work / "daemon.log", os.environ["BENCH_KEEP_LOG"])
        shutil.rmtree(work, ignore_errors=True)
    return {"trials": latencies, "median": statistics.median(latencies), "max": max(latencies),
            "min": min(latencies), "interval": 1.0}


def _until(condition: Any, timeout: float = WAIT) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.005)
    return False
