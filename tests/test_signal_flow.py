"""No flood from a backlog (delivery.max_age, backlog: skip), ``newsmon why`` and ``newsmon
watchlists``: the whole path on a local feed server, SQLite and a webhook."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import START, Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

WATCHLISTS = {
    "watchlists": [
        {"name": "haus", "query": '"Weißes Haus" OR Tomahawk', "exclude": "Fußball", "notify": ["hook"],
         "per": "story"},
    ],
}
FRESH = Item("Tomahawk-Lieferung: Treffen im Weißen Haus", "https://example.org/frisch.html",
             description="Die Delegation wurde am Montag im Weißen Haus empfangen.",
             published=START - timedelta(hours=2))
OLD = Item("Vor drei Tagen: Protest vor dem Weissen Haus", "https://example.org/alt.html",
           description="Tausende demonstrierten.", published=START - timedelta(days=3))
EXCLUDED = Item("Fußball im Weißen Haus", "https://example.org/fussball.html",
                description="Der Meister wurde empfangen.", published=START - timedelta(hours=1))
NEAR_MISS = Item("Das Haus ist weiß gestrichen", "https://example.org/haus.html",
                 description="Weißes Holz, ein Haus am Waldrand.", published=START - timedelta(hours=1))


def _config(folder: Path, feeds: dict[str, str], hook: Webhook, **extra: object) -> Path:
    delivery = {"backoff": "30s", "max_attempts": 4, "max_age": "48h"}
    return write_config(folder, feeds, {"hook": {"url": hook.url, "rate_limit": "1/hour"}}, WATCHLISTS,
                        delivery=delivery, **extra)


def _cli(*args: str) -> object:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args and args[0] != "watchlists" else result.output


def test_max_age_stores_old_articles_searchable_but_never_alerts_them(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([FRESH, OLD]))
        config = _config(tmp_path, {"Testfeed": url}, hook)
        runner = Runner(load(config), clock=clock)
        report = runner.cycle()
        runner.close()
    assert (report.new_articles, report.alerts) == (2, 1)
    assert [m["title"] for m in hook.messages] == [f"[haus] {FRESH.title}"]
    status = collect(load(config))
    assert status["articles"] == 2 and status["held_back"]["max_age"] == 1
    found = CliRunner().invoke(main, ["search", '"Weißes Haus"', "--json", "--config", str(config)]).output
    assert OLD.link in found  # stored and searchable


def test_max_age_zero_alerts_old_articles(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([OLD]))
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": hook.url}, WATCHLISTS,
                              delivery={"max_age": 0})
        runner = Runner(load(config), clock=Clock())
        assert runner.cycle().alerts == 1
        runner.close()


def test_backlog_skip_stores_the_first_poll_silently_then_alerts_new_entries(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([FRESH]))
        other = server.serve("/other.xml", rss([Item("Tomahawk im Bundestag", "https://example.org/b.html")]))
        feeds = [{"name": "Neu", "url": url, "interval": "1m"},
                 {"name": "Alt", "url": other, "interval": "1m", "backlog": "alert"}]
        config = write_config(tmp_path, {}, {"hook": hook.url}, WATCHLISTS, poll={"backlog": "skip"},
                              delivery={"max_age": "48h"})
        data = yaml.safe_load(config.read_text("utf-8"))
        config.write_text(yaml.safe_dump({**data, "feeds": feeds}), "utf-8")
        runner = Runner(load(config), clock=clock)
        first = runner.cycle()
        assert (first.new_articles, first.alerts) == (2, 1)  # "Alt" alerts its backlog: its own setting wins
        later = Item("Tomahawk: neue Runde im Weißen Haus", "https://example.org/neu.html", published=START)
        server.serve("/feed.xml", rss([later, FRESH]))
        clock.advance(hours=2)
        second = runner.cycle()
        runner.close()
    assert (second.new_articles, second.alerts) == (1, 1)
    assert sorted(m["title"] for m in hook.messages) == ["[haus] Tomahawk im Bundestag", f"[haus] {later.title}"]
    assert collect(load(config))["held_back"]["backlog"] == 1


def _run_story(tmp_path: Path, database: str | None = None) -> tuple[Path, Webhook]:
    extra = {"database": database} if database else {}
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([FRESH, OLD, EXCLUDED, NEAR_MISS]))
        copy = Item(FRESH.title, "https://example.net/kopie.html", description=FRESH.description,
                    published=FRESH.published)  # the same wire story at another outlet
        second = server.serve("/zweit.xml", rss([copy]))
        config = _config(tmp_path, {"Testfeed": url}, hook, **extra)
        runner = Runner(load(config), clock=clock)
        runner.cycle()
        later = Item("Tomahawk-Streit geht weiter", "https://example.org/weiter.html", published=START)
        updated = Item(FRESH.title, FRESH.link, description=FRESH.description + " Ein Sprecher bestätigte das.",
                       published=FRESH.published)  # an update without a new term
        server.serve("/feed.xml", rss([later, updated, OLD, EXCLUDED, NEAR_MISS]))
        runner.close()
        clock.advance(minutes=5)
        runner = Runner(load(_config(tmp_path, {"Testfeed": url, "Zweitfeed": second}, hook, **extra)), clock=clock)
        runner.cycle()  # the rate limit (1/hour) holds the new alert; the copy is the same story
        runner.close()
    return config, hook


def test_why_tells_the_whole_decision_chain(tmp_path: Path, db_url: str) -> None:
    config, hook = _run_story(tmp_path, db_url)
    assert len(hook.messages) == 1
    sent = _cli("why", "--config", str(config), "--watchlist", "haus", FRESH.link, "--json")
    assert isinstance(sent, dict)
    assert sent["matched"]
    assert sent["verdict"] == "matched and alerted; later held back: a copy or update without a new term"
    phrase = next(t for t in sent["query"]["terms"] if t["term"] == '"Weißes Haus"')
    assert {(h["field"], h["text"], h["variant"]) for h in phrase["hits"]} == {
        ("title", "Weißen Haus", "weißen haus"), ("summary", "Weißen Haus", "weißen haus")}
    assert sent["targets"][0]["outcome"][0].startswith("alert sent ")
    assert sent["age"]["max_age"] == 172800 and not sent["age"]["held_for_age"]
    assert [h["reason"] for h in sent["held_back"]] == ["duplicate"]  # its update brought no new term
    assert sent["story"]["decision"] == "first alert of its story"

    copy = _cli("why", "--config", str(config), "--watchlist", "haus", "https://example.net/kopie.html", "--json")
    assert isinstance(copy, dict) and copy["story"]["id"] == sent["story"]["id"]
    assert copy["story"]["decision"] == "follow-up of an alerted story"
    assert copy["verdict"] == "matched, held back: a later article of an alerted story"

    old = _cli("why", "--config", str(config), "--watchlist", "haus", OLD.link, "--json")
    assert isinstance(old, dict) and old["age"]["held_for_age"]
    assert old["verdict"] == "matched, held back: older than delivery.max_age"

    excluded = _cli("why", "--config", str(config), "--watchlist", "haus", EXCLUDED.link, "--json")
    assert isinstance(excluded, dict) and excluded["exclude"]["hit"]
    assert excluded["exclude"]["terms"][0]["hits"][0]["text"] == "Fußball"
    assert excluded["verdict"] == "the query matched, but the exclude hit: no alert"

    miss = _cli("why", "--config", str(config), "--watchlist", "haus", NEAR_MISS.link, "--json")
    assert isinstance(miss, dict) and not miss["matched"]
    closest = next(t for t in miss["query"]["terms"] if t["term"] == '"Weißes Haus"')["closest"]
    assert closest["note"] == "every word occurs, but not next to each other in this order"
    assert {h["text"] for w in closest["words"] for h in w["found"]} >= {"weiß", "Haus", "Weißes"}

    held = _cli("why", "--config", str(config), "--watchlist", "haus", "https://example.org/weiter.html", "--json")
    assert isinstance(held, dict)
    assert held["targets"][0]["outcome"][0].startswith("alert held by the rate limit until ")
    text = _cli("why", "--config", str(config), "--watchlist", "haus", NEAR_MISS.link)
    assert "✗ \"Weißes Haus\": every word occurs" in str(text)


def test_why_refuses_unknown_articles_and_watchlists(tmp_path: Path) -> None:
    config, _ = _run_story(tmp_path)
    unknown = CliRunner().invoke(main, ["why", "--config", str(config), "--watchlist", "haus", "https://x.invalid/"])
    assert unknown.exit_code == 1 and "no stored article" in unknown.output
    nolist = CliRunner().invoke(main, ["why", "--config", str(config), "--watchlist", "nix", FRESH.link])
    assert nolist.exit_code == 1 and "no watchlist named 'nix'" in nolist.output


def test_watchlists_counts_matches_sends_and_what_was_held_back_per_day(tmp_path: Path, db_url: str) -> None:
    config, _ = _run_story(tmp_path, db_url)
    result = CliRunner().invoke(main, ["watchlists", "--config", str(config), "--since", "3650d", "--json"])
    assert result.exit_code == 0, result.output
    [haus] = [json.loads(line) for line in result.output.splitlines()]
    assert haus["name"] == "haus" and [d["day"] for d in haus["days"]] == [START.date().isoformat()]
    total = haus["total"]
    # fresh (sent), old (max_age), the copy (same story), the next one (held by the rate limit)
    assert (total["articles"], total["stories"], total["alerts_sent"]) == (4, 3, 1)
    assert total["held_back"] == {"duplicate": 1, "story": 1, "exclude": 1, "max_age": 1, "backlog": 0,
                                  "rate": 1, "quiet": 0}
    text = CliRunner().invoke(main, ["watchlists", "--config", str(config), "--since", "3650d"]).output
    assert "haus: 4 articles, 3 stories, 1 sent; held back: 1 dup, 1 story, 1 excl, 1 old, 1 rate" in text


def test_quiet_hours_holds_are_counted_and_explained(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([FRESH]))
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": {"url": hook.url, "quiet_hours": "00:00-23:59"}},
                              WATCHLISTS, delivery={"max_age": "48h"})
        runner = Runner(load(config), clock=Clock())
        runner.cycle()
        runner.cycle()  # held again while quiet: still one decision
        runner.close()
    assert hook.messages == []
    assert collect(load(config))["held_back"]["quiet"] == 1
    why = _cli("why", "--config", str(config), "--watchlist", "haus", FRESH.link, "--json")
    assert isinstance(why, dict)
    assert why["targets"][0]["outcome"][0].startswith("alert held by quiet hours until ")
