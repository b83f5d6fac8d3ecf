"""Benchmark: how long the feeds of a daemon killed -9 wait before another daemon polls them.

Run by hand (not in CI)::

    NEWSMON_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/bench_failover.py [--daemons 3] [--feeds 200] [--interval 2s] [--repeat 3] [--lease 6s]

``--daemons`` real ``newsmon run`` processes share one PostgreSQL schema and ``--feeds`` feeds
served on 127.0.0.1 (each answers after ``--delay``, 0.05 s, so a batch holds its leases for a
moment), each polled every ``--interval``. Once every feed has been polled and the victim holds
leases, it is killed -9. Measured, from the kill: when the last of its leases runs out (*lease
left*), when every feed it held has been claimed by a survivor, and when every one has been polled
by a survivor (*takeover*; the survivors fetch at most two feeds of one host at a time, and every
feed here is on 127.0.0.1, so polling 20 slow feeds adds seconds of its own). Without
``--lease`` the daemons run with the default lease. Each run uses a fresh schema.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from monitor.store.tables import Feed  # noqa: E402
from tests.harness import Item, rss  # noqa: E402
from tests.servers import FeedServer, Handler  # noqa: E402

HOST = os.uname().nodename


def _feed(f: int, delay: float) -> Handler:
    body = rss([Item(f"Meldung {f}", f"https://example.org/{f}.html", guid=f"meldung-{f:05d}")])

    def run(request: Any, server: FeedServer) -> None:
        server.stopping.wait(delay)
        request.answer(200, body)
    return run


def _schema(base: str) -> tuple[str, str]:
    schema = f"b_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"


def _drop(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": schema})
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _wait(done: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if done():
                return
        except Exception:  # the tables do not exist yet
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def one_run(base: str, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    schema, url = _schema(base)
    engine = create_engine(url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with FeedServer() as server:
            feeds = [{"name": f"Feed {f}", "url": server.handle(f"/f{f}.xml", _feed(f, args.delay)),
                      "interval": args.interval} for f in range(args.feeds)]
            (folder / "watchlists").mkdir(exist_ok=True)
            (folder / "watchlists" / "w.yaml").write_text(yaml.safe_dump({"watchlists": []}), "utf-8")
            config: dict[str, Any] = {"database": url, "feeds": feeds, "targets": {}}
            if args.lease:
                config["lease"] = args.lease
            path = folder / "monitor.yaml"
            path.write_text(yaml.safe_dump(config), "utf-8")
            for index in range(args.daemons):
                log = (folder / f"daemon-{index}.log").open("wb")
                procs.append(subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(path), "run"],
                                              stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
            victim = procs[0]
            owner = f"{HOST}:{victim.pid}"

            def count(*where: Any) -> int:
                with engine.connect() as conn:
                    return int(conn.scalar(select(func.count()).select_from(Feed).where(*where)) or 0)

            _wait(lambda: count(Feed.last_ok.is_not(None)) == args.feeds, 180, "every feed polled once")
            _wait(lambda: count(Feed.lease_owner == owner) > 0, 60, "the victim to hold leases")
            victim.send_signal(signal.SIGKILL)
            killed = datetime.now(UTC)
            started = time.monotonic()
            victim.wait()
            with engine.connect() as conn:
                held = list(conn.execute(select(Feed.name, Feed.lease_until).where(Feed.lease_owner == owner)))
            if not held:
                return {}  # it gave its batch back between the look and the kill: not a measurement
            names = [name for name, _ in held]
            left = max((until - killed).total_seconds() for _, until in held)
            _wait(lambda: count(Feed.name.in_(names), (Feed.last_ok > killed) | (
                Feed.lease_owner.is_not(None) & (Feed.lease_owner != owner))) == len(names), 300, "the claims")
            claimed = time.monotonic() - started
            _wait(lambda: count(Feed.name.in_(names), Feed.last_ok > killed) == len(names), 300, "the polls")
            return {"held": len(names), "lease_left": left, "claimed": claimed, "takeover": time.monotonic() - started}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        engine.dispose()
        _drop(base, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--daemons", type=int, default=3)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--interval", default="2s")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds each feed takes to answer")
    parser.add_argument("--lease", default=None, help="lease for the daemons (default: newsmon's default)")
    args = parser.parse_args()
    base = os.environ.get("NEWSMON_TEST_PG_URL")
    if not base:
        raise SystemExit("set NEWSMON_TEST_PG_URL to a PostgreSQL database")
    runs: list[dict[str, float]] = []
    while len(runs) < args.repeat:
        with tempfile.TemporaryDirectory(prefix="newsmon-failover-") as tmp:
            result = one_run(base, args, Path(tmp))
        if not result:
            continue
        runs.append(result)
        print(f"run {len(runs)}: victim held {result['held']:.0f} feeds; its last lease ran out "
              f"{result['lease_left']:.1f}s after the kill; all of them claimed by survivors after "
              f"{result['claimed']:.1f}s and polled after {result['takeover']:.1f}s", flush=True)
    for key, what in (("claimed", "claimed by a survivor"), ("takeover", "polled by a survivor")):
        values = [r[key] for r in runs]
        print(f"after a kill -9, every feed of the victim {what}: median {statistics.median(values):.1f}s, "
              f"max {max(values):.1f}s ({args.daemons} daemons, {args.feeds} feeds every {args.interval}, "
              f"lease {args.lease or 'default'}, {len(runs)} runs)")


if __name__ == "__main__":
    main()
