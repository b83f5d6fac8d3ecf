"""A process killed between claiming a message and finishing its send resends at most that message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from monitor.daemon.scheduler import Runner, utcnow
from monitor.reports.status import collect
from monitor.settings import load
from monitor.store.db import open_database
from monitor.store.tables import Message
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

ROOT = Path(__file__).resolve().parents[1]
ITEMS = [Item(f"Tomahawk-Lieferung {n}", f"https://example.org/t/{n}.html", guid=f"t{n}") for n in range(3)]


def test_kill_9_during_a_send_resends_only_the_message_in_flight(tmp_path: Path) -> None:
    release = threading.Event()
    with FeedServer() as server, Webhook(block=release) as hook:
        config = write_config(tmp_path, {"Testfeed": server.serve("/f.xml", rss(ITEMS))}, {"hook": hook.url})
        env = dict(os.environ, PYTHONPATH=str(ROOT), NEWSMON_STATE_DIR=str(tmp_path))
        process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run", "--once"],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert hook.arrived.wait(60), "the first message never reached the webhook"
            process.send_signal(signal.SIGKILL)  # between send and commit: the message is out, the row not
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
        release.set()  # the receiver takes the message the dead process sent
        deadline = time.monotonic() + 10
        while not hook.messages and time.monotonic() < deadline:  # bounded wait for the handler thread
            time.sleep(0.01)
        assert len(hook.messages) == 1
        settings = load(config)
        assert collect(settings)["outbox"] == {"pending": 3, "sent": 0, "dead": 0}

        db = open_database(settings.database_url)
        with db.reading() as session:
            expiry = session.scalar(select(func.max(Message.lease_until)))
        db.dispose()
        assert expiry is not None and expiry - utcnow() <= timedelta(seconds=6)  # the default lease
        soon = Runner(settings, clock=lambda: expiry - timedelta(seconds=1))
        assert soon.deliver().sent == 0  # the dead process's lease still holds: nobody sends twice yet
        soon.close()
        later = Runner(settings, clock=lambda: expiry + timedelta(seconds=1))
        assert later.deliver().sent == 3  # lease over: the one in flight again, the other two once
        assert later.deliver().sent == 0
        later.close()
    titles = sorted(m["title"] for m in hook.messages)
    assert len(titles) == 4
    assert len(set(titles)) == 3 and all(f"Tomahawk-Lieferung {n}" in " ".join(titles) for n in range(3))
    assert collect(settings)["outbox"] == {"pending": 0, "sent": 3, "dead": 0}
