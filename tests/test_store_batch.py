"""One dedup decision per entry (``monitor.dedup.decide``), carried out by one executor
(``store.dedupwrites``): the decisions on real captures, the rows the executor leaves for them on
SQLite and PostgreSQL, and a concurrent writer that stores a key first."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from monitor.config import FeedConfig
from monitor.dedup.decide import NEAR_CHECKS, Prepared, decide, prepare
from monitor.dedup.features import fingerprint_key, identity_keys, signature
from monitor.dedup.nearindex import BatchBands, band_keys
from monitor.dedup.stage import Deduplicator, outlet_of
from monitor.dedup.storyindex import StoryIndex, unpack
from monitor.feeds.parse.reader import parse
from monitor.model import Entry, Validators
from monitor.store import repo
from monitor.store.batch import known_keys
from monitor.store.db import Database, open_database
from monitor.store.decisions import Decision, Kind, Known, KnownArticle, Link, New, Revise
from monitor.store.dedupwrites import carry_out
from monitor.store.known import snapshot
from monitor.store.tables import (
    Article,
    ArticleFeatures,
    ArticleKey,
    ArticleRevision,
    ArticleSource,
    Story,
    StoryOutlet,
)
from tests.harness import START

CAPTURES = ("news-homereader-feeds/tagesschau.xml", "news-homereader-feeds/tagesschau2.xml",
            "fast-news-reader-feeds/tagesschau.xml", "corss-dec2024-snapshot/tagesschau.xml",
            "news-homereader-feeds/heise.xml", "fast-news-reader-feeds/heise.xml", "sz-feed/sz_alles_2025-03-09.xml",
            "corss-dec2024-snapshot/ntv.xml", "corss-dec2024-snapshot/rnd.xml",
            "corss-dec2024-snapshot/deutschlandfunk-nachrichten.xml", "corss-dec2024-snapshot/spiegel.xml")
# Our own text (no outlet's), long enough for near-duplicate detection.
ELBE = ("Die Brücke über die Elbe bleibt nach einem Schaden an einem Lager bis auf Weiteres gesperrt. Gutachter "
        "prüfen seit dem Morgen die Stahlkonstruktion, der Verkehr wird über die Autobahn umgeleitet. Die Stadt "
        "rechnet mit langen Staus im Berufsverkehr und bittet Pendler, auf Busse und Bahnen umzusteigen.")
SKAT = ("Beim Skatturnier im Gemeindehaus gewann die Titelverteidigerin aus dem Nachbarort mit deutlichem "
        "Vorsprung. Die Spieler lobten die Organisation, im nächsten Jahr soll das Turnier zwei Tage dauern und "
        "auch Gäste aus der Partnerstadt sollen eingeladen werden, sagte der Vorsitzende des Vereins.")


class Memory:
    """What a store would know after carrying out decisions, kept in dicts: the snapshots the pure
    decision function is tested against (the executor's own rows are checked on a real database)."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.articles: dict[int, KnownArticle] = {}
        self.sources: set[tuple[int, int]] = set()
        self.next_id = 1
        self.index = StoryIndex()
        self.bands = BatchBands()  # the band keys of every article stored

    def decide(self, feed_id: int, entries: list[Entry], name: str = "feed") -> list[Decision]:
        items = [self._prepared(entry, feed_id, name) for entry in entries if identity_keys(entry, feed_id)]
        known = Known(self.keys, {a: replace(row, sourced=(a, feed_id) in self.sources)
                                  for a, row in self.articles.items()},
                      tuple(range(self.next_id, self.next_id + len(items))),
                      tuple(range(self.next_id, self.next_id + len(items))))
        decisions = decide(items, known, self.index, feed_id, START)
        self.next_id += len(items)
        for decision in decisions:
            self.keys.update(dict.fromkeys(decision.keys, decision.article_id))
            if isinstance(decision, New):
                signature = unpack(decision.features.signature)
                if signature is not None:
                    self.bands.add(decision.article_id, signature, decision.features.bands)
                entry = decision.entry
                self.articles[decision.article_id] = KnownArticle(
                    decision.article_id, feed_id, entry.title, entry.summary, entry.body or None,
                    decision.features.content_hash, 1, decision.story_id, False)
            elif isinstance(decision, Revise):
                row = self.articles[decision.article_id]
                if decision.replaces_text:
                    entry = decision.entry
                    row = replace(row, title=entry.title, summary=entry.summary, body=entry.body or None,
                                  content_hash=decision.content_hash)
                self.articles[decision.article_id] = replace(row, revision=decision.revision)
            self.sources.add((decision.article_id, feed_id))
        return decisions

    def _prepared(self, entry: Entry, feed_id: int, name: str) -> Prepared:
        item = prepare(entry, identity_keys(entry, feed_id), outlet_of(entry.link, name))
        found, keys = signature(item.tokens), ()
        near: list[tuple[float, int]] = []
        if found is not None:
            keys = band_keys(found)
            near = sorted(self.bands.ranked(found, keys), reverse=True)[:NEAR_CHECKS]
        return replace(item, signature=found, bands=keys, near=tuple(near))


def _entries(realdata: Path, path: str) -> list[Entry]:
    return list(parse((realdata / path).read_bytes(), "https://example.org/").entries)


def test_the_december_captures_give_999_new_articles_and_one_near_duplicate(realdata: Path) -> None:
    memory = Memory()
    kinds: Counter[Kind] = Counter()
    near: list[Revise] = []
    for feed_id, path in enumerate(sorted((realdata / "corss-dec2024-snapshot").glob("*.xml")), 1):
        for decision in memory.decide(feed_id, list(parse(path.read_bytes(), "https://example.org/").entries)):
            kinds[decision.kind] += 1
            if decision.kind is Kind.NEAR_DUPLICATE:
                assert isinstance(decision, Revise)
                near.append(decision)
    assert kinds[Kind.NEW] == 999 and kinds[Kind.NEAR_DUPLICATE] == 1
    assert kinds[Kind.NEW_SOURCE] > 0  # Deutschlandfunk repeats articles across its section feeds
    assert sum(kinds.values()) == 1532 and not kinds[Kind.UPDATE] and not kinds[Kind.REVISION]
    (copy,) = near
    assert copy.entry.title == copy.previous.title == "Das Chaos bändigen - Das Gespenst der Ordnung"
    assert copy.revision == 2 and not copy.replaces_text  # the first version stays the article's text


def test_every_kind_of_decision_on_real_entries(realdata: Path) -> None:
    memory = Memory()
    entries = [e for e in _entries(realdata, "corss-dec2024-snapshot/tagesschau.xml") if fingerprint_key(e)][:6]
    assert len(entries) == 6
    assert {d.kind for d in memory.decide(1, entries)} == {Kind.NEW}
    assert {d.kind for d in memory.decide(1, entries)} == {Kind.REPEAT}  # the feed polled again
    again = memory.decide(2, entries)  # another feed carries the same articles
    assert {d.kind for d in again} == {Kind.NEW_SOURCE}
    assert all(isinstance(d, Link) and d.new_source and not d.keys for d in again)  # same URLs: no new key
    first, second = entries[0], entries[1]
    edited = replace(first, summary=first.summary + " Die Polizei hat inzwischen einen Verdächtigen festgenommen.")
    (update,) = memory.decide(1, [edited])
    assert isinstance(update, Revise) and update.kind is Kind.UPDATE and update.revision == 2
    assert update.previous.summary == first.summary and update.replaces_text
    # The first version again at another address: found by its fingerprint, an earlier text made current again
    (earlier,) = memory.decide(3, [replace(first, link="https://kopie.example/1", guid=None)])
    assert isinstance(earlier, Revise) and earlier.kind is Kind.REVISION and earlier.revision == 3
    assert earlier.new_source and "url:https://kopie.example/1" in earlier.keys
    wire = memory.decide(3, [replace(second, link="https://kopie.example/2", guid=None)])  # the current text
    assert [(d.kind, d.article_id) for d in wire] == [(Kind.NEW_SOURCE, update.article_id + 1)]
    base = Entry(title="Brücke über die Elbe gesperrt", link="https://nah.example/1", summary=ELBE)
    copy = Entry(title="Elbbrücke gesperrt", link="https://nah.example/2", summary=ELBE + " Mehr in Kürze.")
    new, near = memory.decide(4, [base, copy])  # an article and its edited copy in one feed
    assert new.kind is Kind.NEW and near.kind is Kind.NEAR_DUPLICATE and near.article_id == new.article_id
    assert isinstance(near, Revise) and not near.replaces_text and not near.new_source


def test_each_entry_is_measured_against_the_entries_before_it() -> None:
    memory = Memory()
    skat = Entry(title="Skatturnier", link="https://s.example/1", guid="skat-2025", summary=SKAT)
    (new,) = memory.decide(1, [skat])
    longer = replace(skat, summary=SKAT + " Anmeldungen nimmt der Verein ab sofort entgegen.")
    back = replace(skat, link="https://s.example/1?seite=2")  # the first text again, same GUID
    decisions = memory.decide(1, [longer, back, back])
    assert [d.kind for d in decisions] == [Kind.UPDATE, Kind.UPDATE, Kind.REPEAT]
    assert [d.revision for d in decisions if isinstance(d, Revise)] == [2, 3]
    assert decisions[1].previous.summary == longer.summary  # type: ignore[union-attr]
    assert {d.article_id for d in decisions} == {new.article_id}


def _feed(db: Database, name: str) -> repo.FeedState:
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{name}.xml", name=name)], START)
    with db.session() as session:
        state = repo.feed_state(session, name)
    assert state is not None
    return repo.FeedState(state.id, name, state.url, Validators(), 0)


def _store(db: Database, stage: Deduplicator, name: str, entries: list[Entry]) -> list[repo.StoredArticle]:
    feed = _feed(db, name)
    candidates = [repo.Candidate(e, identity_keys(e, feed.id)) for e in entries]
    with stage.stage(), db.session() as session:
        return stage.store(session, feed, candidates, START)


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_executor_leaves_the_rows_the_decisions_name(db: Database, realdata: Path) -> None:
    feeds = [(path.replace("/", "-"), _entries(realdata, path)) for path in CAPTURES]
    long = [entry for _name, entries in feeds[4:8] for entry in entries if fingerprint_key(entry)]
    feeds.append(("kopie", [replace(e, link=f"https://kopie.example/{n}", guid=None) for n, e in enumerate(long[:8])]))
    feeds.append(("nah", [Entry(title="Brücke über die Elbe gesperrt", link="https://nah.example/1", summary=ELBE),
                          Entry(title="Elbbrücke gesperrt", link="https://nah.example/2", summary=ELBE + " Mehr.")]))
    feeds.append(feeds[1])  # a feed polled again: nothing new
    memory, stage = Memory(), Deduplicator()
    kinds: Counter[Kind] = Counter()
    new_sources = stories = 0
    for name, entries in feeds:
        feed = _feed(db, name)
        decisions = memory.decide(feed.id, entries, name)
        stored = _store(db, stage, name, entries)
        assert [s.is_new for s in stored if not s.repeat] == [d.kind is Kind.NEW for d in decisions
                                                                 if isinstance(d, New | Revise)]
        kinds.update(d.kind for d in decisions)
        new_sources += sum(1 for d in decisions if not isinstance(d, New) and d.new_source)
        stories += sum(1 for d in decisions if isinstance(d, New) and d.starts_story)
    assert kinds[Kind.NEW] and kinds[Kind.REPEAT] and kinds[Kind.NEW_SOURCE] and kinds[Kind.NEAR_DUPLICATE]
    assert _count(db, Article) == kinds[Kind.NEW]
    assert _count(db, ArticleFeatures) == kinds[Kind.NEW]
    assert _count(db, ArticleSource) == kinds[Kind.NEW] + new_sources
    assert _count(db, ArticleRevision) == kinds[Kind.UPDATE] + kinds[Kind.REVISION] + kinds[Kind.NEAR_DUPLICATE]
    assert _count(db, Story) == stories
    assert _count(db, ArticleKey) == len(memory.keys)
    with db.session() as session:
        stored_keys = dict(session.execute(select(ArticleKey.key, ArticleKey.article_id)).all())
        titles = dict(session.execute(select(Article.id, Article.title)).all())
        counts = session.execute(select(Story.id, Story.article_count)).all()
        members = Counter(session.scalars(select(ArticleFeatures.story_id)))
        outlets = Counter(session.scalars(select(StoryOutlet.story_id)))
        outlet_counts = dict(session.execute(select(Story.id, Story.outlet_count)).all())
    by_title = {a: memory.articles[a].title for a in memory.articles}
    assert sorted(titles[stored_keys[k]] for k in memory.keys) == sorted(by_title[a] for a in memory.keys.values())
    assert all(members[story] == count for story, count in counts)
    assert outlets == Counter(outlet_counts)


def _stale_new(db: Database, feed: repo.FeedState, entry: Entry) -> list[Decision]:
    """The decisions of a snapshot taken before another writer stored the entry."""
    items = [prepare(entry, identity_keys(entry, feed.id), outlet_of(entry.link, feed.name))]
    with db.session() as session:
        known = snapshot(session, feed.id, known_keys(session, [*items[0].keys, items[0].version]), [], 1)
    return decide(items, known, StoryIndex(), feed.id, START)


def test_a_writer_that_stored_the_article_first_wins(db: Database) -> None:
    entry = Entry(title="Gipfel in Budapest", link="https://example.org/gipfel.html", guid="gipfel-2025-10-21")
    feed = _feed(db, "startseite")
    stale = _stale_new(db, feed, entry)
    assert [d.kind for d in stale] == [Kind.NEW]
    (first,) = _store(db, Deduplicator(), "politik", [entry])  # the other writer, committed
    with db.session() as session:
        assert carry_out(session, feed.id, START, stale) is None  # its key is taken: nothing written
        assert session.scalar(select(func.count()).select_from(Article)) == 1
    assert _store(db, Deduplicator(), "startseite", [entry]) == []  # decided again: a known text, one more source
    with db.session() as session:
        sources = session.execute(select(ArticleSource.article_id, ArticleSource.feed_id)).all()
    assert sorted(sources) == sorted([(first.id, first.feed_id), (first.id, feed.id)])


def test_a_concurrent_writer_on_postgresql_makes_the_stage_decide_again(pg_schema_url: str) -> None:
    """Two transactions at once: the other one holds the unique key uncommitted while this stage
    writes, so this stage's insert waits on it, then fails on the key and decides the feed again."""
    db = open_database(pg_schema_url, upgrade=True)
    other = open_database(pg_schema_url)
    try:
        entry = Entry(title="Gipfel in Budapest", link="https://example.org/gipfel.html", summary=SKAT)
        fresh = Entry(title="Skat", link="https://example.org/skat.html")
        _feed(db, "politik")
        _feed(db, "startseite")
        results: list[list[repo.StoredArticle]] = []
        with other.session() as holding:
            politik = repo.feed_state(holding, "politik")
            assert politik is not None
            candidate = repo.Candidate(entry, identity_keys(entry, politik.id))
            (first,) = Deduplicator().store(holding, politik, [candidate], START)
            worker = threading.Thread(target=lambda: results.append(_store(db, Deduplicator(), "startseite",
                                                                          [entry, fresh])))
            worker.start()
            _wait_for_lock(holding)
        worker.join(timeout=60)
        assert results, "the stage did not finish"
        (stored,) = results
        assert [(s.entry.title, s.is_new) for s in stored] == [("Skat", True)]  # the other's article: no output
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Article)) == 2
            sources = session.scalars(select(ArticleSource.feed_id).where(ArticleSource.article_id == first.id))
            assert len(list(sources)) == 2  # the other writer's article, with this feed as its second source
    finally:
        other.dispose()
        db.dispose()


def _wait_for_lock(session: Any) -> None:
    """Until another connection waits for a lock this transaction holds."""
    deadline = time.monotonic() + 30
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
                 "AND application_name = current_setting('application_name')")  # this test's schema only
    with session.bind.connect() as watcher:
        while time.monotonic() < deadline:
            if watcher.execute(query).scalar():
                return
            time.sleep(0.05)
    pytest.fail("the second writer never waited for the key")


def test_a_process_sees_what_another_stored_since_it_last_looked(db: Database) -> None:
    one, other = Deduplicator(), Deduplicator()  # the indexes of two daemons on one database
    _store(db, one, "sport", [Entry(title="Skat", link="https://s.example/1", summary=SKAT)])
    (first,) = _store(db, other, "agentur", [Entry(title="Elbbrücke gesperrt", link="https://a.example/1",
                                                  summary=ELBE)])
    edited = Entry(title="Elbbrücke bleibt gesperrt", link="https://b.example/1", summary=ELBE + " Mehr in Kürze.")
    (revised,) = _store(db, one, "stadt", [edited])
    assert first.is_new and (revised.id, revised.is_new, revised.story_id) == (first.id, False, first.story_id)
    assert revised.revision == 2
