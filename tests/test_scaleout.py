"""Several daemons on one PostgreSQL: real ``newsmon run`` processes, one killed -9 mid-run.

Three daemons poll 200 local feeds every few seconds. Every article sits in two feeds, so the
daemons fetch overlapping content. One daemon is killed -9 while it holds feed leases, then every
feed publishes a new item. Afterwards: every article is stored once and alerted exactly once, and
no feed was fetched in full twice for the same content (the server counts 200s per ETag) except
the feeds the dead daemon had leased and not finished.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import ProgrammingError

from monitor.store.tables import Alert, Article, ArticleSource, Feed
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer, Handler
from tests.test_daemon import NotifySocket

FEEDS = 200
WATCHLIST = {"watchlists": [{"name": "ukraine", "query": "Tomahawk*", "notify": ["hook"]}]}
HOST = os.uname().nodename


class Versions:
    """Feed bodies with an ETag each; counts full (200) answers per path and ETag."""

    def __init__(self) -> None:
        self.current: dict[str, tuple[str, bytes]] = {}
        self.full: Counter[tuple[str, str]] = Counter()
        self.not_modified = 0
        self.lock = threading.Lock()

    def publish(self, path: str, etag: str, items: list[Item]) -> None:
        self.current[path] = (etag, rss(items))

    def handler(self, path: str) -> Handler:
        def run(request: Any, _server: FeedServer) -> None:
            etag, body = self.current[path]
            if request.headers.get("If-None-Match") == etag:
                with self.lock:
                    self.not_modified += 1
                request.answer(304, b"", {"ETag": etag})
                return
            with self.lock:
                self.full[(path, etag)] += 1
            request.answer(200, body, {"ETag": etag})
        return run


def _item(n: int) -> Item:
    return Item(f"Tomahawk-Meldung Nummer {n}", f"https://example.org/meldung/{n}.html", guid=f"meldung-{n}")


def _config(folder: Path, feeds: list[dict[str, str]], hook: Webhook, **extra: object) -> Path:
    path = write_config(folder, {}, {"hook": hook.url}, WATCHLIST, **extra)
    config = yaml.safe_load(path.read_text("utf-8"))
    path.write_text(yaml.safe_dump({**config, "feeds": feeds}), "utf-8")
    return path


def _wait(what: str, done: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not _safely(done):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _safely(done: Callable[[], bool]) -> bool:
    try:
        return done()
    except ProgrammingError:  # the daemons have not created the tables yet
        return False


@contextmanager
def _daemons(config: Path, count: int, logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = []
    for index in range(count):
        log = (logs / f"daemon-{index}.log").open("wb")
        procs.append(subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                                      stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1]))
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _scalar(engine: Engine, query: Any) -> Any:
    with engine.connect() as conn:
        return conn.scalar(query)


def _leases(engine: Engine, table: Any, owner: str) -> int:
    return int(_scalar(engine, select(func.count()).select_from(table).where(table.lease_owner == owner)) or 0)


def test_three_daemons_one_killed_every_article_alerted_once_and_fetched_in_full_once(
        pg_schema_url: str, tmp_path: Path) -> None:
    versions = Versions()
    engine = create_engine(pg_schema_url)
    with FeedServer() as server, Webhook() as hook:
        feeds = []
        for f in range(FEEDS):  # feeds 2n and 2n+1 carry article n: every article is in two feeds
            path = f"/feed-{f}.xml"
            versions.publish(path, f'"{f}-v1"', [_item(f // 2)])
            feeds.append({"name": f"Feed {f}", "url": server.handle(path, versions.handler(path)), "interval": "3s"})
        config = _config(tmp_path, feeds, hook, database=pg_schema_url, lease="4s")
        with _daemons(config, 3, tmp_path) as procs:
            victim = procs[0]
            owner = f"{HOST}:{victim.pid}"
            _wait("the first daemon to hold feed leases mid-run",
                  lambda: _leases(engine, Feed, owner) > 0 and _leases(engine, Alert, owner) == 0
                  and bool(_scalar(engine, select(func.count()).select_from(Article))))
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            with engine.connect() as conn:
                unfinished = {f"/feed-{row.name.split()[-1]}.xml" for row in
                              conn.execute(select(Feed.name).where(Feed.lease_owner == owner))}
            for f in range(FEEDS):  # new items after the kill, paired across the old pairs (2n-1, 2n)
                versions.publish(f"/feed-{f}.xml", f'"{f}-v2"', [_item(FEEDS // 2 + (f + 1) % FEEDS // 2),
                                                                 _item(f // 2)])
            total = FEEDS
            _wait("every alert sent", lambda: len(hook.messages) >= total and _scalar(
                engine, select(func.count()).select_from(Alert).where(Alert.state != "sent")) == 0)
            # An article's alert goes out with its first source; the second feed may be one the killed
            # daemon held, polled once its lease has expired: wait for both sources of every article.
            _wait("both feeds of every article polled", lambda: _scalar(
                engine, select(func.count()).select_from(ArticleSource)) >= 2 * total)
            for proc in procs[1:]:
                proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(timeout=30) for proc in procs[1:]]
        with engine.connect() as conn:
            articles = conn.scalar(select(func.count()).select_from(Article))
            sources = Counter(conn.scalars(select(ArticleSource.article_id)))
    engine.dispose()

    assert codes == [0, 0]
    titles = Counter(m["title"] for m in hook.messages)
    assert titles == Counter({f"[ukraine] {_item(n).title}": 1 for n in range(total)})
    assert articles == total and set(sources.values()) == {2}
    assert unfinished, "the victim held leases when it was killed"
    again = {key: n for key, n in versions.full.items() if n > 1}
    assert set(path for path, _etag in again) <= unfinished and max(again.values(), default=2) <= 2
    assert {path for path, etag in versions.full if etag.endswith('-v2"')} == set(versions.current)
    assert versions.not_modified > 0  # polls between new items were conditional: 304, no body
    polled = [(tmp_path / f"daemon-{i}.log").read_text() for i in (1, 2)]
    assert all("polled" in text for text in polled), "both surviving daemons took a share of the work"


def test_workers_setting_runs_that_many_processes_and_restarts_one_that_dies(
        pg_schema_url: str, tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook, NotifySocket() as systemd:
        feeds = [{"name": f"Feed {f}", "url": server.serve(f"/f{f}.xml", rss([_item(f)]), etag='"1"'),
                  "interval": "2s"} for f in range(5)]
        config = _config(tmp_path, feeds, hook, database=pg_schema_url, workers=2, lease="4s")
        log = tmp_path / "supervisor.log"
        with log.open("wb") as out:
            env = {**os.environ, "NOTIFY_SOCKET": systemd.name, "WATCHDOG_USEC": "1000000"}
            supervisor = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                                          stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1], env=env)
        try:
            _wait("two workers", lambda: log.read_text().count("started (pid") >= 2)
            pids = [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", log.read_text())]
            _wait("every alert", lambda: len(hook.messages) >= 5)
            os.kill(pids[0], signal.SIGKILL)
            _wait("the dead worker started again", lambda: log.read_text().count("started (pid") >= 3)
            supervisor.send_signal(signal.SIGTERM)
            code = supervisor.wait(timeout=30)
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
    text = log.read_text()
    assert code == 0 and "all workers stopped" in text
    assert len(set(pids)) == 2 and "exited with -9" in text
    # systemd hears the supervisor (the unit's main process) only: one READY, watchdog pings, STOPPING
    assert (systemd.count("READY=1"), systemd.count("STOPPING=1")) == (1, 1) and systemd.count("WATCHDOG=1") >= 2
    assert sorted(m["title"] for m in hook.messages) == sorted(f"[ukraine] {_item(f).title}" for f in range(5))
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
