"""Failover between daemons sharing PostgreSQL: short leases, kept alive by a heartbeat.

A daemon killed -9 kept its feeds and messages until its lease (two minutes by default) ran out.
Now leases are seconds long and a living daemon renews all of its leases well inside them: a
killed daemon's leases run out within ``lease`` of its last heartbeat and the others take over,
while a living daemon on a slow fetch keeps its feed (nobody fetches it a second time).
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from monitor.store.tables import Article, Feed, Message
from tests.harness import Item, rss
from tests.receivers import Webhook
from tests.servers import FeedServer, Handler
from tests.test_scaleout import HOST, _config, _daemons, _item, _leases, _scalar, _wait

TAKEOVER_BOUND = timedelta(seconds=10)


def _counting(body: bytes, seconds: float, hits: list[float], lock: threading.Lock) -> Handler:
    def run(request: Any, server: FeedServer) -> None:
        with lock:
            hits.append(datetime.now(UTC).timestamp())
        server.stopping.wait(seconds)
        request.answer(200, body)
    return run


def test_a_living_daemon_keeps_a_slow_feed_past_its_lease_and_nobody_fetches_it_twice(
        pg_schema_url: str, tmp_path: Path) -> None:
    hits: list[float] = []
    lock = threading.Lock()
    engine = create_engine(pg_schema_url)
    with FeedServer() as server, Webhook() as hook:
        slow = server.handle("/slow.xml", _counting(rss([_item(1)]), 6.0, hits, lock))  # 3 leases long
        config = _config(tmp_path, [{"name": "langsam", "url": slow, "interval": "1h"}], hook,
                         database=pg_schema_url, lease="2s")
        with _daemons(config, 2, tmp_path) as procs:
            _wait("the slow feed's article alerted", lambda: len(hook.messages) == 1)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(timeout=30) for proc in procs]
        stored = _scalar(engine, select(func.count()).select_from(Article))
    engine.dispose()
    assert codes == [0, 0] and stored == 1
    assert len(hits) == 1, "the other daemon took the feed over from a living one and fetched it again"


def test_a_killed_daemons_feeds_and_messages_are_taken_over_within_seconds(pg_schema_url: str,
                                                                             tmp_path: Path) -> None:
    engine = create_engine(pg_schema_url)
    with FeedServer() as server, Webhook() as hook:
        feeds = [{"name": f"Feed {f}", "url": server.handle(f"/feed-{f}.xml", _slow_feed(f)), "interval": "2s"}
                 for f in range(40)]
        config = _config(tmp_path, feeds, hook, database=pg_schema_url)  # the default lease
        with _daemons(config, 3, tmp_path) as procs:
            victim = procs[0]
            owner = f"{HOST}:{victim.pid}"
            _wait("the victim to hold feed leases mid-poll", lambda: _leases(engine, Feed, owner) > 0)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            killed = datetime.now(UTC)
            with engine.connect() as conn:
                held = list(conn.execute(select(Feed.name, Feed.lease_until).where(Feed.lease_owner == owner)))
                messages = list(conn.scalars(select(Message.lease_until).where(Message.lease_owner == owner)))
            assert held, "the victim held leases when it was killed"
            latest = max([until for _name, until in held] + messages).replace(tzinfo=UTC)
            assert latest - killed <= TAKEOVER_BOUND  # was two minutes
            names = [name for name, _until in held]
            _wait("another daemon to poll every feed the victim held", lambda: _scalar(
                engine, select(func.count()).select_from(Feed).where(
                    Feed.name.in_(names), Feed.last_ok > killed,
                    (Feed.lease_owner.is_(None)) | (Feed.lease_owner != owner))) == len(names), timeout=60)
            for proc in procs[1:]:
                proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(timeout=30) for proc in procs[1:]]
    engine.dispose()
    assert codes == [0, 0]


def _slow_feed(f: int) -> Handler:
    body = rss([Item(f"Tomahawk-Meldung {f}", f"https://example.org/{f}.html", guid=f"meldung-{f:04d}")])

    def run(request: Any, server: FeedServer) -> None:
        server.stopping.wait(0.3)  # polls overlap, so a daemon holds leases most of the time
        request.answer(200, body)
    return run
