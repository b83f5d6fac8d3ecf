"""The daemon as systemd runs it: a real ``newsmon run`` subprocess, feeds on 127.0.0.1 polled every
second, a webhook, and a notify socket standing in for systemd. Waits are bounded polls for an
observable outcome, never fixed sleeps."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
import yaml

from monitor.daemon.sdnotify import SystemdNotifier, Watchdog
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import WATCHLISTS, Clock, Item, rss, write_config
from tests.receivers import Webhook, free_port
from tests.servers import FeedServer, trickle

ROOT = Path(__file__).resolve().parents[1]
WETTER = Item("Wetter: Sonne in Hamburg", "https://example.org/wetter.html", guid="wetter-2025-10-21")
ZEITENWENDE = Item("Scholz spricht erneut von der Zeitenwende", "https://example.org/zeitenwende.html",
                   guid="zeitenwende-2025-10-21")


class NotifySocket:
    """A datagram socket in the abstract namespace collecting what the daemon tells "systemd"."""

    def __init__(self) -> None:
        self.name = f"@newsmon-test-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])
        self.sock.settimeout(0.1)
        self.messages: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        while not self._done.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue

    def count(self, line: str) -> int:
        return sum(line in message.splitlines() for message in list(self.messages))

    def __enter__(self) -> NotifySocket:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.sock.close()


class Process:
    """``newsmon run`` as a subprocess; stderr lines collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "monitor", *args], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        assert self.proc.stderr is not None
        threading.Thread(target=self._read, args=(self.proc.stderr,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def logged(self, *words: str) -> list[str]:
        return [line for line in list(self.lines) if all(word in line for word in words)]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _scrape(listen: str) -> str:
    return httpx.get(f"http://{listen}/metrics", timeout=5).text


def wait_for(what: Callable[[], object], timeout: float = 60.0, *, proc: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if proc is not None and proc.proc.poll() is not None:
            pytest.fail(f"daemon exited with {proc.proc.returncode}:\n" + "\n".join(proc.lines[-30:]))
        if time.monotonic() > deadline:
            log = "\n".join(proc.lines[-30:]) if proc else ""
            pytest.fail(f"gave up after {timeout}s waiting for {what}\n{log}")
        time.sleep(0.05)


@pytest.fixture
def daemon_env() -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC")}
    yield env


def _one_second_feeds(config: Path) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    for feed in data["feeds"]:
        feed["interval"] = "1s"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def test_sighup_refuses_a_broken_watchlist_then_takes_a_fixed_one_and_sigterm_exits_0(
        tmp_path: Path, daemon_env: dict[str, str]) -> None:
    with FeedServer() as server, Webhook() as hook, NotifySocket() as systemd:
        url = server.serve("/feed.xml", rss([WETTER]))
        metrics = f"127.0.0.1:{free_port()}"
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url}, metrics={"listen": metrics})
        _one_second_feeds(config)
        env = {**daemon_env, "NOTIFY_SOCKET": systemd.name, "WATCHDOG_USEC": "1000000"}
        daemon = Process(["run", "--config", str(config)], env)
        try:
            wait_for(lambda: systemd.count("READY=1") == 1, proc=daemon)
            wait_for(lambda: server.hits["/feed.xml"] >= 2, proc=daemon)
            wait_for(lambda: systemd.count("WATCHDOG=1") >= 2, proc=daemon)

            watchlist_file = tmp_path / "watchlists" / "test.yaml"
            broken = {**WATCHLISTS, "watchlists": [*WATCHLISTS["watchlists"],  # type: ignore[misc]
                                                   {"name": "neu", "query": "(Zeitenwende", "notify": ["hook"]}]}
            watchlist_file.write_text(yaml.safe_dump(broken), "utf-8")
            daemon.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: daemon.logged("level=error", "reload refused", str(watchlist_file)), proc=daemon)
            wait_for(lambda: systemd.count("READY=1") == 2, proc=daemon)  # back to running after RELOADING=1
            assert systemd.count("RELOADING=1") == 1
            polls = server.hits["/feed.xml"]
            wait_for(lambda: server.hits["/feed.xml"] > polls, proc=daemon)  # still polling

            fixed = {**broken, "watchlists": [*WATCHLISTS["watchlists"],  # type: ignore[misc]
                                              {"name": "neu", "query": "Zeitenwende", "notify": ["hook"]}]}
            watchlist_file.write_text(yaml.safe_dump(fixed), "utf-8")
            daemon.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: daemon.logged("msg=\"reloaded: 1 feeds, 3 watchlists\""), proc=daemon)

            server.serve("/feed.xml", rss([WETTER, ZEITENWENDE]))
            wait_for(lambda: hook.messages, proc=daemon)
            assert [m["title"] for m in hook.messages] == ["[neu] Scholz spricht erneut von der Zeitenwende"]
            wait_for(lambda: 'newsmon_alerts{state="sent"} 1.0' in _scrape(metrics), proc=daemon)
            scraped = _scrape(metrics)
            assert 'newsmon_config_reloads_total{result="refused"} 1.0' in scraped
            assert 'newsmon_config_reloads_total{result="ok"} 1.0' in scraped
            assert 'newsmon_new_articles_total{feed="Testfeed"} 2.0' in scraped
            assert 'newsmon_matches{watchlist="neu"} 1.0' in scraped
            assert 'newsmon_polls_total{feed="Testfeed",outcome="ok"}' in scraped
            assert "newsmon_poll_duration_seconds_count" in scraped

            daemon.proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert daemon.proc.wait(timeout=15) == 0
            assert time.monotonic() - started < 15
            assert systemd.count("STOPPING=1") == 1
            assert not daemon.logged("level=error", "Traceback")
        finally:
            daemon.close()


