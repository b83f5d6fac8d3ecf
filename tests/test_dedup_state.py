"""Dedup state shared through the database: near-duplicate band keys are rows (``article_bands``),
found per feed by any process, filled for the articles stored before the upgrade, never held in
a process's memory."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from alembic import command
from monitor.config import FeedConfig
from monitor.dedup.features import content_words, identity_keys, signature
from monitor.dedup.nearindex import band_keys
from monitor.dedup.stage import Deduplicator
from monitor.dedup.storyindex import pack
from monitor.model import Entry
from monitor.store import repo
from monitor.store.db import Database
from monitor.store.migrate import alembic_config, upgrade_to_head
from monitor.store.tables import ArticleBand
from tests.harness import START
from tests.test_store_batch import ELBE, SKAT


def store_feed(db: Database, stage: Deduplicator, name: str, entries: list[Entry],
           now: datetime = START) -> list[repo.StoredArticle]:
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{name}.xml", name=name)], START)
    with db.session() as session:
        feed = repo.feed_state(session, name)
    assert feed is not None
    with stage.stage(), db.session() as session:
        return stage.store(session, feed, [repo.Candidate(e, identity_keys(e, feed.id)) for e in entries], now)


def test_a_fresh_process_finds_a_near_duplicate_without_loading_signatures(db: Database) -> None:
    (first,) = store_feed(db, Deduplicator(), "agentur", [Entry(title="Elbbrücke gesperrt", link="https://a.example/1",
                                                           summary=ELBE)])
    restarted = Deduplicator()
    edited = Entry(title="Elbbrücke bleibt gesperrt", link="https://b.example/1", summary=ELBE + " Mehr in Kürze.")
    (copy,) = store_feed(db, restarted, "stadt", [edited])
    assert (copy.id, copy.revision, copy.previous is not None) == (first.id, 2, True)
    assert db.dialect == "sqlite" or restarted.local is None  # PostgreSQL: no band keys or story state held
    with db.session() as session:
        stored = sorted(session.scalars(select(ArticleBand.band).where(ArticleBand.article_id == first.id)))
    expected = signature(content_words(Entry(title="Elbbrücke gesperrt", summary=ELBE)))
    assert stored == sorted(band_keys(expected)) and len(stored) == 32


def test_band_keys_older_than_the_horizon_propose_nothing(db: Database) -> None:
    store_feed(db, Deduplicator(), "agentur", [Entry(title="Elbbrücke gesperrt", link="https://a.example/1",
                                                 summary=ELBE)])
    edited = Entry(title="Elbbrücke bleibt gesperrt", link="https://b.example/1", summary=ELBE + " Mehr in Kürze.")
    (later,) = store_feed(db, Deduplicator(), "stadt", [edited], START + timedelta(days=8))
    assert later.is_new  # eight days on, the first article is past the horizon: a new article


def test_the_upgrade_fills_band_keys_from_the_stored_signatures(db_url: str) -> None:
    db = Database(db_url)
    try:
        command.upgrade(alembic_config(db.engine), "0004")  # the schema before the band keys
        recent, old = (signature(content_words(Entry(title=t, summary=s))) for t, s in (("Elbe", ELBE), ("Skat", SKAT)))
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO feeds (id, name, url, created_at, failures, disabled) "
                              "VALUES (1, 'f', 'https://example.org/f.xml', :now, 0, false)"), {"now": START})
            for article_id, sig, seen in ((1, recent, START), (2, old, START - timedelta(days=9))):
                conn.execute(text("INSERT INTO articles (id, feed_id, title, summary, first_seen) "
                                  "VALUES (:id, 1, 't', 's', :seen)"), {"id": article_id, "seen": seen})
                conn.execute(text("INSERT INTO article_features (article_id, content_hash, signature, terms, at, "
                                  "first_seen, revision) VALUES (:id, 'h', :sig, '{}', :seen, :seen, 1)"),
                             {"id": article_id, "sig": pack(sig), "seen": seen})
        upgrade_to_head(db.engine)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT article_id, band FROM article_bands")).all()
        assert sorted(band for _id, band in rows) == sorted(band_keys(recent))  # the old one is past the horizon
        assert {article_id for article_id, _band in rows} == {1}
    finally:
        db.dispose()
