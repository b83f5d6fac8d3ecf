"""Dedup and stories through the whole path: feed files, SQLite, the outbox and a real webhook."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.dedup import features as dedup
from monitor.model import Entry
from monitor.reports.status import collect
from monitor.reports.stories import list_stories
from monitor.settings import load
from monitor.store.tables import Alert, Article, ArticleRevision, ArticleSource, Story
from tests.harness import START, Clock, Item, rss, write_config
from tests.receivers import Webhook

# Our own German texts (no outlet's), each long enough for a fingerprint.
WIRE = ("Die US-Regierung prüft nach Angaben aus Washington die Lieferung von Tomahawk-Marschflugkörpern an "
        "die Ukraine. Präsident Selenskyj hatte bei einem Treffen im Weißen Haus erneut um Waffen mit großer "
        "Reichweite gebeten. Eine Entscheidung sei noch nicht gefallen, hieß es aus Regierungskreisen. Moskau "
        "warnte vor einer gefährlichen Eskalation des Konflikts. Militärexperten halten eine Lieferung in "
        "diesem Jahr für unwahrscheinlich, weil die Ausbildung der Soldaten Monate dauern würde.")
EDITED = WIRE.replace("hieß es aus Regierungskreisen", "verlautete aus dem Pentagon") + (
    " Der Kongress will sich nächste Woche mit dem Thema befassen.")
UPDATED = WIRE + " Außenminister Lawrow sprach am Abend von einer roten Linie für Russland."
ANALYSE = ("Warum die Tomahawk-Debatte Kiew und Washington spaltet: Die Ukraine hofft auf Marschflugkörper mit "
           "großer Reichweite, die US-Regierung zögert. Selenskyj warb im Weißen Haus erneut für die Lieferung, "
           "Moskau droht mit Eskalation.")
REAKTION = ("Nach dem Treffen im Weißen Haus hat Selenskyj die US-Regierung erneut zur Lieferung von "
            "Tomahawk-Marschflugkörpern aufgefordert. Moskau spricht von Eskalation, die Ukraine von Notwehr.")
SKAT = ("Beim Skatturnier im Gemeindehaus spielte Tomahawk, der Vereinshund, die Hauptrolle: Er stahl einen "
        "Trumpf vom Tisch und lief damit durch den Saal. Die Spieler nahmen es mit Humor, das Turnier ging "
        "nach einer kurzen Pause weiter, am Ende gewann die Titelverteidigerin aus Nachbarort.")

WATCHLISTS: dict[str, object] = {
    "entities": {"lawrow": {"name": "Sergej Lawrow", "aliases": ["Lawrow", "Lavrov"]}},
    "watchlists": [
        {"name": "ukraine", "query": "Tomahawk OR @lawrow", "notify": ["hook"]},
        {"name": "ukraine-story", "query": "Tomahawk", "notify": ["hook"], "per": "story", "followups": "30m",
         "trending": {"outlets": 3, "within": "60m"}},
    ],
}


class Feeds:
    """Feed files on disk that a test rewrites between cycles."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.paths = {name: folder / f"{name}.xml" for name in names}
        for path in self.paths.values():
            path.write_bytes(rss([]))

    def write(self, name: str, *items: Item) -> None:
        self.paths[name].write_bytes(rss(list(items)))

    @property
    def urls(self) -> dict[str, str]:
        return {name: str(path) for name, path in self.paths.items()}


def _runner(folder: Path, feeds: Feeds, hook: Webhook, clock: Clock, database: str | None = None) -> Runner:
    extra = {"database": database} if database else {}
    return Runner(load(write_config(folder, feeds.urls, {"hook": hook.url}, WATCHLISTS, **extra)), clock=clock)


def _alerts(runner: Runner) -> list[tuple[str, str, int]]:
    with runner.db.session() as session:
        return [(a.watchlist, a.kind, a.article_id) for a in session.scalars(select(Alert).order_by(Alert.id))]


def _by(hook: Webhook, watchlist: str) -> list[dict[str, Any]]:
    return [m for m in hook.messages if m["title"].startswith(f"[{watchlist}]")]


