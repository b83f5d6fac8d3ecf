"""``newsmon status``: per feed last success, last error, next poll, articles; outbox; both forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.cli.statusview import relative
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer


def test_status_shows_each_feeds_health_and_the_outbox(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        good = server.serve("/good.xml", rss([Item("Tomahawk für Kiew?", "https://example.org/t.html", guid="t-1234")]))
        broken = server.serve("/broken.xml", b"kaputt", status=500)
        config = write_config(tmp_path, {"gut": good, "kaputt": broken}, {"hook": hook.url})
        runner = Runner(load(config), clock=Clock(datetime.now(UTC)))
        runner.cycle()
        runner.close()
    cli = CliRunner()
    report = json.loads(cli.invoke(main, ["status", "--json", "--config", str(config)]).output)
    assert {"articles", "stories", "feeds", "outbox"} <= report.keys()
    assert report["outbox"] == {"pending": 0, "sent": 1, "dead": 0}
    feeds = {feed["name"]: feed for feed in report["feeds"]}
    assert feeds["gut"]["articles"] == 1 and feeds["gut"]["last_ok"] and feeds["gut"]["last_error"] is None
    assert "500" in feeds["kaputt"]["last_error"] and feeds["kaputt"]["failures"] == 1
    assert feeds["kaputt"]["next_poll"] > feeds["gut"]["next_poll"]  # a failing feed backs off
    assert report["maintenance"]["retention"]["detail"].startswith("0 bodies dropped, 0 feature rows slimmed")

    shown = cli.invoke(main, ["status", "--config", str(config)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    cells = {row[0]: row[1:] for row in ([c.strip() for c in line.split("│")[1:-1]] for line in lines)
             if row and row[0] in ("gut", "kaputt")}
    assert cells["gut"][0] == "1" and cells["gut"][2].startswith("in ")
    assert cells["gut"][1] == "now" or cells["gut"][1].endswith("s ago")
    assert cells["gut"][3] == ""
    assert cells["kaputt"][1] == "-" and cells["kaputt"][2].startswith("in ")
    assert "500" in cells["kaputt"][3] and "1× in a row" in cells["kaputt"][3]
    assert "outbox: 0 pending, 1 sent, 0 dead" in shown.output
    assert "retention: " in shown.output


def test_relative_times_read_like_a_person_would_say_them() -> None:
    now = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)
    assert relative(None, now) == "-"
    assert relative((now - timedelta(seconds=42)).isoformat(), now) == "42s ago"
    assert relative((now + timedelta(minutes=4, seconds=59)).isoformat(), now) == "in 4m"
    assert relative((now - timedelta(hours=26)).isoformat(), now) == "1d ago"
    assert relative(now.isoformat(), now) == "now"
