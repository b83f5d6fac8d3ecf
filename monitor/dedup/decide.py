"""The dedup decision: each entry of a feed against what is known. Pure: no session, no SQL, no I/O.

``decide`` goes through a feed's entries in order and gives each one decision
(``store.decisions``), against the ``Known`` snapshot storage took for the feed and the entries
decided before it:

1. A stored key (``url:``, ``guid:``, ``fp:``, or the ``ver:`` key of a version seen before)
   names a known article. A version seen before, or the article's current text under another
   identity, is a *repeat*, or a *new source* when the feed is not yet one of the article's.
2. Otherwise, a known article under a stored key gains a revision: an *update* under the entry's
   own URL or GUID, a *revision* when only its fingerprint matched; either becomes its text.
3. No stored key: the recent articles sharing an LSH band with the entry's MinHash signature
   (found in the database beforehand, ``nearindex``) and the feed's new articles are candidates,
   most similar first, and their texts are compared; a *near-duplicate* joins its article as a
   revision and the article keeps its text.
4. Otherwise the entry is a *new* article: it takes one of the reserved ids, joins the story of the
   index it belongs to or starts one, and is added to the index, so the next entries of the feed
   are measured against it too.

The index is the one mutable thing ``decide`` touches (it adds the new articles); when their rows
are not written, the caller drops it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from monitor.dedup import features as dedup
from monitor.dedup.nearindex import BatchBands
from monitor.dedup.storyindex import Features, features, pack
from monitor.dedup.storysnapshot import ordered, vector
from monitor.model import Document, Entry
from monitor.store.decisions import Decision, FeatureValues, Kind, Known, Link, New, Revise

NEAR_CHECKS = 5  # candidates whose texts are compared, most similar first


class StoryIndex(Protocol):
    """The stories a decision measures a new article against: ``storysnapshot.SnapshotIndex`` (what the
    database holds for the feed) or ``storyindex.StoryIndex`` (in memory, for runs without a database)."""

    def story_for(self, features: Features) -> int | None: ...

    def add(self, features: Features) -> None: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    """An entry with what every decision needs of it, computed once."""

    entry: Entry
    keys: tuple[str, ...]  # identity keys, then the fingerprint key where the text is long enough
    version: str
    tokens: list[str]
    digest: str  # content hash
    outlet: str
    signature: np.ndarray | None = None  # for an entry none of whose keys is stored …
    bands: tuple[int, ...] = ()  # … its band keys …
    near: tuple[tuple[float, int], ...] = ()  # … and the stored articles sharing one: (similarity, id)


def prepare(entry: Entry, keys: tuple[str, ...], outlet: str) -> Prepared:
    tokens = dedup.content_words(entry)
    digest = dedup.content_hash(entry, tokens)
    fp = dedup.fingerprint_key(entry, tokens, digest)
    return Prepared(entry, keys + ((fp,) if fp else ()), version_key(keys[0], digest), tokens, digest, outlet)


def version_key(identity: str, content_hash: str) -> str:
    """One version of the text under one identity (URL/GUID): seen before means a repeat."""
    return "ver:" + hashlib.sha1(f"{identity}\n{content_hash}".encode()).hexdigest()


@dataclass(slots=True)
class _Article:
    """A known article as the decisions so far left it."""

    feed_id: int
    title: str
    summary: str
    body: str | None
    content_hash: str | None
    revision: int | None
    story_id: int | None
    sourced: bool
    words: list[str] | None = None  # its content words, once compared

    def content_words(self) -> list[str]:
        if self.words is None:
            self.words = dedup.content_words(Entry(title=self.title, summary=self.summary, body=self.body or ""))
        return self.words


class _State:
    """What is known while a feed is decided: the snapshot and the feed's decisions so far."""

    def __init__(self, known: Known) -> None:
        self.keys = dict(known.keys)
        self.known = known.articles
        self.articles: dict[int, _Article] = {}
        self.article_ids = iter(known.article_ids)
        self.story_ids = iter(known.story_ids)
        self.bands = BatchBands()  # the new articles of the feed

    def article(self, article_id: int) -> _Article | None:
        article = self.articles.get(article_id)
        if article is None and (row := self.known.get(article_id)) is not None:
            article = self.articles[article_id] = _Article(row.feed_id, row.title, row.summary, row.body,
                                                           row.content_hash, row.revision, row.story_id, row.sourced)
        return article


