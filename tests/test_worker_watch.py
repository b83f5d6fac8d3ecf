"""``workers: N``: a worker that hangs without dying is noticed and replaced.

Each worker pings its supervisor over the notify protocol while its jobs make progress. A real
worker process is frozen with SIGSTOP (it neither dies nor answers): the supervisor kills it after
``worker_watchdog`` and starts a new one, which goes on polling.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import rss
from tests.receivers import Webhook
from tests.servers import FeedServer
from tests.test_scaleout import _config, _item, _wait


def test_a_worker_frozen_by_sigstop_is_killed_and_replaced(pg_schema_url: str, tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        feeds = [{"name": f"Feed {f}", "url": server.serve(f"/f{f}.xml", rss([_item(f)]), etag='"1"'),
                  "interval": "2s"} for f in range(4)]
        config = _config(tmp_path, feeds, hook, database=pg_schema_url, workers=2, lease="2s",
                         worker_watchdog="3s")
        log = tmp_path / "supervisor.log"
        with log.open("wb") as out:
            supervisor = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                                          stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1])
        try:
            _wait("two workers", lambda: log.read_text().count("started (pid") >= 2)
            pids = [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", log.read_text())]
            _wait("every alert", lambda: len(hook.messages) >= 4)
            os.kill(pids[0], signal.SIGSTOP)
            _wait("the frozen worker replaced", lambda: log.read_text().count("started (pid") >= 3, timeout=120)
            text = log.read_text()
            fresh = int(re.findall(r"started \(pid (\d+)\)", text)[-1])
            supervisor.send_signal(signal.SIGTERM)
            code = supervisor.wait(timeout=30)
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
    text = log.read_text()
    assert code == 0
    assert re.search(rf"worker 1 \(pid {pids[0]}\) hangs, no sign of progress for \d+s: killing it", text), text
    assert "exited with -9" in text
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)  # killed, not left frozen
    assert fresh not in pids
