"""Storage: migrations on SQLite and PostgreSQL, and the unique keys that decide what is new."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import FeedConfig
from monitor.dedup.features import identity_keys
from monitor.dedup.stage import Deduplicator
from monitor.errors import StoreError
from monitor.model import Entry
from monitor.store import repo
from monitor.store.db import Database, open_database
from tests.harness import START


def _store(db: Database, feed: str, entries: list[Entry]) -> int:
    """New articles among the entries, through the dedup stage as a poll stores them."""
    with db.session() as session:
        repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{feed}.xml", name=feed)], START)
        state = repo.feed_state(session, feed)
        assert state is not None
        candidates = [repo.Candidate(e, identity_keys(e, state.id)) for e in entries]
        return sum(1 for stored in Deduplicator().store(session, state, candidates, START) if stored.is_new)


def test_unique_keys_decide_what_is_new_across_feeds_guids_and_tracking_parameters(db: Database) -> None:
    article = Entry(title="Gipfel in Budapest", link="https://Example.org/politik/gipfel.html?utm_source=rss",
                    guid="gipfel-2025-10-21")
    assert _store(db, "politik", [article, article]) == 1
    same_link = Entry(title="Gipfel in Budapest", link="https://example.org/politik/gipfel.html#kommentare")
    same_guid = Entry(title="Gipfel (aktualisiert)", link="https://example.org/x.html", guid="gipfel-2025-10-21")
    assert _store(db, "startseite", [same_link, same_guid]) == 0
    with db.session() as session:
        assert repo.article_count(session) == 1
        counts = dict((f.name, n) for f, n in repo.feed_rows(session))
    assert counts == {"politik": 1, "startseite": 1}


def test_short_guids_are_only_trusted_within_their_feed(db: Database) -> None:
    assert _store(db, "a", [Entry(title="Eins", guid="1")]) == 1
    assert _store(db, "b", [Entry(title="Etwas anderes", guid="1")]) == 1
    assert _store(db, "a", [Entry(title="Eins", guid="1")]) == 0


def test_a_database_behind_the_schema_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="newsmon db upgrade"):
        open_database(f"sqlite:///{tmp_path / 'empty.db'}")
