"""What a command loads before it does its work: a user pays every import on every run (timers,
trying a watchlist), so the commands that run often must not load what they do not use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.store import migrate, schemaversion
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str, cwd: Path = ROOT) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\nMODULES', ' '.join(k for k, v in sys.modules.items() if v is not None))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(done.stdout.rsplit("\nMODULES ", 1)[1].split())


def _cli(*args: str) -> str:
    return ("from monitor.cli import main\n"
            "try:\n"
            f"    main({list(args)!r})\n"
            "except SystemExit as done:\n"
            "    assert done.code in (0, None), done.code\n")


def test_the_head_read_without_alembic_is_alembics(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert schemaversion.head_revision() == migrate.head_of_scripts(engine)


def test_behind_names_the_revision_a_database_is_at(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    head = schemaversion.head_revision()
    assert schemaversion.behind(engine) == f"at empty, head is {head}"
    migrate.upgrade_to_head(engine)
    assert schemaversion.behind(engine) is None
    assert migrate.current_of(engine) == head
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert schemaversion.behind(engine) == f"at 0001, head is {head}"


def test_a_database_behind_is_refused_by_readers_with_the_command_to_run(tmp_path: Path) -> None:
    from monitor.errors import StoreError
    from monitor.store.db import open_database

    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_database(url, upgrade=True).dispose()
    with create_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    with pytest.raises(StoreError, match=r"at 0009, head is .*run `newsmon db upgrade`"):
        open_database(url)


def test_run_once_and_status_load_neither_alembic_nor_what_nothing_due_needs(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([Item("Lawrow in Budapest", "http://127.0.0.1/a")]))
        config = write_config(tmp_path, {"Testfeed": feed}, {"hook": hook.url})
        first = _modules_after(_cli("run", "--once", "--config", str(config)))  # creates and migrates the database
        assert "alembic" in first
        again = _modules_after(_cli("run", "--once", "--config", str(config)))
    status = _modules_after(_cli("status", "--config", str(config)))
    assert "monitor.daemon.scheduler" in again and "monitor.reports.status" in status
    for loaded in (again, status):
        assert not loaded & {"alembic", "pygments", "httpx._main"}, loaded & {"alembic", "pygments", "httpx._main"}
    # the first run fetched, parsed and sent an alert; the second had nothing due: no HTTP client,
    # no feed parser, no template engine
    polling = {"httpx", "monitor.feeds.fetcher", "monitor.feeds.parse.reader", "feedparser", "jinja2"}
    assert polling <= first
    assert not again & polling, again & polling


def test_match_on_a_local_file_loads_no_http_client(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss([Item("Lawrow trifft Rubio in Budapest", "http://127.0.0.1/a")]))
    loaded = _modules_after(_cli("match", "--watchlists", str(ROOT / "config" / "watchlists"), str(feed)))
    assert "monitor.reports.offline" in loaded
    assert not loaded & {"httpx", "httpcore", "monitor.feeds.fetcher", "alembic", "apprise"}


def test_the_lexicon_is_built_in_a_child_so_the_process_does_not_keep_the_dictionary(tmp_path: Path) -> None:
    """The dictionary simplemma loads is hundreds of MB that CPython keeps once touched; the process
    that needs the tries first (a daemon's first start) maps the child's files instead."""
    code = ("from pathlib import Path\n"
            "from monitor.text import lexicon\n"
            f"lexicon.configure_lexicon([Path({str(tmp_path)!r})])\n"
            "assert 'Gipfeln' in lexicon.lexicon().forms('Gipfel')\n")
    loaded = _modules_after(code)
    assert "marisa_trie" in loaded and "simplemma" not in loaded
    from monitor.text.lexicon import artifact_name

    assert (tmp_path / artifact_name() / "forms.marisa").is_file()


def test_a_long_running_process_migrates_apart_and_keeps_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code = ("from monitor.store.db import open_database, upgrade_apart\n"
            f"upgrade_apart({url!r})\n"
            f"open_database({url!r}).dispose()\n")  # refuses a schema that is not current
    assert "alembic" not in _modules_after(code)
    assert schemaversion.behind(create_engine(url)) is None


def test_every_command_is_listed_with_the_module_that_defines_it() -> None:
    """The CLI imports a command's module only when that command runs, by this map."""
    import importlib
    import pkgutil

    import monitor.cli as cli

    defined = {}
    for info in pkgutil.iter_modules(cli.__path__):
        for command in getattr(importlib.import_module(f"monitor.cli.{info.name}"), "COMMANDS", ()):
            defined[command.name] = info.name
    assert defined == cli.COMMAND_MODULES


def test_a_command_loads_no_other_commands_module(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss([Item("Lawrow trifft Rubio in Budapest", "http://127.0.0.1/a")]))
    loaded = _modules_after(_cli("match", "--watchlists", str(ROOT / "config" / "watchlists"), str(feed)))
    assert "monitor.cli.inspect" in loaded
    assert not loaded & {"monitor.cli.search", "monitor.cli.feeds", "monitor.cli.web", "monitor.cli.run"}


def test_numpy_starts_no_blas_threads_unless_the_user_asks() -> None:
    code = ("import os, monitor.dedup.storyindex\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert done.stdout.split() == ["1", "1"]  # the main thread alone
    asked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                           env={**env, "OPENBLAS_NUM_THREADS": "2"}, check=True)
    assert asked.stdout.split()[0] == "2"
