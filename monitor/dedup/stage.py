"""The dedup stage: decide for each parsed entry whether it is a new article, a repeat, or a new
version of a known one, and which story it belongs to (docs/architecture.md §4).

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

A feed's entries are decided together (``Deduplicator._batch``): one key lookup for all of them,
repeats skipped in memory, new articles and known texts at a new source written with one
``executemany`` per table (``store/writes.py``). Revisions and near-duplicates go through the
entry-by-entry path (``Deduplicator._one``), which also takes over the whole feed when a
concurrent writer won a unique key; both leave the same rows (``tests/test_store_batch.py``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.dedup import features as dedup
from monitor.dedup.storyindex import StoryIndex
from monitor.dedup.storyindex import features as features_of
from monitor.model import Document, Entry
from monitor.store import storyrows as stories
from monitor.store.batch import known_keys, sourced_by
from monitor.store.ids import Ids
from monitor.store.repo import Candidate, FeedState, StoredArticle
from monitor.store.tables import Article, ArticleFeatures, ArticleKey, ArticleRevision, ArticleSource, Story
from monitor.store.writes import FeedWrites

OUTLET_CHARS = 200  # the width of the outlet columns (``article_sources``, ``story_outlets``)


def outlet_of(link: str | None, feed_name: str) -> str:
    """The outlet behind a link: its host without ``www.``; the feed's name when there is no link."""
    host = (urlsplit(link).hostname or "") if link else ""
    host = host.removeprefix("www.")
    return (host or feed_name)[:OUTLET_CHARS]


@dataclass(slots=True)
class _Prepared:
    """An entry with what every step of the stage needs of it, computed once."""

    position: int  # in the feed: the order of the stage's output
    entry: Entry
    keys: tuple[str, ...]  # identity keys, then the fingerprint key where the text is long enough
    version: str
    tokens: list[str]
    digest: str  # content hash
    outlet: str


def _prepare(position: int, candidate: Candidate, feed_name: str) -> _Prepared:
    entry = candidate.entry
    tokens = dedup.content_words(entry)
    digest = dedup.content_hash(entry, tokens)
    fp = dedup.fingerprint_key(entry, tokens, digest)
    return _Prepared(position, entry, candidate.keys + ((fp,) if fp else ()), _version_key(candidate.keys[0], digest),
                     tokens, digest, outlet_of(entry.link, feed_name))