def test_wire_copies_on_several_sites_are_one_article_with_several_sources(tmp_path: Path) -> None:
    clock = Clock()
    feeds = Feeds(tmp_path, ["dpa-kunde-a", "dpa-kunde-b", "dpa-kunde-c"])
    feeds.write("dpa-kunde-a", Item("USA prüfen Tomahawk-Lieferung", "https://a.example/politik/tomahawk-100.html",
                                    guid="a-1", description=WIRE))
    feeds.write("dpa-kunde-b", Item("USA prüfen Tomahawk-Lieferung", "https://www.b.example/news/12345",
                                    guid="b-77", description=f"<p>{WIRE}</p>"))
    feeds.write("dpa-kunde-c", Item("USA erwägen Tomahawk-Lieferung an Kiew", "https://c.example/ausland/tomahawk",
                                    description=EDITED))
    with Webhook() as hook:
        runner = _runner(tmp_path, feeds, hook, clock)
        report = runner.cycle()
        with runner.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Article)) == 1
            sources = session.execute(select(ArticleSource.outlet, ArticleSource.link)).all()
            revisions = list(session.scalars(select(ArticleRevision)))
            story = session.scalars(select(Story)).one()
        runner.close()
    assert report.new_articles == 1
    assert sorted(outlet for outlet, _link in sources) == ["a.example", "b.example", "c.example"]
    assert "https://c.example/ausland/tomahawk" in {link for _outlet, link in sources}
    assert [r.link for r in revisions] == ["https://c.example/ausland/tomahawk"]  # the edited copy, kept
    assert (story.article_count, story.outlet_count) == (1, 3)
    assert [m["title"] for m in _by(hook, "ukraine")] == ["[ukraine] USA prüfen Tomahawk-Lieferung"]


def test_an_update_realerts_only_for_a_new_watchlist_term_and_says_aktualisiert(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    feeds = Feeds(tmp_path, ["agentur"])
    link = "https://agentur.example/tomahawk.html"
    feeds.write("agentur", Item("USA prüfen Tomahawk-Lieferung", link, guid="dpa-2025-10-21-1", description=WIRE))
    with Webhook() as hook:
        runner = _runner(tmp_path, feeds, hook, clock, db_url)
        runner.cycle()
        clock.advance(minutes=2)
        feeds.write("agentur", Item("USA prüfen Lieferung von Tomahawks", link, guid="dpa-2025-10-21-1",
                                    description=EDITED))  # reworded, no new term
        assert runner.cycle().alerts == 0
        clock.advance(minutes=2)
        feeds.write("agentur", Item("Tomahawk: Moskau warnt", link + "?utm_source=rss", guid="dpa-2025-10-21-1",
                                    description=UPDATED))  # Lawrow is new
        assert runner.cycle().alerts == 1
        clock.advance(minutes=2)
        assert runner.cycle().alerts == 0  # the same version again
        with runner.db.session() as session:
            article = session.scalars(select(Article)).one()
            revisions = session.scalar(select(func.count()).select_from(ArticleRevision))
        runner.close()
    titles = [m["title"] for m in _by(hook, "ukraine")]
    assert titles == ["[ukraine] USA prüfen Tomahawk-Lieferung", "[ukraine] aktualisiert: Tomahawk: Moskau warnt"]
    assert "*Lawrow*" in _by(hook, "ukraine")[1]["message"]  # the snippet shows the new term
    assert article.title == "Tomahawk: Moskau warnt" and "Lawrow" in article.summary  # the newest version
    assert revisions == 2
    assert len(_by(hook, "ukraine-story")) == 1  # the story watchlist had nothing new


def test_per_story_alerts_once_then_one_follow_up_message_and_trending_once(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    feeds = Feeds(tmp_path, ["eins", "zwei", "drei", "vier"])
    feeds.write("eins", Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE,
                             published=START))
    feeds.write("zwei", Item("Skatabend mit Tomahawk", "https://zwei.example/skat", description=SKAT,
                             published=START))
    with Webhook() as hook:
        runner = _runner(tmp_path, feeds, hook, clock, db_url)
        runner.cycle()
        assert len(_by(hook, "ukraine-story")) == 2  # two unrelated stories that share a word
        clock.advance(minutes=10)
        feeds.write("zwei", Item("Tomahawk-Debatte: Analyse", "https://zwei.example/analyse", description=ANALYSE,
                                 published=clock()))
        feeds.write("drei", Item("Selenskyj fordert Tomahawks", "https://drei.example/r", description=REAKTION,
                                 published=clock()))
        runner.cycle()
        story_messages = _by(hook, "ukraine-story")
        assert len(story_messages) == 3
        assert story_messages[2]["title"] == "[ukraine-story] Tomahawk: 3 Medien in 60 Minuten"
        clock.advance(minutes=5)
        feeds.write("drei", Item("Selenskyj fordert Tomahawks", "https://drei.example/r", published=clock(),
                                 description=REAKTION + " Kiew reagierte erleichtert."))  # a follow-up, updated
        assert runner.cycle().alerts == 0
        clock.advance(minutes=26)
        feeds.write("vier", Item("Tomahawk: Kongress berät", "https://vier.example/k", description=EDITED + " Neu.",
                                 published=clock()))
        runner.cycle()
        with runner.db.session() as session:
            story = session.scalar(select(Story).order_by(Story.article_count.desc()).limit(1))
            assert story is not None and (story.article_count, story.outlet_count) == (3, 4)
        listed = CliRunner().invoke(main, ["stories", "--json", "--since", "36500d", "--config",
                                           str(runner.settings.path)])
        recent = list_stories(runner.settings, timedelta(minutes=30), now=clock())
        status = collect(runner.settings)
        with runner.db.session() as session:
            per_article = session.execute(select(Alert.article_id, Alert.watchlist, Alert.target, func.count())
                                          .where(Alert.kind == "article")
                                          .group_by(Alert.article_id, Alert.watchlist, Alert.target)).all()
        runner.close()
    story_messages = _by(hook, "ukraine-story")
    assert len(story_messages) == 4
    follow = story_messages[3]
    assert follow["title"] == "[ukraine-story] Story „USA prüfen Tomahawk-Lieferung“: 2 weitere Artikel"
    assert "Tomahawk-Debatte: Analyse" in follow["message"] and "Selenskyj fordert Tomahawks" in follow["message"]
    assert len(_by(hook, "ukraine")) == 4  # per: article is unchanged: every article, once
    assert status["stories"] == 2 and status["articles"] == 4
    assert all(count == 1 for *_key, count in per_article)  # no article alerted twice
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["article_count"], r["outlet_count"]) for r in rows] == [(3, 4), (1, 1)]
    titles = [a["title"] for a in rows[0]["articles"]]
    assert titles[0] == "USA prüfen Tomahawk-Lieferung"
    assert sorted(titles[1:]) == ["Selenskyj fordert Tomahawks", "Tomahawk-Debatte: Analyse"]
    sources = rows[0]["articles"][0]["sources"]
    assert {s["outlet"] for s in sources} == {"eins.example", "vier.example"}
    assert [story.article_count for story in recent] == [3]  # only the story active in the last 30 minutes