def decide(items: Sequence[Prepared], known: Known, index: StoryIndex, feed_id: int,
           now: datetime) -> list[Decision]:
    """One decision per entry, in the entries' order."""
    state = _State(known)
    return [_decide(item, state, index, feed_id, now) for item in items]


def _decide(item: Prepared, state: _State, index: StoryIndex, feed_id: int, now: datetime) -> Decision:
    via = next((key for key in (item.version, *item.keys) if key in state.keys), None)
    if via is None:
        near = _near(item, state)
        if near is None:
            return _new(item, state, index, feed_id, now)
        article_id, kind = near, Kind.NEAR_DUPLICATE
    else:
        article_id, kind = state.keys[via], Kind.REVISION if via.startswith("fp:") else Kind.UPDATE
    article = state.article(article_id)
    assert article is not None  # a stored key's article is in the snapshot (the key refers to it)
    missing = tuple(key for key in item.keys if key not in state.keys)
    new_source = not article.sourced
    version_known = item.version in state.keys
    state.keys.update(dict.fromkeys((*missing, item.version), article_id))
    article.sourced = True
    if version_known or _same_text(article, item):
        keys = missing if version_known else (*missing, item.version)
        return Link(Kind.NEW_SOURCE if new_source else Kind.REPEAT, item.entry, article_id, keys, item.outlet,
                    article.story_id, new_source)
    return _revise(item, article, article_id, kind, (*missing, item.version), new_source)


def _near(item: Prepared, state: _State) -> int | None:
    """The first of the candidates, most similar first, whose text this one nearly repeats."""
    candidates = sorted([*item.near, *state.bands.ranked(item.signature, item.bands)], reverse=True)
    for _similarity, article_id in candidates[:NEAR_CHECKS]:
        article = state.article(article_id)
        if article is not None and dedup.near_duplicate(item.tokens, article.content_words()):
            return article_id
    return None


def _new(item: Prepared, state: _State, index: StoryIndex, feed_id: int, now: datetime) -> New:
    article_id = next(state.article_ids)
    found = features(article_id, item.entry, now)  # the index holds no signature
    story_id = index.story_for(found)
    starts = story_id is None
    found.story_id = story_id = next(state.story_ids) if story_id is None else story_id
    index.add(found)
    keys = (*item.keys, item.version)
    state.keys.update(dict.fromkeys(keys, article_id))
    entry = item.entry
    state.articles[article_id] = _Article(feed_id, entry.title, entry.summary, entry.body or None, item.digest, 1,
                                          story_id, True, item.tokens)
    if item.signature is not None:
        state.bands.add(article_id, item.signature, item.bands)
    _terms, term_keys, weights = ordered(found)
    values = FeatureValues(tuple(sorted(found.title_terms)), tuple(sorted(found.terms - found.title_terms)),
                           pack(item.signature), item.bands, found.at, found.seen, item.digest, tuple(term_keys),
                           vector(term_keys, weights))
    return New(entry, article_id, keys, item.outlet, story_id, starts, values)


def _same_text(article: _Article, item: Prepared) -> bool:
    """The article's current text under another identity (a wire copy), or its teaser again from a feed
    whose articles get their body from the page (``fulltext``): a repeat, no revision."""
    if article.content_hash is None:
        return False
    if article.content_hash == item.digest:
        return True
    entry = item.entry
    return not entry.body and bool(article.body) and (article.title, article.summary) == (entry.title, entry.summary)


def _revise(item: Prepared, article: _Article, article_id: int, kind: Kind, keys: tuple[str, ...],
            new_source: bool) -> Revise:
    revision = (article.revision or 1) + 1
    previous = Document(article.title, article.summary, article.body or "")
    if article.revision is not None:
        article.revision = revision
    if kind is not Kind.NEAR_DUPLICATE:  # the newest version under the same identity is the article's text
        entry = item.entry
        article.title, article.summary, article.body, article.words = (entry.title, entry.summary,
                                                                        entry.body or None, None)
        if article.content_hash is not None:
            article.content_hash = item.digest
    return Revise(kind, item.entry, article_id, article.feed_id, keys, item.outlet, article.story_id, new_source,
                  revision, previous, item.digest)
