"""The story decision's scoring, and an in-memory index for runs without a database (docs/architecture.md
§4, step 4). No I/O.

The daemons keep no index: their story state is rows, and ``storysnapshot.SnapshotIndex`` decides a
feed on what the database holds, with the constants and the scoring described here, which
``StoryIndex`` keeps in memory for ``newsmon match`` (``LocalStories``) and the benches.

Stories: an article is compared with the articles of the time window (``WINDOW`` around its
published time) that share at least two terms (at most ``CANDIDATES``, those sharing the most).
Terms are the lemmatised nouns and names of title and lead (``dedup.story_terms``), weighted by
inverse document frequency over the index, title terms ``TITLE_WEIGHT`` times; the similarity is
the cosine of these vectors. The article joins the story of its most similar article when that
similarity reaches ``LINK`` and its similarity to the story as a whole (the centroid of its
articles) reaches ``CENTROID``; the second test keeps a chain of loosely related articles from
growing into one story. Tuned on the 13 feeds captured on
21 Dec 2024 (see bench/bench_dedup.py and the README).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

import numpy as np

from monitor.dedup import features as dedup
from monitor.dedup.termvectors import NO_STORY, Slots, Vocabulary, micros
from monitor.model import Entry

WINDOW = timedelta(hours=36)
FUTURE_SLACK = timedelta(hours=1)
HORIZON = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
LINK = 0.12
CENTROID = 0.15
TITLE_WEIGHT = 2.0
MIN_SHARED = 2
COMMON = 0.2  # terms in more than this share of the index do not propose candidates
CANDIDATES = 400  # at most this many candidates, those sharing the most terms (the cost grows with them)
_WINDOW = WINDOW // timedelta(microseconds=1)
_BUCKET = timedelta(hours=12) // timedelta(microseconds=1)  # postings by story clock, in steps of this


@dataclass(slots=True)
class Features:
    """What the index knows of one article."""

    article_id: int
    at: datetime  # published time where plausible, else first seen: the story window's clock
    seen: datetime  # first seen: the index horizon's clock
    title_terms: frozenset[str]
    terms: frozenset[str]
    signature: np.ndarray | None = None
    story_id: int | None = None


def features(article_id: int, entry: Entry, seen: datetime, signature: np.ndarray | None = None) -> Features:
    """The features of a parsed entry; its story clock is the published time unless that lies ahead."""
    published = entry.published
    at = published if published is not None and published <= seen + FUTURE_SLACK else seen
    title = dedup.title_terms(entry)
    return Features(article_id, at, seen, title, title | dedup.lead_terms(entry), signature)


class LocalStories:
    """Story numbers for a run without a database (``newsmon match``): copies share their story."""

    def __init__(self) -> None:
        self.index = StoryIndex()
        self.by_key: dict[str, int] = {}

    def story_of(self, entry: Entry, keys: tuple[str, ...], now: datetime) -> int:
        fp = dedup.fingerprint_key(entry)
        keys = keys + ((fp,) if fp else ())
        for key in keys:
            if key in self.by_key:
                return self.by_key[key]
        item = features(len(self.index) + 1, entry, now)
        item.story_id = self.index.story_for(item) or len(self.index.stories) + 1
        self.index.add(item)
        self.by_key.update(dict.fromkeys(keys, item.story_id))
        return item.story_id


@dataclass(slots=True)
class _Story:
    members: list[int] = field(default_factory=list)
    last: datetime | None = None


def strongest(counts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The slots sharing at least ``MIN_SHARED`` terms (``counts`` by slot; ``ids``: the article id by
    slot), the ``CANDIDATES`` sharing the most when more do (ties: the lower id), in the order of ids."""
    slots = np.flatnonzero(counts >= MIN_SHARED)
    held = ids[slots]
    if len(slots) > CANDIDATES:
        slots = slots[np.lexsort((held, -counts[slots]))[:CANDIDATES]]
        held = ids[slots]
    result: np.ndarray = slots[np.argsort(held, kind="stable")]
    return result