def test_after_a_restart_copies_and_stories_are_still_recognised(tmp_path: Path) -> None:
    clock = Clock()
    feeds = Feeds(tmp_path, ["eins", "zwei"])
    feeds.write("eins", Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE))
    with Webhook() as hook:
        first = _runner(tmp_path, feeds, hook, clock)
        first.cycle()
        first.close()
        clock.advance(hours=2)
        feeds.write("zwei", Item("USA erwägen Tomahawk-Lieferung", "https://zwei.example/2", description=EDITED,
                                 published=clock()),
                    Item("Selenskyj fordert Tomahawks", "https://zwei.example/3", description=REAKTION,
                         published=clock()))
        second = _runner(tmp_path, feeds, hook, clock)
        report = second.cycle()
        with second.db.session() as session:
            stories = list(session.scalars(select(Story)))
        second.close()
    backtest = CliRunner().invoke(main, ["backtest", "--config", str(second.settings.path), "--watchlists",
                                         str(tmp_path / "watchlists"), "--since", "all", "--json"])
    assert backtest.exit_code == 0, backtest.output
    lines = [json.loads(line) for line in backtest.output.splitlines()]
    assert {line["story"] for line in lines if line["watchlist"] == "ukraine-story"} == {stories[0].id}
    assert report.new_articles == 1  # the edited copy joined the stored article
    assert [(s.article_count, s.outlet_count) for s in stories] == [(2, 2)]
    assert len(_by(hook, "ukraine-story")) == 1
    assert clock() - START == timedelta(hours=2)


def test_match_json_gives_copies_and_follow_ups_one_story_id(tmp_path: Path) -> None:
    one, two = tmp_path / "eins.xml", tmp_path / "zwei.xml"
    one.write_bytes(rss([Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE),
                         Item("Skatabend mit Tomahawk", "https://eins.example/skat", description=SKAT)]))
    two.write_bytes(rss([Item("USA prüfen Tomahawk-Lieferung", "https://zwei.example/9", description=WIRE),
                         Item("Selenskyj fordert Tomahawks", "https://zwei.example/r", description=REAKTION)]))
    write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, WATCHLISTS)
    result = CliRunner().invoke(main, ["match", "--watchlists", str(tmp_path / "watchlists"), "--json", str(one),
                                       str(two)])
    assert result.exit_code == 0, result.output
    story = {line["link"]: line["story"] for line in map(json.loads, result.output.splitlines())
             if line["watchlist"] == "ukraine"}
    assert story["https://eins.example/1"] == story["https://zwei.example/9"] == story["https://zwei.example/r"]
    assert story["https://eins.example/skat"] != story["https://eins.example/1"]