@dataclass(slots=True)
class _Batch:
    """What deciding one feed's entries together keeps track of."""

    writes: FeedWrites
    found: dict[str, int]  # keys stored before the batch: their article
    sourced: set[int]  # known articles this feed is a source of
    digests: dict[int, str]  # current content hash of the known articles hit under a new version key
    pending: set[str] = field(default_factory=set)  # keys the batch writes
    unwritten: dict[int, list[str]] = field(default_factory=dict)  # the words of the articles it writes
    linked: list[tuple[_Prepared, int, int | None]] = field(default_factory=list)  # new sources: entry, article, story


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
        """New articles and new versions of known ones; repeats only gain a source.

        A feed's entries are decided together: one key lookup, repeats skipped in memory, new articles
        written with one executemany per table (``FeedWrites``) in one savepoint. Entries that touch a known
        article (a new source, key or version) or one stored earlier in the same batch, and near-duplicates,
        then take the entry-by-entry path, as does the whole feed if a concurrent writer got in between."""
        stories.load_index(session, self.index, now)
        prepared = [_prepare(n, c, feed.name) for n, c in enumerate(candidates) if c.keys]
        found = known_keys(session, (key for p in prepared for key in (*p.keys, p.version)))
        try:
            with session.begin_nested():
                done, later = self._batch(session, feed, prepared, found, now)
        except IntegrityError:
            self.index = StoryIndex()  # it holds the rolled-back articles
            stories.load_index(session, self.index, now)
            done, later = [], prepared
        for item in later:
            stored = self._one(session, feed, item, now)
            if stored is not None:
                done.append((item.position, stored))
        return [stored for _position, stored in sorted(done, key=lambda pair: pair[0])]

    def _batch(self, session: Session, feed: FeedState, prepared: list[_Prepared], found: dict[str, int],
               now: datetime) -> tuple[list[tuple[int, StoredArticle]], list[_Prepared]]:
        """Store the clearly new entries of a feed and link the known texts; returns them and the entries
        left for ``_one``."""
        hits = {item.position: _hit(found, item) for item in prepared}
        fresh = sum(1 for hit in hits.values() if hit is None)  # at most this many new articles and stories
        writes = FeedWrites(feed.id, now, Ids(session, Article, fresh), Ids(session, Story, fresh))
        batch = _Batch(writes, found, sourced_by(session, feed.id, found.values()),
                       stories.content_hashes(session, [hit for item in prepared if item.version not in found
                                                        and (hit := hits[item.position]) is not None]))
        done: list[tuple[int, StoredArticle]] = []
        later: list[_Prepared] = []
        for item in prepared:
            hit = hits[item.position]
            if hit is not None:
                if not self._known(session, batch, item, hit):
                    later.append(item)  # a new version of a known article, or its text changed
                continue
            keys = (*item.keys, item.version)
            if not batch.pending.isdisjoint(keys):
                later.append(item)  # a copy of an article this batch stored moments ago
                continue
            signature = dedup.signature(item.tokens)
            if _near(session, self.index.near_candidates(signature), item.tokens, batch.unwritten) is not None:
                later.append(item)  # a near-duplicate: a revision of a known article
                continue
            batch.pending.update(keys)
            article_id = batch.writes.article(item.entry, keys, item.outlet)
            batch.unwritten[article_id] = item.tokens
            features = features_of(article_id, item.entry, now, signature)
            features.story_id = batch.writes.story(self.index.story_for(features), article_id, item.entry.title,
                                                   item.outlet)
            batch.writes.feature(features, item.digest)
            self.index.add(features)
            done.append((item.position, StoredArticle(article_id, feed.id, item.entry, story_id=features.story_id)))
        counted = batch.writes.flush(session)
        for item, article_id, story_id in batch.linked:  # one more outlet: the story's trending may change
            if story_id is not None and (story_id, item.outlet) in counted:
                counted.discard((story_id, item.outlet))
                done.append((item.position, StoredArticle(article_id, feed.id, item.entry, story_id=story_id,
                                                          repeat=True)))
        return done, later

    def _known(self, session: Session, batch: _Batch, item: _Prepared, hit: int) -> bool:
        """A known text: a version seen before, or the article's current text under another identity (a wire
        copy). Links it (keys, source, outlet) and returns True; False leaves it for ``_one``."""
        version_known = item.version in batch.found
        if not version_known and batch.digests.get(hit) != item.digest:
            return False
        extra = [key for key in item.keys if key not in batch.found] + ([] if version_known else [item.version])
        if not batch.pending.isdisjoint(extra):
            return False
        new_source = hit not in batch.sourced
        if extra or new_source:
            story_id = self._story_of(session, hit)
            batch.writes.link(hit, extra, item.entry, item.outlet, story_id, new_source)
            if new_source:
                batch.linked.append((item, hit, story_id))
            batch.pending.update(extra)
            batch.sourced.add(hit)
        return True

    def _one(self, session: Session, feed: FeedState, item: _Prepared, now: datetime) -> StoredArticle | None:
        entry, keys, version, outlet = item.entry, item.keys, item.version, item.outlet
        found = known_keys(session, (*keys, version))
        existing = _hit(found, item)
        near = False
        signature = None
        if existing is None:
            signature = dedup.signature(item.tokens)
            existing = _near(session, self.index.near_candidates(signature), item.tokens)
            near = existing is not None
        if existing is None:
            inserted = _insert(session, feed, entry, (*keys, version), outlet, now)
            if inserted is not None:
                return self._features(session, inserted, item, signature, now)
            found = known_keys(session, (*keys, version))
            existing = next((found[key] for key in keys if key in found), None)
            if existing is None:
                return None
        new_source = _link(session, existing, feed.id, [k for k in keys if k not in found], outlet, entry.link, now)
        grown = False
        if new_source:
            story_id = self._story_of(session, existing)
            grown = story_id is not None and stories.add_outlet(session, story_id, outlet, now)
        if version in found or _same_text(session, existing, item):  # a version seen before: a repeat
            if grown:  # … at one more outlet: only the story's trending may change
                return StoredArticle(existing, feed.id, entry, story_id=self._story_of(session, existing), repeat=True)
            return None
        return _revise(session, existing, feed, item, near, self._story_of(session, existing), now)

    def _story_of(self, session: Session, article_id: int) -> int | None:
        known = self.index.items.get(article_id)
        return known.story_id if known is not None else stories.story_of(session, article_id)

    def _features(self, session: Session, article: Article, item: _Prepared, signature: np.ndarray | None,
                  now: datetime) -> StoredArticle:
        features = features_of(article.id, item.entry, now, signature)
        story_id = stories.join_or_create(session, self.index.story_for(features), article.id, item.entry.title,
                                          item.outlet, now)
        features.story_id = story_id
        stories.save_features(session, features, item.digest)
        self.index.add(features)
        return StoredArticle(article.id, article.feed_id, item.entry, story_id=story_id)


