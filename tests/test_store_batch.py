"""Storing a feed as one batch leaves exactly the rows the entry-by-entry path leaves, on both
backends, and a concurrent writer that gets in between still cannot make an article twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import FeedConfig
from monitor.dedup import identity_keys
from monitor.model import Entry
from monitor.parse import parse
from monitor.store import batch, repo
from monitor.store.db import Database, open_database
from monitor.store.tables import Article, ArticleKey, ArticleSource
from tests.harness import START

CAPTURES = ("news-homereader-feeds/tagesschau.xml", "news-homereader-feeds/tagesschau2.xml",
            "fast-news-reader-feeds/tagesschau.xml", "corss-dec2024-snapshot/tagesschau.xml",
            "news-homereader-feeds/heise.xml", "fast-news-reader-feeds/heise.xml", "sz-feed/sz_alles_2025-03-09.xml")


def _ingest(db: Database, feeds: list[tuple[str, list[Entry]]], *, one_by_one: bool) -> list[list[int]]:
    stored: list[list[int]] = []
    for name, entries in feeds:
        with db.session() as session:
            repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{name}.xml", name=name)], START)
            state = repo.feed_state(session, name)
            assert state is not None
            candidates = [repo.Candidate(e, identity_keys(e, state.id)) for e in entries]
            store = repo._store_one_by_one if one_by_one else repo.store_new
            stored.append([a.id for a in store(session, state.id, candidates, START)])
    return stored


def _rows(db: Database) -> dict[str, Any]:
    with db.session() as session:
        return {
            "articles": sorted(session.execute(select(Article.id, Article.feed_id, Article.title, Article.link,
                                                      Article.guid, Article.summary, Article.body)).all()),
            "keys": sorted(session.execute(select(ArticleKey.key, ArticleKey.article_id)).all()),
            "sources": sorted(session.execute(select(ArticleSource.article_id, ArticleSource.feed_id)).all()),
        }


def test_batch_and_entry_by_entry_store_the_same_rows(db: Database, realdata: Path, tmp_path: Path) -> None:
    feeds = [(path.replace("/", "-"), list(parse((realdata / path).read_bytes(), "https://example.org/").entries))
             for path in CAPTURES]
    repeated = feeds[0][1][:5]
    feeds.append(("doppelt", repeated + repeated + [Entry(title="ohne Schlüssel")]))  # duplicates inside one feed
    feeds.append(feeds[1])  # a feed polled again: nothing new
    reference = open_database(f"sqlite:///{tmp_path / 'ref.db'}", upgrade=True)
    try:
        expected = _ingest(reference, feeds, one_by_one=True)
        assert _ingest(db, feeds, one_by_one=False) == expected
        assert _rows(db) == _rows(reference)
    finally:
        reference.dispose()
    assert sum(map(len, expected)) < sum(len(entries) for _, entries in feeds)  # the captures overlap


def test_a_writer_that_stored_the_article_in_between_wins(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Entry(title="Gipfel in Budapest", link="https://example.org/gipfel.html", guid="gipfel-2025-10-21")
    assert _ingest(db, [("politik", [entry])], one_by_one=False) == [[1]]
    monkeypatch.setattr(batch, "known_keys", lambda session, keys: {})  # as if read before the other commit
    fresh = Entry(title="Neu", link="https://example.org/neu.html")
    (new,) = _ingest(db, [("startseite", [entry, fresh])], one_by_one=False)  # PostgreSQL skips the ids it rolled back
    rows = _rows(db)
    assert [(a[0], a[2]) for a in rows["articles"]] == [(1, "Gipfel in Budapest"), (new[0], "Neu")]
    assert rows["sources"] == [(1, 1), (1, 2), (new[0], 2)]