def test_two_daemons_on_one_database_see_each_others_articles(tmp_path: Path) -> None:
    clock = Clock()
    feeds = Feeds(tmp_path, ["eins", "zwei"])
    with Webhook() as hook:
        one = _runner(tmp_path, feeds, hook, clock)
        other = _runner(tmp_path, feeds, hook, clock)
        one.cycle(), other.cycle()  # both have looked at the (empty) database
        clock.advance(minutes=2)
        feeds.write("eins", Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE,
                                 published=clock()))
        assert one.poll_one("eins") is not None
        feeds.write("zwei", Item("USA erwägen Tomahawk-Lieferung", "https://zwei.example/2", description=EDITED,
                                 published=clock()))
        outcome = other.poll_one("zwei")
        one.close(), other.close()
    assert outcome is not None and outcome.new_articles == 0  # the other daemon's article, edited


def test_follow_ups_of_a_digest_watchlist_wait_for_the_digest(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 10, 21, 8, 0, tzinfo=UTC))  # 10:00 in Berlin
    feeds = Feeds(tmp_path, ["eins", "zwei"])
    lists: dict[str, object] = {"watchlists": [
        {"name": "abendlage", "query": "Tomahawk", "notify": ["hook"], "per": "story", "mode": "digest:abend"}]}
    with Webhook() as hook:
        config = write_config(tmp_path, feeds.urls, {"hook": hook.url}, lists,
                              digests={"abend": {"cron": "0 18 * * *", "title": "Abendlage"}})
        runner = Runner(load(config), clock=clock)
        feeds.write("eins", Item("USA prüfen Tomahawk-Lieferung", "https://eins.example/1", description=WIRE,
                                 published=clock()))
        runner.cycle()
        clock.advance(hours=1)
        feeds.write("zwei", Item("Selenskyj fordert Tomahawks", "https://zwei.example/r", description=REAKTION,
                                 published=clock()),
                    Item("Tomahawk-Debatte: Analyse", "https://zwei.example/a", description=ANALYSE,
                         published=clock()))
        runner.cycle()
        clock.advance(hours=1)  # past the instant follow-up delay: still nothing before the digest
        runner.cycle()
        assert hook.messages == []
        clock.now = datetime(2025, 10, 21, 16, 0, 30, tzinfo=UTC)  # 18:00:30 in Berlin
        runner.cycle()
        runner.close()
    (digest,) = hook.messages
    assert "Abendlage" in digest["title"]
    for link in ("https://eins.example/1", "https://zwei.example/r", "https://zwei.example/a"):
        assert link in digest["message"]
    assert "weitere Artikel" in digest["message"]


def test_a_teaser_again_after_its_page_text_was_stored_is_a_repeat(tmp_path: Path) -> None:
    from monitor.dedup.stage import Deduplicator
    from monitor.model import Validators
    from monitor.store import repo
    from monitor.store.db import open_database
    from monitor.store.repo import Candidate, FeedState

    db = open_database(f"sqlite:///{tmp_path / 'n.db'}", upgrade=True)
    with db.session() as session:
        repo.sync_feeds(session, load(write_config(tmp_path, {"volltext": "/dev/null"}, {"hook": "json://x"},
                                                   WATCHLISTS)).feeds, START)
    with db.session() as session:
        state = repo.feed_state(session, "volltext")
    assert state is not None
    feed = FeedState(state.id, "volltext", "/dev/null", Validators(), 0)
    teaser = Entry(title="USA prüfen Tomahawk-Lieferung", link="https://v.example/1", summary="Kurz: Tomahawks?")
    full = replace(teaser, body=WIRE)  # what the fulltext stage made of it on the first poll
    stage = Deduplicator()
    stored = []
    for entry in (full, teaser, teaser):
        with stage.stage(), db.session() as session:
            stored.append(stage.store(session, feed, [Candidate(entry, dedup.identity_keys(entry, feed.id))], START))
    with db.session() as session:
        article = session.scalars(select(Article)).one()
        revisions = session.scalar(select(func.count()).select_from(ArticleRevision))
    db.dispose()
    assert [len(s) for s in stored] == [1, 0, 0] and revisions == 0
    assert article.body == WIRE  # the page text stays
