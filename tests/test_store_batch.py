"""The dedup stage decides a feed's entries as one batch; the result is exactly what the
entry-by-entry path leaves (articles, keys, sources, features, stories), on both backends, and a
concurrent writer that gets in between still cannot make an article twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import FeedConfig
from monitor.dedup import stage as identity
from monitor.dedup.features import fingerprint_key, identity_keys
from monitor.dedup.stage import Deduplicator
from monitor.feeds.parse.reader import parse
from monitor.model import Entry, Validators
from monitor.store import repo
from monitor.store.db import Database, open_database
from monitor.store.tables import Article, ArticleFeatures, ArticleKey, ArticleSource, Story, StoryOutlet
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


def _ingest(db: Database, feeds: list[tuple[str, list[Entry]]],
            stage: Deduplicator | None = None) -> list[list[tuple[int, bool, int | None]]]:
    """Each feed through the dedup stage (one process's, or a new one) in its own transaction: (article,
    is new, story) of what came out."""
    stage = stage or Deduplicator()
    out = []
    for name, entries in feeds:
        with db.session() as session:
            repo.sync_feeds(session, [FeedConfig(url=f"https://example.org/{name}.xml", name=name)], START)
        with db.session() as session:
            state = repo.feed_state(session, name)
        assert state is not None
        feed = repo.FeedState(state.id, name, state.url, Validators(), 0)
        candidates = [repo.Candidate(e, identity_keys(e, state.id)) for e in entries]
        with stage.stage(), db.session() as session:
            out.append([(a.id, a.is_new, a.story_id) for a in stage.store(session, feed, candidates, START)])
    return out


def _numbers(db: Database) -> tuple[dict[int, int], dict[int, int]]:
    """Articles and stories numbered 1, 2, … in id order: PostgreSQL skips the ids a batch reserved and
    did not use, so ids are compared by their order, not their value."""
    with db.session() as session:
        articles = session.scalars(select(Article.id).order_by(Article.id)).all()
        stories = session.scalars(select(Story.id).order_by(Story.id)).all()
    return {a: n for n, a in enumerate(articles, 1)}, {s: n for n, s in enumerate(stories, 1)}


def _renumbered(db: Database, out: list[list[tuple[int, bool, int | None]]]) -> list[list[tuple[int, bool, int]]]:
    article, story = _numbers(db)
    return [[(article[a], new, story.get(s or 0, 0)) for a, new, s in feed] for feed in out]


def _rows(db: Database) -> dict[str, Any]:
    a, s = _numbers(db)
    with db.session() as session:
        return {
            "articles": sorted((a[i], *rest) for i, *rest in session.execute(select(
                Article.id, Article.feed_id, Article.title, Article.link, Article.guid, Article.summary,
                Article.body))),
            "keys": sorted((key, a[i]) for key, i in session.execute(select(ArticleKey.key, ArticleKey.article_id))),
            "sources": sorted((a[i], f, outlet, link) for i, f, outlet, link in session.execute(
                select(ArticleSource.article_id, ArticleSource.feed_id, ArticleSource.outlet, ArticleSource.link))),
            "features": sorted((a[i], s.get(story or 0, 0), digest, signature, revision)
                               for i, story, digest, signature, revision in session.execute(
                select(ArticleFeatures.article_id, ArticleFeatures.story_id, ArticleFeatures.content_hash,
                       ArticleFeatures.signature, ArticleFeatures.revision))),
            "stories": sorted((s[i], a.get(first or 0, 0), title, articles, outlets)
                              for i, first, title, articles, outlets in session.execute(
                select(Story.id, Story.first_article_id, Story.title, Story.article_count, Story.outlet_count))),
            "outlets": sorted((s[i], outlet) for i, outlet in session.execute(
                select(StoryOutlet.story_id, StoryOutlet.outlet))),
        }


def _entry_by_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch decides nothing: every entry takes the entry-by-entry path (the reference)."""
    monkeypatch.setattr(Deduplicator, "_batch", lambda self, session, feed, prepared, found, now: ([], prepared))


