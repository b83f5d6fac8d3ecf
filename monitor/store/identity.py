"""The dedup stage: decide for each parsed entry whether it is a new article, a repeat, or a new
version of a known one, and which story it belongs to (DESIGN.md §5).

1. Identity and fingerprint keys (``url:``, ``guid:``, ``fp:``) against the unique keys of
   ``article_keys``: a hit is a known article; this feed becomes one more source of it.
2. A known article whose text changed (a version not seen before, remembered as a per-article
   ``ver:`` key) gains a revision; an update under the same URL/GUID becomes the article's text.
3. No key hit: MinHash LSH over the recent articles. A near-duplicate joins that article as a
   revision (the copy's text is kept in ``article_revisions``; its URL becomes a key).
4. Otherwise a new article: stored, its features saved, assigned to a story.

Only new articles and revisions flow on to matching. One ``Deduplicator`` per process owns the
in-memory index; the stage runs under its lock, and a failed transaction drops the index (it is
rebuilt from the database on the next use).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor import dedup
from monitor.model import Document, Entry
from monitor.store import stories
from monitor.store.batch import known_keys
from monitor.store.repo import Candidate, FeedState, StoredArticle
from monitor.store.tables import Article, ArticleFeatures, ArticleKey, ArticleRevision, ArticleSource
from monitor.stories import StoryIndex
from monitor.stories import features as features_of


def outlet_of(link: str | None, feed_name: str) -> str:
    """The outlet behind a link: its host without ``www.``; the feed's name when there is no link."""
    host = (urlsplit(link).hostname or "") if link else ""
    host = host.removeprefix("www.")
    return host or feed_name


class Deduplicator:
    """Owns the in-memory near-duplicate and story index of one process."""

    def __init__(self) -> None:
        self.index = StoryIndex()
        self.lock = threading.Lock()

    @contextmanager
    def stage(self) -> Iterator[Deduplicator]:
        with self.lock:
            try:
                yield self
            except BaseException:
                self.index = StoryIndex()  # it may hold rows that were rolled back
                raise

    def store(self, session: Session, feed: FeedState, candidates: Iterable[Candidate],
              now: datetime) -> list[StoredArticle]:
        """New articles and new versions of known ones; repeats only gain a source."""
        stories.load_index(session, self.index, now)
        out: list[StoredArticle] = []
        for candidate in candidates:
            if candidate.keys:
                stored = self._one(session, feed, candidate, now)
                if stored is not None:
                    out.append(stored)
        return out

    def _one(self, session: Session, feed: FeedState, candidate: Candidate, now: datetime) -> StoredArticle | None:
        entry = candidate.entry
        tokens = dedup.content_words(entry)
        fp = dedup.fingerprint_key(entry, tokens)
        version = _version_key(candidate.keys[0], dedup.content_hash(entry))
        keys = candidate.keys + ((fp,) if fp else ())
        outlet = outlet_of(entry.link, feed.name)
        found = known_keys(session, (*keys, version))
        existing = found.get(version) or next((found[key] for key in keys if key in found), None)
        near = False
        signature = None
        if existing is None:
            signature = dedup.signature(tokens)
            existing = _near(session, self.index.near_candidates(signature), tokens)
            near = existing is not None
        if existing is None:
            inserted = _insert(session, feed, entry, (*keys, version), outlet, now)
            if inserted is not None:
                if signature is None:
                    signature = dedup.signature(tokens)
                return self._features(session, inserted, entry, signature, outlet, now)
            found = known_keys(session, (*keys, version))
            existing = next((found[key] for key in keys if key in found), None)
            if existing is None:
                return None
        new_source = _link(session, existing, feed.id, [k for k in keys if k not in found], outlet, entry.link, now)
        grown = False
        if new_source:
            story_id = self._story_of(session, existing)
            grown = story_id is not None and stories.add_outlet(session, story_id, outlet, now)
        if version in found or _same_text(session, existing, entry, version):  # a version seen before: a repeat
            if grown:  # … at one more outlet: only the story's trending may change
                return StoredArticle(existing, feed.id, entry, story_id=self._story_of(session, existing), repeat=True)
            return None
        return _revise(session, existing, feed, entry, version, near, self._story_of(session, existing), now)

    def _story_of(self, session: Session, article_id: int) -> int | None:
        known = self.index.items.get(article_id)
        return known.story_id if known is not None else stories.story_of(session, article_id)

    def _features(self, session: Session, article: Article, entry: Entry, signature: np.ndarray | None,
                  outlet: str, now: datetime) -> StoredArticle:
        features = features_of(article.id, entry, now, signature)
        story_id = stories.join_or_create(session, self.index.story_for(features), article.id, entry.title, outlet,
                                          now)
        features.story_id = story_id
        stories.save_features(session, features, entry_hash(entry))
        self.index.add(features)
        return StoredArticle(article.id, article.feed_id, entry, story_id=story_id)