def best_story(stories: np.ndarray, links: np.ndarray, centroid: Callable[[int], float]) -> int | None:
    """The story of the candidates (``stories`` and ``links`` by candidate) an article joins: each story
    by its strongest link of at least ``LINK``, strongest first, the first whose ``centroid`` (the
    article's similarity to it) reaches ``CENTROID``; None when none does."""
    linked = links >= LINK
    best: dict[int, float] = {}
    for story_id, link in zip(stories[linked].tolist(), links[linked].tolist(), strict=True):
        if link > best.get(story_id, 0.0):
            best[story_id] = link
    for story_id, _link in sorted(best.items(), key=lambda kv: -kv[1]):
        if centroid(story_id) >= CENTROID:
            return story_id
    return None


class StoryIndex:
    """Recent articles: an inverted index over their story terms."""

    def __init__(self) -> None:
        self.items: dict[int, Features] = {}
        # The slots of the articles holding each term, by ``_BUCKET`` of their story clock; lists, oldest first
        # (a set per term and bucket was the index's largest part; articles leave oldest first).
        self.by_term: dict[str, dict[int, list[int]]] = {}
        self.terms = Vocabulary()
        self.slots = Slots()
        self.stories: dict[int, _Story] = {}
        self.pruned: datetime | None = None

    def __len__(self) -> int:
        return len(self.items)

    def story_for(self, features: Features) -> int | None:
        """The story this article belongs to, or None when it starts a new one."""
        query = self._query(features)
        if query is None:
            return None
        slots = self._sharing(features)
        table = self.slots
        slots = slots[(table.story[slots] != NO_STORY) & (np.abs(table.at[slots] - micros(features.at)) <= _WINDOW)]
        dense = self.terms.scratch  # the query as a dense vector over the term numbers, zero again on return
        dense[query[0]] = query[1]
        try:
            return best_story(table.story[slots], self._links(dense, slots),
                              lambda story_id: self._centroid(dense, self.stories[story_id]))
        finally:
            dense[query[0]] = 0.0

    def _query(self, features: Features) -> tuple[np.ndarray, np.ndarray] | None:
        """The article's TF-IDF vector, normalised: the numbers of its terms that the index knows and their
        values (terms new to the index count in the norm only); None for an article without terms."""
        if not features.terms:
            return None
        terms = sorted(features.terms)
        numbers = np.array([self.terms.number.get(term, -1) for term in terms], dtype=np.intp)
        known = numbers >= 0
        values = self._idf(np.where(known, self.terms.df[numbers], 0.0))
        values *= [TITLE_WEIGHT if term in features.title_terms else 1.0 for term in terms]
        values /= math.sqrt(values @ values)
        return numbers[known], values[known]

    def _idf(self, df: np.ndarray) -> np.ndarray:
        """Inverse document frequency over the index for these document frequencies."""
        idf: np.ndarray = np.log1p((len(self.items) + 1) / (df + 1))
        return idf

    def _sharing(self, features: Features) -> np.ndarray:
        """Slots of the articles near the story window that share at least ``MIN_SHARED`` of the article's terms
        (terms in more than ``COMMON`` of the index propose none), in the order of their ids; when more than
        ``CANDIDATES`` do, those sharing the most terms (ties: the lower id).

        Postings are kept by story-clock bucket, so only the buckets the window touches are counted: the
        index spans its seven-day horizon, the window 36 hours either side."""
        limit = max(50, int(COMMON * len(self.items)))
        at = micros(features.at)
        buckets = range((at - _WINDOW) // _BUCKET, (at + _WINDOW) // _BUCKET + 1)
        number, df = self.terms.number, self.terms.df
        lists: list[list[int]] = []
        sharing = 0
        for term in features.terms:
            held = self.by_term.get(term)
            if held is None or df[number[term]] > limit:
                continue
            found = [posting for bucket in buckets if (posting := held.get(bucket))]
            if found:
                sharing += 1
                lists.extend(found)
        if sharing < MIN_SHARED:
            return np.zeros(0, dtype=np.intp)
        counts = np.bincount(np.fromiter(chain.from_iterable(lists), dtype=np.intp, count=sum(map(len, lists))))
        return strongest(counts, self.slots.ids)

    def _links(self, dense: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Cosine of the (dense, normalised) query with each candidate's TF-IDF vector, all at once: the IDF
        moves with every article added, so the candidates' vectors are made anew from their term numbers."""
        if not len(slots):
            return np.zeros(0)
        ids, weights, starts = self.slots.gather(slots)
        values = self._idf(self.terms.df[ids]) * weights
        norms = np.sqrt(np.add.reduceat(values * values, starts))
        links: np.ndarray = np.add.reduceat(dense[ids] * values, starts) / norms
        return links

    def _centroid(self, dense: np.ndarray, story: _Story) -> float:
        """Cosine of the query with the story as a whole: the sum of its articles' weights per term, by IDF."""
        slots = np.array([self.slots.slot[member] for member in story.members], dtype=np.intp)
        ids, weights, _starts = self.slots.gather(slots)
        terms, inverse = np.unique(ids, return_inverse=True)
        values = np.bincount(inverse, weights) * self._idf(self.terms.df[terms])
        norm = math.sqrt(values @ values)
        return float(dense[terms] @ values) / norm if norm else 0.0

    def add(self, features: Features) -> None:
        if features.article_id in self.items:
            self.remove(features.article_id)
        self.items[features.article_id] = features
        terms = sorted(features.terms)
        weights = np.array([TITLE_WEIGHT if t in features.title_terms else 1.0 for t in terms])
        at = micros(features.at)
        slot = self.slots.add(features.article_id, features.story_id, at, self.terms.add(terms), weights)
        bucket = at // _BUCKET
        by_term = self.by_term
        for term in terms:  # not setdefault: its default would be made for every term
            held = by_term.get(term)
            if held is None:
                by_term[term] = {bucket: [slot]}
            else:
                ids = held.get(bucket)
                if ids is None:
                    held[bucket] = [slot]
                else:
                    ids.append(slot)
        if features.story_id is not None:
            story = self.stories.setdefault(features.story_id, _Story())
            story.members.append(features.article_id)
            story.last = features.at if story.last is None else max(story.last, features.at)

    def remove(self, article_id: int) -> None:
        features = self.items.pop(article_id, None)
        if features is None:
            return
        slot = self.slots.remove(article_id)
        assert slot is not None  # an article is in ``items`` exactly when it has a slot
        bucket = micros(features.at) // _BUCKET
        for term in features.terms:
            held = self.by_term.get(term)
            ids = held.get(bucket) if held is not None else None
            if held is not None and ids is not None and slot in ids:
                ids.remove(slot)
                if not ids:
                    del held[bucket]
                    if not held:
                        del self.by_term[term]
        self.terms.remove(sorted(features.terms))
        story = self.stories.get(features.story_id) if features.story_id is not None else None
        if story is not None and article_id in story.members:
            story.members.remove(article_id)
            if not story.members:
                del self.stories[features.story_id]  # type: ignore[arg-type]

    def prune(self, now: datetime) -> int:
        """Forget articles first seen before the horizon (looked at once an hour); returns how many."""
        if self.pruned is not None and now - self.pruned < PRUNE_EVERY:
            return 0
        self.pruned = now
        old = [item.article_id for item in self.items.values() if item.seen < now - HORIZON]
        for article_id in old:
            self.remove(article_id)
        return len(old)

    def members(self, story_id: int) -> list[int]:
        story = self.stories.get(story_id)
        return list(story.members) if story else []

def pack(signature: np.ndarray | None) -> bytes | None:
    """A signature as stored: ``NUM_PERM`` little-endian 32-bit values (the affine32 scheme's range)."""
    return None if signature is None else signature.astype("<u4").tobytes()


def unpack(data: bytes | None) -> np.ndarray | None:
    return None if not data else np.frombuffer(data, dtype="<u4").astype(np.uint64)
