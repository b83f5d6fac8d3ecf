"""The commands as a user runs them: run --once, status --json, match, db upgrade, alerts test, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

ITEMS = [Item("Lawrow trifft Rubio in Budapest", "https://example.org/a.html", guid="a-2025-1"),
         Item("Wetter: Sonne in Hamburg", "https://example.org/b.html", guid="b-2025-1")]


def test_run_once_then_status_json_counts_articles_and_outbox(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        config = write_config(tmp_path, {"Testfeed": server.serve("/f.xml", rss(ITEMS))}, {"hook": hook.url})
        cli = CliRunner()
        ran = cli.invoke(main, ["run", "--once", "--config", str(config)])
        assert ran.exit_code == 0, ran.output
        assert "2 new articles" in ran.output and "1 sent" in ran.output
        status = cli.invoke(main, ["status", "--json", "--config", str(config)])
    assert status.exit_code == 0, status.output
    report = json.loads(status.output)
    assert report["articles"] == 2
    assert report["outbox"] == {"pending": 0, "sent": 1, "dead": 0}
    (feed,) = report["feeds"]
    assert {"name", "url", "last_ok", "last_error", "next_poll"} <= feed.keys()
    assert feed["name"] == "Testfeed" and feed["last_error"] is None
    assert len(hook.messages) == 1


def test_match_json_has_the_fixed_shape(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(ITEMS))
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    result = CliRunner().invoke(main, ["match", "--watchlists", str(tmp_path / "watchlists"), "--json", str(feed)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["watchlist"] for line in lines] == ["ukraine"]
    (line,) = lines
    assert set(line) == {"watchlist", "title", "link", "guid", "published", "score", "story", "hits"}
    hit = line["hits"][0]
    assert set(hit) == {"term", "field", "start", "end", "text"}
    assert line["title"][hit["start"]:hit["end"]] == hit["text"] if hit["field"] == "title" else True
    assert config.exists()


def test_alerts_test_sends_to_the_target_and_fails_with_exit_1_when_down(tmp_path: Path) -> None:
    with Webhook() as hook, Webhook(always_fail=True) as down:
        config = write_config(tmp_path, {}, {"hook": hook.url, "down": down.url})
        ok = CliRunner().invoke(main, ["alerts", "test", "hook", "--config", str(config)])
        failed = CliRunner().invoke(main, ["alerts", "test", "down", "--config", str(config)])
        unknown = CliRunner().invoke(main, ["alerts", "test", "nirgends", "--config", str(config)])
    assert ok.exit_code == 0 and len(hook.messages) == 1
    assert "Testnachricht" in hook.messages[0]["title"]
    assert failed.exit_code == 1 and "error" in failed.output
    assert unknown.exit_code == 2


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    result = CliRunner().invoke(main, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "newsmon.db").exists()
    status = CliRunner().invoke(main, ["status", "--json", "--config", str(config)])
    assert json.loads(status.output)["articles"] == 0


def test_demo_runs_offline_as_an_installed_command(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "monitor", "demo", "--keep", str(tmp_path / "demo")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Tomahawk" in result.stdout and "Budapest-Gipfel" in result.stdout
    assert "Cycle 2 (same feed again): 0 new articles, 0 alerts" in result.stdout
    assert "Skatabend" not in result.stdout.split("Cycle 2")[0].split("delivered.")[1]