def _near(session: Session, candidates: list[int], tokens: list[str]) -> int | None:
    for article_id in candidates[:5]:
        article = session.get(Article, article_id)
        if article is None:
            continue
        stored = Entry(title=article.title, summary=article.summary, body=article.body or "")
        if dedup.near_duplicate(tokens, dedup.content_words(stored)):
            return article_id
    return None


def entry_hash(entry: Entry) -> str:
    return dedup.content_hash(entry)


def _version_key(identity: str, content_hash: str) -> str:
    """One version of the text under one identity (URL/GUID): seen before means a repeat."""
    return "ver:" + hashlib.sha1(f"{identity}\n{content_hash}".encode()).hexdigest()


def _insert(session: Session, feed: FeedState, entry: Entry, keys: tuple[str, ...], outlet: str,
            now: datetime) -> Article | None:
    try:
        with session.begin_nested():
            article = Article(feed_id=feed.id, title=entry.title, link=entry.link, guid=entry.guid,
                              summary=entry.summary, body=entry.body or None, author=entry.author,
                              published=entry.published, first_seen=now)
            session.add(article)
            session.flush()
            session.add_all(ArticleKey(key=key, article_id=article.id) for key in keys)
            session.add(ArticleSource(article_id=article.id, feed_id=feed.id, seen_at=now, outlet=outlet[:200],
                                      link=entry.link))
            session.flush()
    except IntegrityError:
        return None  # another writer stored it first: the unique key decided
    return article


def _link(session: Session, article_id: int, feed_id: int, missing: list[str], outlet: str, link: str | None,
          now: datetime) -> bool:
    """Add the keys not known yet and this feed as a source; True when the source is new."""
    new_source = session.get(ArticleSource, (article_id, feed_id)) is None
    if not missing and not new_source:
        return False
    try:
        with session.begin_nested():
            session.add_all(ArticleKey(key=key, article_id=article_id) for key in missing)
            if new_source:
                session.add(ArticleSource(article_id=article_id, feed_id=feed_id, seen_at=now, outlet=outlet[:200],
                                          link=link))
            session.flush()
    except IntegrityError:
        return False  # a concurrent writer linked it; nothing is lost
    return new_source


def _same_text(session: Session, article_id: int, entry: Entry, version: str) -> bool:
    """The article's current text under another identity (a wire copy), or its teaser again from a feed
    whose articles get their body from the page (``fulltext``): remember the version, no revision."""
    features = session.get(ArticleFeatures, article_id)
    if features is None:
        return False
    if features.content_hash != entry_hash(entry):
        article = session.get_one(Article, article_id)
        if entry.body or not article.body or (article.title, article.summary) != (entry.title, entry.summary):
            return False
    try:
        with session.begin_nested():
            session.add(ArticleKey(key=version, article_id=article_id))
            session.flush()
    except IntegrityError:
        pass
    return True


def _revise(session: Session, article_id: int, feed: FeedState, entry: Entry, version: str, near: bool,
            story_id: int | None, now: datetime) -> StoredArticle | None:
    """A version of the article not seen before becomes a revision."""
    article = session.get_one(Article, article_id)
    previous = Document(article.title, article.summary, article.body or "")
    features = session.get(ArticleFeatures, article_id)
    revision = (features.revision if features else 1) + 1
    try:
        with session.begin_nested():
            session.add(ArticleKey(key=version, article_id=article_id))
            session.add(ArticleRevision(article_id=article_id, revision=revision, feed_id=feed.id, title=entry.title,
                                        link=entry.link, summary=entry.summary, body=entry.body or None,
                                        seen_at=now))
            session.flush()
    except IntegrityError:
        return None  # a concurrent writer recorded this version
    if features is not None:
        features.revision = revision
    if not near:  # an update under the same URL or GUID: the newest version is the article's text
        article.title, article.summary, article.body = entry.title, entry.summary, entry.body or None
        if features is not None:
            features.content_hash = entry_hash(entry)
    return StoredArticle(article_id, article.feed_id, entry, story_id=story_id, revision=revision,
                         previous=previous)