def test_watchdog_pings_while_jobs_progress_and_stops_when_one_hangs() -> None:
    clock = Clock()
    with NotifySocket() as systemd:
        watchdog = Watchdog(SystemdNotifier({"NOTIFY_SOCKET": systemd.name, "WATCHDOG_USEC": "60000000"}), clock)
        assert watchdog.interval == 30.0
        watchdog.begin("feed:a", limit=100)
        clock.advance(seconds=99)
        assert watchdog.beat()
        clock.advance(seconds=2)
        assert watchdog.hung() == ["feed:a"]
        assert not watchdog.beat()
        watchdog.end("feed:a")
        assert watchdog.beat()
        wait_for(lambda: systemd.count("WATCHDOG=1") == 2)  # the two beats that pinged, and only those


def test_without_systemd_nothing_is_sent_and_the_watchdog_is_off() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled and not notifier.notify("READY=1")
    assert Watchdog(notifier).interval is None
    elsewhere = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"}
    assert SystemdNotifier(elsewhere).watchdog_seconds is None
    assert SystemdNotifier({"WATCHDOG_USEC": "5000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_seconds == 5.0


def test_run_once_finishes_the_current_step_on_sigterm_and_leaves_the_rest_in_the_outbox(
        tmp_path: Path, daemon_env: dict[str, str]) -> None:
    with FeedServer() as server, Webhook() as hook:
        good = server.serve("/good.xml", rss([ZEITENWENDE, Item("Trump in Budapest", "https://example.org/tr.html")]))
        slow = server.handle("/slow.xml", trickle(every=0.5))
        config = write_config(tmp_path, {"gut": good, "langsam": slow}, {"hook": hook.url}, http={"timeout": "2s"})
        once = Process(["run", "--once", "--config", str(config)], daemon_env)
        try:
            wait_for(lambda: server.hits["/slow.xml"] and server.hits["/good.xml"], proc=once)
            once.proc.send_signal(signal.SIGTERM)
            assert once.proc.wait(timeout=30) == 0
        finally:
            once.close()
        assert hook.messages == []
    assert once.logged("SIGTERM received: stopping after the current step")
    report = collect(load(config))
    assert report["articles"] == 2 and report["outbox"]["pending"] == 1


def test_a_second_sigterm_exits_at_once_while_a_poll_is_still_running(
        tmp_path: Path, daemon_env: dict[str, str]) -> None:
    with FeedServer() as server, Webhook() as hook, NotifySocket() as systemd:
        slow = server.handle("/slow.xml", trickle(every=0.5))
        config = write_config(tmp_path, {"langsam": slow}, {"hook": hook.url}, http={"timeout": "60s"})
        daemon = Process(["run", "--config", str(config)], {**daemon_env, "NOTIFY_SOCKET": systemd.name})
        try:
            wait_for(lambda: systemd.count("READY=1") and server.hits["/slow.xml"], proc=daemon)
            daemon.proc.send_signal(signal.SIGTERM)
            wait_for(lambda: daemon.logged("stopping: finishing the current step"), proc=daemon)
            assert daemon.proc.poll() is None  # the poll in flight has up to 60s to finish
            daemon.proc.send_signal(signal.SIGTERM)
            assert daemon.proc.wait(timeout=10) == 1
            assert daemon.logged("second signal: exiting at once")
        finally:
            daemon.close()


def _pg_schema() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    base = os.environ.get("NEWSMON_TEST_PG_URL")
    if not base:
        pytest.skip("NEWSMON_TEST_PG_URL is not set (several workers need PostgreSQL)")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as err:  # any driver error means: not reachable here
        pytest.skip(f"PostgreSQL at {base} is not reachable: {err.__class__.__name__}")
    yield f"{base}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


pg_url = pytest.fixture(_pg_schema)


def test_with_several_workers_the_supervisor_alone_speaks_to_systemd(
        tmp_path: Path, daemon_env: dict[str, str], pg_url: str) -> None:
    with FeedServer() as server, Webhook() as hook, NotifySocket() as systemd:
        url = server.serve("/feed.xml", rss([ZEITENWENDE, Item("Trump in Budapest", "https://example.org/tr.html")]))
        metrics = f"127.0.0.1:{free_port()}"
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url}, database=pg_url, workers=2,
                              metrics={"listen": metrics})
        env = {**daemon_env, "NOTIFY_SOCKET": systemd.name, "WATCHDOG_USEC": "1000000"}
        supervisor = Process(["run", "--config", str(config)], env)
        try:
            wait_for(lambda: systemd.count("READY=1"), proc=supervisor)
            wait_for(lambda: hook.messages, proc=supervisor)  # the workers do the work
            wait_for(lambda: systemd.count("WATCHDOG=1") >= 2, proc=supervisor)
            # the supervisor serves the stored state; the workers leave the port alone (no crash loop)
            wait_for(lambda: 'newsmon_alerts{state="sent"} 1.0' in _scrape(metrics), proc=supervisor)
            assert "newsmon_polls_total" not in _scrape(metrics)
            assert not supervisor.logged("exited with")
            supervisor.proc.send_signal(signal.SIGTERM)
            assert supervisor.proc.wait(timeout=30) == 0
        finally:
            supervisor.close()
    assert systemd.count("READY=1") == 1  # the workers' own READY=1 would make three
    assert systemd.count("STOPPING=1") == 1
    assert [m["title"] for m in hook.messages] == ["[trump] Trump in Budapest"]
