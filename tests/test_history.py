"""search and backtest over stored articles: the same query engine, per-day counts, the §9 JSON shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = datetime.now(UTC).astimezone(BERLIN).date()


def _noon(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(12, 0), BERLIN).astimezone(UTC)


ITEMS = [
    Item("Scholz spricht von der Zeitenwende", "https://example.org/1.html", guid="zw-1", published=_noon(0)),
    Item("Zeitenwende bei der Bundeswehr?", "https://example.org/2.html", guid="zw-2", published=_noon(0)),
    Item("Lawrow warnt den Westen", "https://example.org/3.html", guid="lw-3", published=_noon(1),
         description="Der russische Außenminister äußert sich zur Zeitenwende."),
    Item("Skatabend: der letzte Trumpf", "https://example.org/4.html", guid="sk-4", published=_noon(1)),
    Item("Trump telefoniert mit Putin", "https://example.org/5.html", guid="tr-5", published=_noon(2)),
    Item("Archiv: Zeitenwende-Rede im Bundestag", "https://example.org/6.html", guid="zw-6", published=_noon(40)),
]


def _stored(tmp_path: Path) -> Path:
    with FeedServer() as server, Webhook() as hook:
        config = write_config(tmp_path, {"Testfeed": server.serve("/feed.xml", rss(ITEMS))}, {"hook": hook.url})
        runner = Runner(load(config), clock=Clock(datetime.now(UTC)))
        assert runner.cycle().new_articles == len(ITEMS)
        runner.close()
    return config


def test_backtest_of_a_new_watchlist_finds_the_stored_articles_it_should(tmp_path: Path) -> None:
    config = _stored(tmp_path)
    trial = tmp_path / "trial.yaml"
    trial.write_text(yaml.safe_dump({"watchlists": [
        {"name": "zeitenwende", "query": "Zeitenwende", "exclude": "Bundeswehr"},
        {"name": "russland", "query": "@lawrow OR Putin"},  # @lawrow is defined in the config's watchlists
    ]}), "utf-8")
    result = CliRunner().invoke(main, ["backtest", "--config", str(config), "--watchlists", str(trial), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    found = {(line["watchlist"], line["title"]) for line in lines}
    assert found == {
        ("zeitenwende", "Scholz spricht von der Zeitenwende"),
        ("zeitenwende", "Lawrow warnt den Westen"),
        ("russland", "Lawrow warnt den Westen"),
        ("russland", "Trump telefoniert mit Putin"),
    }
    assert all(set(line) == {"watchlist", "title", "link", "guid", "published", "score", "story", "hits"}
               for line in lines)
    lawrow = next(line for line in lines if line["watchlist"] == "zeitenwende" and line["guid"] == "lw-3")
    (hit,) = lawrow["hits"]
    assert hit["field"] == "summary" and hit["text"] == "Zeitenwende"

    everything = CliRunner().invoke(main, ["backtest", "--config", str(config), "--watchlists", str(trial),
                                           "--json", "--since", "all"])
    assert "Archiv: Zeitenwende-Rede im Bundestag" in everything.output


def test_backtest_shows_alerts_per_day_per_watchlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("monitor.store.archive.BATCH", 2)
    config = _stored(tmp_path)
    trial = tmp_path / "trial.yaml"
    trial.write_text(yaml.safe_dump({"watchlists": [{"name": "zw", "query": "Zeitenwende"},
                                                    {"name": "trump", "query": "Trump"}]}), "utf-8")
    result = CliRunner().invoke(main, ["backtest", "--config", str(config), "--watchlists", str(trial),
                                       "--since", "3d"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:-1]]
            for line in result.output.splitlines() if line.count("│") == 4}
    assert rows[str(TODAY)] == ["2", "0"]
    assert rows[str(TODAY - timedelta(days=1))] == ["1", "0"]
    assert rows[str(TODAY - timedelta(days=2))] == ["0", "1"]  # "Trumpf" is not Trump
    assert rows["total"] == ["3", "1"]
    assert rows["busiest day"] == ["2", "1"]
    assert "latest matches of zw:" in result.output and "Skatabend" not in result.output


def test_search_uses_the_query_language_newest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("monitor.store.archive.BATCH", 2)  # several pages: the order holds across them
    config = _stored(tmp_path)
    cli = CliRunner()
    result = cli.invoke(main, ["search", "--config", str(config), "Zeitenwende -Bundeswehr", "--json"])
    assert result.exit_code == 0, result.output
    titles = [json.loads(line)["title"] for line in result.output.splitlines()]
    assert titles == ["Scholz spricht von der Zeitenwende", "Lawrow warnt den Westen",
                      "Archiv: Zeitenwende-Rede im Bundestag"]
    recent = cli.invoke(main, ["search", "--config", str(config), "title:Zeitenwende", "--since", "7d"])
    assert recent.exit_code == 0, recent.output
    assert "2 matches in 5 stored articles" in recent.output
    assert "Testfeed: Scholz spricht von der Zeitenwende" in recent.output
    limited = cli.invoke(main, ["search", "--config", str(config), "Zeitenwende", "--limit", "1"])
    assert "1 matches in 6 stored articles (limit reached" in limited.output


def test_a_query_that_does_not_parse_is_exit_2_with_the_column(tmp_path: Path) -> None:
    config = _stored(tmp_path)
    result = CliRunner().invoke(main, ["search", "--config", str(config), "(Zeitenwende AND"])
    assert result.exit_code == 2
    assert "column" in result.output and "^" in result.output


def test_on_a_terminal_a_progress_bar_goes_to_stderr_and_json_stays_clean(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _stored(tmp_path)
    monkeypatch.setattr("monitor.cli.search.PROGRESS_MIN", 1)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats the captured stderr as a terminal
    result = CliRunner().invoke(main, ["search", "--config", str(config), "Zeitenwende", "--json"])
    assert result.exit_code == 0, result.output
    assert len([json.loads(line) for line in result.stdout.splitlines()]) == 4
    assert "searching" in result.stderr


def test_a_per_story_watchlist_counts_each_story_once_as_it_would_alert() -> None:
    from monitor.config import WatchlistConfig
    from monitor.model import Document, Match
    from monitor.reports.queries import Found, PerDay
    from monitor.store.archive import StoredView

    def found(watchlist: str, article: int, story: int | None, days_ago: int) -> Found:
        view = StoredView(article, f"t{article}", None, None, _noon(days_ago), _noon(days_ago), "feed", story,
                          Document(f"t{article}"))
        return Found(view, Match(watchlist, 1.0))

    per_day = PerDay.of([WatchlistConfig(name="each", query="x"), WatchlistConfig(name="once", query="x", per="story")])
    for watchlist in ("each", "once"):
        for item in (found(watchlist, 1, 7, 1), found(watchlist, 2, 7, 1), found(watchlist, 3, None, 1),
                     found(watchlist, 4, None, 1), found(watchlist, 5, 8, 0)):
            per_day.add(item)
    day_before = TODAY - timedelta(days=1)
    assert per_day.counts[day_before]["each"] == 4 and per_day.counts[day_before]["once"] == 3
    assert per_day.total("each") == 5 and per_day.total("once") == 4
    assert per_day.days() == [day_before, TODAY]
