"""The one executor of the dedup stage's decisions: a feed's decisions written together.

Every decision's rows are collected in ``FeedWrites`` and written with one ``executemany`` per
table, then the revisions (their rows, the articles whose text they replace, the features'
revision numbers), all inside one savepoint. The unique keys of ``article_keys`` decide: when a
concurrent writer stored one of the keys first, the savepoint is rolled back and ``carry_out``
returns None, and the stage decides the feed again on what is stored now. Storage returns what
flows on to matching: new articles, revisions, and known texts that a story counts at one more
outlet for the first time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.store.decisions import Decision, Link, New, Revise
from monitor.store.repo import StoredArticle
from monitor.store.tables import Article, ArticleFeatures, ArticleRevision
from monitor.store.writes import FeedWrites, insert_rows

_ARTICLES: Table = Article.__table__  # type: ignore[assignment]
_FEATURES: Table = ArticleFeatures.__table__  # type: ignore[assignment]


def carry_out(session: Session, feed_id: int, now: datetime,
              decisions: Sequence[Decision]) -> list[StoredArticle] | None:
    """Write the decisions of one feed; what flows on to matching, in the entries' order, or None when a
    concurrent writer won a unique key (nothing of the feed is written then)."""
    writes = FeedWrites(feed_id, now)
    revisions: list[Revise] = []
    for decision in decisions:
        if isinstance(decision, New):
            writes.article(decision.article_id, decision.entry, decision.keys, decision.outlet)
            writes.story(decision.story_id, decision.starts_story, decision.article_id, decision.entry.title,
                         decision.outlet)
            writes.feature(decision.article_id, decision.story_id, decision.features)
        elif decision.keys or decision.new_source:
            writes.link(decision.article_id, list(decision.keys), decision.entry, decision.outlet,
                        decision.story_id, decision.new_source)
        if isinstance(decision, Revise):
            revisions.append(decision)
    try:
        with session.begin_nested():
            counted = writes.flush(session)
            _revise(session, feed_id, now, revisions)
    except IntegrityError:
        return None
    return _flowing(feed_id, decisions, counted)


def _revise(session: Session, feed_id: int, now: datetime, revisions: list[Revise]) -> None:
    """Revision rows in the entries' order; a replacing version's text becomes the article's."""
    if not revisions:
        return
    insert_rows(session, ArticleRevision, [
        {"article_id": r.article_id, "revision": r.revision, "feed_id": feed_id, "title": r.entry.title,
         "link": r.entry.link, "summary": r.entry.summary, "body": r.entry.body or None, "seen_at": now}
        for r in revisions])
    connection = session.connection()
    replacing = [r for r in revisions if r.replaces_text]
    if replacing:
        connection.execute(
            update(_ARTICLES).where(_ARTICLES.c.id == bindparam("aid")).values(
                title=bindparam("title"), summary=bindparam("summary"), body=bindparam("body")),
            [{"aid": r.article_id, "title": r.entry.title, "summary": r.entry.summary, "body": r.entry.body or None}
             for r in replacing])
        connection.execute(
            update(_FEATURES).where(_FEATURES.c.article_id == bindparam("aid")).values(
                revision=bindparam("rev"), content_hash=bindparam("digest")),
            [{"aid": r.article_id, "rev": r.revision, "digest": r.content_hash} for r in replacing])
    kept = [r for r in revisions if not r.replaces_text]
    if kept:
        connection.execute(
            update(_FEATURES).where(_FEATURES.c.article_id == bindparam("aid")).values(revision=bindparam("rev")),
            [{"aid": r.article_id, "rev": r.revision} for r in kept])


def _flowing(feed_id: int, decisions: Sequence[Decision], counted: set[tuple[int, str]]) -> list[StoredArticle]:
    out: list[StoredArticle] = []
    for decision in decisions:
        if isinstance(decision, New):
            out.append(StoredArticle(decision.article_id, feed_id, decision.entry, story_id=decision.story_id))
        elif isinstance(decision, Revise):
            out.append(StoredArticle(decision.article_id, decision.article_feed_id, decision.entry,
                                     story_id=decision.story_id, revision=decision.revision,
                                     previous=decision.previous))
        elif _grown(decision, counted):  # one more outlet: the story's trending may change
            out.append(StoredArticle(decision.article_id, feed_id, decision.entry, story_id=decision.story_id,
                                     repeat=True))
    return out


def _grown(decision: Link, counted: set[tuple[int, str]]) -> bool:
    """The first new source of the feed that a story counts at its outlet for the first time."""
    pair = (decision.story_id, decision.outlet)
    if not decision.new_source or decision.story_id is None or pair not in counted:
        return False
    counted.discard(pair)
    return True
