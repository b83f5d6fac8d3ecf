"""Story state shared through the database: the postings, term vectors and term frequencies are rows
(``story_postings``, ``story_vectors``, ``story_df``), read per feed by any process, so a second daemon
or a restarted one joins a follow-up to the story another started without loading anything, retention
takes articles past the horizon out of them, and the upgrade fills them for the articles stored before."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from alembic import command
from monitor.config import RetentionConfig
from monitor.dedup.features import story_terms
from monitor.dedup.stage import Deduplicator
from monitor.dedup.storyindex import HORIZON
from monitor.dedup.storysnapshot import term_key
from monitor.model import Entry
from monitor.store.db import Database, open_database
from monitor.store.maintenance import prune
from monitor.store.migrate import alembic_config, upgrade_to_head
from monitor.store.storyterms import ARTICLES
from monitor.store.tables import StoryPosting, StoryTermCount, StoryVector
from tests.harness import START
from tests.test_dedup_state import store_feed
from tests.test_store_batch import SKAT

FIRST = Entry(title="Elbbrücke in Dresden nach Schaden gesperrt", link="https://a.example/1",
              summary="Die Carolabrücke in Dresden ist gesperrt. Gutachter prüfen die Stahlkonstruktion, "
                      "die Stadtverwaltung leitet den Verkehr über die Autobahn um.")
FOLLOW_UP = Entry(title="Dresden: Carolabrücke bleibt wochenlang gesperrt", link="https://b.example/7",
                  summary="Nach dem Schaden an der Carolabrücke rechnet die Stadtverwaltung mit Staus. "
                          "Gutachter sehen Risse in der Stahlkonstruktion über der Elbe.")
OTHER = Entry(title="Skatturnier im Gemeindehaus", link="https://s.example/1", summary=SKAT)


def _df(db: Database, *terms: str) -> list[int]:
    with db.session() as session:
        found = dict(session.execute(select(StoryTermCount.term, StoryTermCount.df)
                                     .where(StoryTermCount.term.in_([term_key(t) for t in terms]))).all())
        return [found.get(term_key(term), 0) for term in terms]


def _articles(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(StoryTermCount.df).where(StoryTermCount.term == ARTICLES)) or 0


def test_a_second_daemon_joins_a_copy_to_the_story_the_first_started(db: Database) -> None:
    first_daemon, second_daemon = Deduplicator(), Deduplicator()
    store_feed(db, first_daemon, "sport", [OTHER])
    (first,) = store_feed(db, first_daemon, "agentur", [FIRST])
    (follow_up,) = store_feed(db, second_daemon, "stadt", [FOLLOW_UP], START + timedelta(hours=3))
    assert follow_up.is_new and follow_up.id != first.id
    assert follow_up.story_id == first.story_id  # the second daemon measured it against the first's article
    assert db.dialect == "sqlite" or second_daemon.local is None  # on PostgreSQL it holds nothing afterwards


def test_a_restarted_daemon_loads_nothing_and_still_finds_the_story(db: Database) -> None:
    store_feed(db, Deduplicator(), "sport", [OTHER])
    (first,) = store_feed(db, Deduplicator(), "agentur", [FIRST])
    restarted = Deduplicator()
    (follow_up,) = store_feed(db, restarted, "stadt", [FOLLOW_UP], START + timedelta(hours=3))
    assert follow_up.story_id == first.story_id
    assert db.dialect == "sqlite" or restarted.local is None  # PostgreSQL: read per feed, nothing kept


def test_each_new_article_counts_once_in_the_term_frequencies(pg_schema_url: str) -> None:
    db = open_database(pg_schema_url, upgrade=True)
    stage = Deduplicator()
    store_feed(db, stage, "agentur", [FIRST, OTHER])
    store_feed(db, stage, "agentur", [FIRST, OTHER])  # repeats add nothing
    store_feed(db, stage, "stadt", [FOLLOW_UP])
    assert _articles(db) == 3
    shared = sorted(story_terms(FIRST) & story_terms(FOLLOW_UP))
    assert len(shared) >= 3
    assert _df(db, *shared) == [2] * len(shared)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryVector)) == 3
        postings = session.scalar(select(func.count()).select_from(StoryPosting))
    assert postings == sum(len(story_terms(e)) for e in (FIRST, OTHER, FOLLOW_UP))
    db.dispose()


def test_on_sqlite_only_the_vectors_are_stored_and_a_restart_fills_its_index_from_them(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'n.db'}", upgrade=True)
    store_feed(db, Deduplicator(), "sport", [OTHER])
    (first,) = store_feed(db, Deduplicator(), "agentur", [FIRST])
    restarted = Deduplicator()
    (follow_up,) = store_feed(db, restarted, "stadt", [FOLLOW_UP], START + timedelta(hours=3))
    assert follow_up.story_id == first.story_id and restarted.local is not None and len(restarted.local) == 3
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryVector)) == 3
        assert session.scalar(select(func.count()).select_from(StoryPosting)) == 0  # the process holds them
        assert session.scalar(select(func.count()).select_from(StoryTermCount)) == 0
    assert prune(db, RetentionConfig(), START + HORIZON + timedelta(days=1), HORIZON).story_terms == 3
    db.dispose()


def test_past_the_horizon_an_article_proposes_no_story_and_retention_takes_it_out(db: Database) -> None:
    store_feed(db, Deduplicator(), "sport", [OTHER])
    (first,) = store_feed(db, Deduplicator(), "agentur", [FIRST])
    later = START + HORIZON + timedelta(days=1)
    moved = Entry(title=FOLLOW_UP.title, link=FOLLOW_UP.link, summary=FOLLOW_UP.summary, published=START)
    (late,) = store_feed(db, Deduplicator(), "stadt", [moved], later)  # its story clock is the first's: in the window
    assert late.story_id != first.story_id  # but the first article was first seen before the horizon
    shared = db.dialect != "sqlite"  # SQLite's processes keep postings and frequencies in memory
    assert not shared or (_df(db, "dresden") == [2] and _articles(db) == 3)  # until retention runs
    pruned = prune(db, RetentionConfig(), later, HORIZON)
    assert pruned.story_terms == 2  # the two articles first seen before the horizon
    assert not shared or (_df(db, "dresden", "skatturnier") == [1, 0] and _articles(db) == 1)
    with db.session() as session:
        left = set(session.scalars(select(StoryPosting.article_id)))
        assert left == ({late.id} if shared else set())
        assert set(session.scalars(select(StoryVector.article_id))) == {late.id}
        rows = session.scalar(select(func.count()).select_from(StoryTermCount))
        assert rows == (len(story_terms(moved)) + 1 if shared else 0)


def test_the_upgrade_fills_the_story_state_from_the_stored_terms(db_url: str) -> None:
    db = Database(db_url)
    try:
        command.upgrade(alembic_config(db.engine), "0010")  # the schema before the story state
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO feeds (id, name, url, created_at, failures, disabled) "
                              "VALUES (1, 'f', 'https://example.org/f.xml', :now, 0, false)"), {"now": START})
            for story_id, seen in ((1, START), (2, START - timedelta(days=9))):
                row = {"id": story_id, "seen": seen}
                conn.execute(text("INSERT INTO stories (id, title, first_seen, last_seen, article_count, "
                                  "outlet_count) VALUES (:id, 't', :seen, :seen, 1, 1)"), row)
                conn.execute(text("INSERT INTO articles (id, feed_id, title, summary, first_seen) "
                                  "VALUES (:id, 1, 't', 's', :seen)"), row)
                terms = '{"title": ["dresden", "carolabruecke"], "text": ["gutachter", "stahlkonstruktion"]}'
                conn.execute(text("INSERT INTO article_features (article_id, story_id, content_hash, terms, at, "
                                  "first_seen, revision) VALUES (:id, :id, 'h', :terms, :seen, :seen, 1)"),
                             {"id": story_id, "seen": seen, "terms": terms})
        upgrade_to_head(db.engine)
        with db.engine.connect() as conn:
            vectors = conn.execute(text("SELECT article_id, story_id FROM story_vectors")).all()
            postings = conn.execute(text("SELECT count(*) FROM story_postings")).scalar()
            df = dict(conn.execute(text("SELECT term, df FROM story_df")).all())  # type: ignore[arg-type]
        assert [tuple(row) for row in vectors] == [(1, 1)]  # the old one is past the horizon
        if db.dialect == "sqlite":  # its processes fill their index from the vectors
            assert (postings, df) == (0, {})
        else:
            assert postings == 4 and df == {ARTICLES: 1, **{term_key(t): 1 for t in (
                "dresden", "carolabruecke", "gutachter", "stahlkonstruktion")}}
    finally:
        db.dispose()