def test_batch_and_entry_by_entry_store_the_same_rows(db: Database, realdata: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = [(path.replace("/", "-"), list(parse((realdata / path).read_bytes(), "https://example.org/").entries))
             for path in CAPTURES]
    repeated = feeds[0][1][:5]
    feeds.append(("doppelt", repeated + repeated + [Entry(title="ohne Schlüssel")]))  # duplicates inside one feed
    feeds.append(feeds[1])  # a feed polled again: nothing new
    long = [entry for _name, entries in feeds[4:8] for entry in entries if fingerprint_key(entry)]
    feeds.append(("kopie", [Entry(title=e.title, link=f"https://kopie.example/{n}", summary=e.summary, body=e.body,
                                  published=e.published) for n, e in enumerate(long[:8])]))  # at another outlet
    wire = [Entry(title=e.title, guid=f"agentur-meldung-{n}", summary=e.summary, body=e.body, published=e.published)
            for n, e in enumerate(long[8:12])]  # no link: the feed is the outlet
    feeds += [("agentur-a", wire), ("agentur-b", wire)]
    first = Entry(title="Brücke über die Elbe gesperrt", link="https://nah.example/1", summary=ELBE)
    edited = Entry(title="Elbbrücke gesperrt", link="https://nah.example/2", summary=ELBE + " Mehr in Kürze.")
    feeds.append(("nah", [first, edited]))  # an article and its edited copy in one feed
    batched = _ingest(db, feeds)
    reference = open_database(f"sqlite:///{tmp_path / 'ref.db'}", upgrade=True)
    try:
        with monkeypatch.context() as patch:
            _entry_by_entry(patch)
            expected = _ingest(reference, feeds)
        assert _renumbered(db, batched) == _renumbered(reference, expected)
        assert _rows(db) == _rows(reference)
    finally:
        reference.dispose()
    assert sum(map(len, expected)) < sum(len(entries) for _, entries in feeds)  # the captures overlap
    assert any(not new for _id, new, _story in expected[-3])  # copies at one more outlet came out
    assert len(expected[-2]) == 4 and not any(new for _id, new, _story in expected[-2])
    assert [new for _id, new, _story in expected[-1]] == [True, False]  # the edited copy is a revision
    assert len({story for feed in expected for _id, _new, story in feed}) < sum(map(len, expected))


def _first_lookup_misses(real: Callable[..., dict[str, int]]) -> Callable[..., dict[str, int]]:
    calls = iter(range(10**6))

    def lookup(session: Any, keys: Any) -> dict[str, int]:
        keys = list(keys)
        return {} if next(calls) == 0 else real(session, keys)  # as if read before the other writer committed

    return lookup


def test_a_writer_that_stored_the_article_in_between_wins(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Entry(title="Gipfel in Budapest", link="https://example.org/gipfel.html", guid="gipfel-2025-10-21")
    ((_first, new, _story),), = _ingest(db, [("politik", [entry])])
    assert new
    monkeypatch.setattr(identity, "known_keys", _first_lookup_misses(identity.known_keys))
    fresh = Entry(title="Neu", link="https://example.org/neu.html")
    (out,) = _ingest(db, [("startseite", [entry, fresh])])  # the batch fails on the unique key, then entry by entry
    rows = _rows(db)  # articles numbered in id order
    assert [(a[0], a[2]) for a in rows["articles"]] == [(1, "Gipfel in Budapest"), (2, "Neu")]
    assert [source[:2] for source in rows["sources"]] == [(1, 1), (1, 2), (2, 2)]
    assert [row[0] for row in rows["features"]] == [1, 2]  # no features of the rolled-back copy
    assert [(new, story) for _id, new, story in _renumbered(db, [out])[0]] == [(True, 2)]


def test_a_process_sees_what_another_stored_since_it_last_looked(db: Database) -> None:
    one, other = Deduplicator(), Deduplicator()  # the indexes of two daemons on one database
    ((_skat, _, _),), = _ingest(db, [("sport", [Entry(title="Skat", link="https://s.example/1", summary=SKAT)])], one)
    ((first, new, story),), = _ingest(db, [("agentur", [Entry(title="Elbbrücke gesperrt",
                                                              link="https://a.example/1", summary=ELBE)])], other)
    edited = Entry(title="Elbbrücke bleibt gesperrt", link="https://b.example/1", summary=ELBE + " Mehr in Kürze.")
    ((article, revised_new, revised_story),), = _ingest(db, [("stadt", [edited])], one)
    assert new and (article, revised_new, revised_story) == (first, False, story)  # a revision of the other's
