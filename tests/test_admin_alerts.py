"""Admin alerts: a feed that keeps failing or falls silent is reported once, and once when it recovers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

ADMIN = {"target": "ops", "failures": 3, "silence_factor": 4, "min_silence": "1h"}


def _runner(folder: Path, feeds: dict[str, str], hook: Webhook, ops: Webhook, clock: Clock) -> Runner:
    config = write_config(folder, feeds, {"hook": hook.url, "ops": ops.url}, admin=ADMIN)
    return Runner(load(config), clock=clock)


def _titles(messages: list[dict[str, Any]]) -> list[str]:
    return [m["title"] for m in messages]


def test_a_feed_failing_n_times_in_a_row_alerts_the_admin_once_and_once_on_recovery(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook, Webhook() as ops:
        url = server.serve("/f.xml", b"Wartungsarbeiten", status=503)
        good = server.serve("/g.xml", rss([Item("Wetter", "https://example.org/wetter.html")]))
        run = _runner(tmp_path, {"Kaputt": url, "Gut": good}, hook, ops, clock)
        for _ in range(2):
            run.cycle()
            clock.advance(hours=6)
        assert ops.messages == []
        run.cycle()  # third failure in a row
        assert _titles(ops.messages) == ["newsmon: Feed „Kaputt“ schlägt fehl"]
        assert "3 Abrufe in Folge" in ops.messages[0]["message"] and "503" in ops.messages[0]["message"]
        for _ in range(3):
            clock.advance(hours=6)
            run.cycle()
        assert len(ops.messages) == 1
        server.serve("/f.xml", rss([Item("Wieder da", "https://example.org/da.html")]))
        clock.advance(hours=6)
        run.cycle()
        clock.advance(hours=6)
        run.cycle()
        run.close()
    assert _titles(ops.messages) == ["newsmon: Feed „Kaputt“ schlägt fehl",
                                     "newsmon: Feed „Kaputt“ funktioniert wieder"]
    assert hook.messages == []  # admin alerts go to the admin target only


def test_a_feed_silent_far_longer_than_usual_alerts_the_admin(tmp_path: Path) -> None:
    clock = Clock()
    items: list[Item] = []
    with FeedServer() as server, Webhook() as hook, Webhook() as ops:
        url = server.serve("/f.xml", rss(items))
        run = _runner(tmp_path, {"Ticker": url}, hook, ops, clock)
        for n in range(8):  # a new article every 10 minutes
            items.append(Item(f"Meldung {n}", f"https://example.org/{n}.html"))
            server.serve("/f.xml", rss(items))
            run.cycle()
            clock.advance(minutes=10)
        for _ in range(5):  # 50 more minutes without news: longer than 4 gaps, shorter than min_silence
            run.cycle()
            clock.advance(minutes=10)
        assert ops.messages == []
        clock.advance(minutes=15)
        run.cycle()
        assert _titles(ops.messages) == ["newsmon: Feed „Ticker“ ist ungewöhnlich still"]
        assert "etwa alle 10 min" in ops.messages[0]["message"]
        clock.advance(minutes=10)
        run.cycle()
        assert len(ops.messages) == 1
        items.append(Item("Endlich", "https://example.org/endlich.html"))
        server.serve("/f.xml", rss(items))
        clock.advance(minutes=10)
        run.cycle()
        run.close()
    assert _titles(ops.messages)[1] == "newsmon: Feed „Ticker“ funktioniert wieder"
    listed = CliRunner().invoke(main, ["--config", str(run.settings.path), "alerts", "list"])
    assert "feed Ticker: silent" in listed.output and "feed Ticker: recovered" in listed.output


def test_an_admin_target_that_is_not_configured_is_a_config_error(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, admin={"target": "nirgends"})
    try:
        load(config)
    except ConfigError as err:
        assert "admin.target" in str(err) and "nirgends" in str(err)
    else:
        raise AssertionError("expected a ConfigError")


def test_a_feed_that_is_gone_is_reported_at_once(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook, Webhook() as ops:
        run = _runner(tmp_path, {"Eingestellt": server.serve("/f.xml", b"", status=410)}, hook, ops, clock)
        run.cycle()
        clock.advance(hours=1)
        run.cycle()
        run.close()
    assert _titles(ops.messages) == ["newsmon: Feed „Eingestellt“ schlägt fehl"]
    assert "410" in ops.messages[0]["message"]