def _hit(found: dict[str, int], item: _Prepared) -> int | None:
    """The known article an entry is: the one its version belongs to, else the one of its first known key."""
    return next((found[key] for key in (item.version, *item.keys) if key in found), None)


def _near(session: Session, candidates: list[int], tokens: list[str],
          unwritten: dict[int, list[str]] | None = None) -> int | None:
    """The first of the candidates whose text this one nearly repeats (``unwritten``: the words of
    articles the current batch has not written yet)."""
    for article_id in candidates[:5]:
        words = unwritten.get(article_id) if unwritten else None
        if words is None:
            article = session.get(Article, article_id)
            if article is None:
                continue
            words = dedup.content_words(Entry(title=article.title, summary=article.summary, body=article.body or ""))
        if dedup.near_duplicate(tokens, words):
            return article_id
    return None


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
            session.add(ArticleSource(article_id=article.id, feed_id=feed.id, seen_at=now, outlet=outlet,
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
                session.add(ArticleSource(article_id=article_id, feed_id=feed_id, seen_at=now, outlet=outlet,
                                          link=link))
            session.flush()
    except IntegrityError:
        return False  # a concurrent writer linked it; nothing is lost
    return new_source


def _same_text(session: Session, article_id: int, item: _Prepared) -> bool:
    """The article's current text under another identity (a wire copy), or its teaser again from a feed
    whose articles get their body from the page (``fulltext``): remember the version, no revision."""
    entry = item.entry
    features = session.get(ArticleFeatures, article_id)
    if features is None:
        return False
    if features.content_hash != item.digest:
        article = session.get_one(Article, article_id)
        if entry.body or not article.body or (article.title, article.summary) != (entry.title, entry.summary):
            return False
    try:
        with session.begin_nested():
            session.add(ArticleKey(key=item.version, article_id=article_id))
            session.flush()
    except IntegrityError:
        pass
    return True


def _revise(session: Session, article_id: int, feed: FeedState, item: _Prepared, near: bool,
            story_id: int | None, now: datetime) -> StoredArticle | None:
    """A version of the article not seen before becomes a revision."""
    entry = item.entry
    article = session.get_one(Article, article_id)
    previous = Document(article.title, article.summary, article.body or "")
    features = session.get(ArticleFeatures, article_id)
    revision = (features.revision if features else 1) + 1
    try:
        with session.begin_nested():
            session.add(ArticleKey(key=item.version, article_id=article_id))
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
            features.content_hash = item.digest
    return StoredArticle(article_id, article.feed_id, entry, story_id=story_id, revision=revision,
                         previous=previous)
