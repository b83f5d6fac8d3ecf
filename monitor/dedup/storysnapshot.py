"""The story index of one feed's decisions, taken from the database: on PostgreSQL no process keeps one
(docs/architecture.md §4; SQLite keeps it in the process, ``localindex``).

Storage keeps the story state as rows (``store/storyterms.py``): the postings (a 64-bit hash of each
term, the 12-hour bucket of the article's story clock, the article), each article's packed term vector
with its story and story clock, and the document frequency of every term with the horizon's article
count. For a feed, the stage fetches in one round the frequencies of the entries' terms and the
postings of the rarer ones (at most ``COMMON`` of the horizon) in the buckets the window touches; in a
second the vectors of the candidates' stories (the candidates and every member the centroid test
needs) and the frequencies of their terms. ``SnapshotIndex`` decides on that snapshot exactly as
``storyindex.StoryIndex`` decides on the articles it holds (same scoring, same order of candidates),
with the feed's own new articles as an overlay, so later entries of the feed see earlier ones. No I/O.

The candidates depend on the frequencies, which the feed's earlier new articles raise, so the stage
computes them (``candidates``) assuming every entry without a stored key is new; when an entry turns
out not to be (a near-duplicate), a candidate may lack its vector: ``missing`` names it, and the stage
fetches it and decides the feed again.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

import numpy as np

from monitor.dedup.storyindex import (
    CANDIDATES,
    COMMON,
    MIN_SHARED,
    TITLE_WEIGHT,
    WINDOW,
    Features,
    best_story,
)
from monitor.dedup.termvectors import NO_STORY, Slots, micros
from monitor.store.storyterms import ARTICLES, BUCKET, pack_vector, unpack_vector

_WINDOW = WINDOW // timedelta(microseconds=1)


@lru_cache(maxsize=65536)
def term_key(term: str) -> int:
    """A term as a signed 64-bit key; never ``ARTICLES``."""
    key = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little", signed=True)
    return key if key != ARTICLES else 1


def ordered(features: Features) -> tuple[list[str], list[int], np.ndarray]:
    """The article's terms in the order ``StoryIndex`` sums them (sorted), their keys and weights."""
    terms = sorted(features.terms)
    weights = np.array([TITLE_WEIGHT if term in features.title_terms else 1.0 for term in terms])
    return terms, [term_key(term) for term in terms], weights


def vector(keys: Sequence[int], weights: np.ndarray) -> bytes:
    """An article's terms as storage keeps them (``storyterms.pack_vector``)."""
    return pack_vector(keys, weights == TITLE_WEIGHT)


def window_buckets(at: int) -> range:
    return range((at - _WINDOW) // BUCKET, (at + _WINDOW) // BUCKET + 1)


@dataclass(slots=True)
class Stored:
    """What storage holds for one feed's story decisions."""

    articles: int  # in the horizon
    df: dict[int, int]  # by term key; a key absent was looked up and is in no article
    postings: dict[int, dict[int, array[int]]] = field(default_factory=dict)  # key → bucket → article ids, ascending
    vectors: dict[int, tuple[int, int, bytes]] = field(default_factory=dict)  # article → (story, at µs, vector)
    stories: dict[int, list[int]] = field(default_factory=dict)  # story → all its articles in the horizon
    absent: set[int] = field(default_factory=set)  # sought but not stored (pruned since the postings were read)

    def limit(self, more: int = 0) -> int:
        """Terms in more articles than this propose no candidates (``more``: articles the feed may add)."""
        return max(50, int(COMMON * (self.articles + more)))


class SnapshotIndex:
    """``StoryIndex``'s ``story_for`` and ``add`` over a ``Stored`` snapshot and the feed's new articles."""

    def __init__(self, stored: Stored) -> None:
        self.stored = stored
        self.count = stored.articles
        self.number: dict[int, int] = {}  # term key → position in ``df``
        self.free: list[int] = []  # positions whose terms left (``localindex``)
        self.keys = np.zeros(0, dtype=np.int64)  # the term key at each position
        self.df = np.zeros(0)
        self.scratch = np.zeros(0)
        self.slots = Slots(64)
        self.postings: dict[int, dict[int, array[int]]] = {}  # the feed's new articles
        self.members: dict[int, array[int]] = {}  # the stories' articles seen so far, the new ones last
        self.missing: set[int] = set()  # candidates whose vectors the snapshot lacks

    def __len__(self) -> int:
        return self.count

    def story_for(self, features: Features) -> int | None:
        """The story this article belongs to, or None when it starts a new one."""
        if not features.terms:
            return None
        _terms, keys, weights = ordered(features)
        numbers = self._numbers(keys)
        df = self.df[numbers]
        values = self._idf(df) * weights
        values /= math.sqrt(values @ values)
        known = df > 0
        at = micros(features.at)
        slots = self._candidate_slots(keys, df, at)
        table = self.slots
        slots = slots[(table.story[slots] != NO_STORY) & (np.abs(table.at[slots] - at) <= _WINDOW)]
        self.scratch[numbers[known]] = values[known]  # the query as a dense vector, zero again on return
        try:
            return best_story(table.story[slots], self._links(slots),
                              lambda story_id: self._centroid(self._members(story_id)))
        finally:
            self.scratch[numbers[known]] = 0.0

    def candidates(self, features: Features) -> list[int]:
        """The stored candidates of an article as ``story_for`` would find them now."""
        if not features.terms:
            return []
        _terms, keys, _weights = ordered(features)
        numbers = self._numbers(keys)  # first: it may grow ``df``
        stored = self.stored.vectors
        return [a for a in self._sharing(keys, self.df[numbers], micros(features.at)).tolist() if a not in stored]

    def count_in(self, features: Features) -> None:
        """Count an article in the frequencies only (the stage's look ahead at a feed's new articles)."""
        _terms, keys, _weights = ordered(features)
        numbers = self._numbers(keys)
        self.df[numbers] += 1
        self.count += 1

    def add(self, features: Features) -> None:
        _terms, keys, weights = ordered(features)
        self.insert(features.article_id, features.story_id, micros(features.at), keys, weights)

    def insert(self, article_id: int, story_id: int | None, at: int, keys: list[int], weights: np.ndarray) -> None:
        """Add an article: its terms (keys in the order of the terms), their weights, its story and story clock."""
        numbers = self._numbers(keys)
        self.df[numbers] += 1
        self.count += 1
        self.slots.add(article_id, story_id, at, numbers, weights)
        posted = article_id
        bucket = at // BUCKET
        postings = self.postings
        for key in keys:
            held = postings.get(key)
            if held is None:
                postings[key] = {bucket: array("q", (posted,))}
            elif (ids := held.get(bucket)) is None:
                held[bucket] = array("q", (posted,))
            else:
                ids.append(posted)
        if story_id is not None:
            self._members(story_id).append(article_id)

    def _idf(self, df: np.ndarray) -> np.ndarray:
        idf: np.ndarray = np.log1p((self.count + 1) / (df + 1))
        return idf

    def _numbers(self, keys: Iterable[int]) -> np.ndarray:
        """Positions of these term keys in ``df``, taking in the stored frequency of a key not seen yet."""
        number = self.number
        found = []
        for key in keys:
            position = number.get(key)
            found.append(self._position(key) if position is None else position)
        return np.array(found, dtype=np.intp)

    def _position(self, key: int) -> int:
        position = self.free.pop() if self.free else len(self.number)
        self.number[key] = position
        if position >= len(self.df):
            grown = max(position + 1, 2 * len(self.df), 256) - len(self.df)
            self.df = np.concatenate([self.df, np.zeros(grown)])
            self.scratch = np.concatenate([self.scratch, np.zeros(grown)])
            self.keys = np.concatenate([self.keys, np.zeros(grown, dtype=np.int64)])
        self.df[position] = self.stored.df.get(key, 0)
        self.keys[position] = key
        return position

    def _candidate_slots(self, keys: list[int], df: np.ndarray, at: int) -> np.ndarray:
        return self._slots(self._sharing(keys, df, at))

    def _sharing(self, keys: list[int], df: np.ndarray, at: int) -> np.ndarray:
        """Ids of the articles near the window sharing at least ``MIN_SHARED`` of these terms (terms in more
        than ``COMMON`` of the horizon propose none), ascending; the ``CANDIDATES`` sharing the most when
        more do (ties: the lower id)."""
        limit = max(50, int(COMMON * self.count))
        buckets = window_buckets(at)
        stored, own = self.stored.postings, self.postings
        lists: list[array[int]] = []
        sharing = 0
        for key, frequency in zip(keys, df.tolist(), strict=True):
            if frequency == 0 or frequency > limit:
                continue
            found = [posting for held in (stored.get(key), own.get(key)) if held
                     for bucket in buckets if (posting := held.get(bucket))]
            if found:
                sharing += 1
                lists.extend(found)
        if sharing < MIN_SHARED:
            return np.zeros(0, dtype=np.int64)
        ids, counts = np.unique(np.concatenate([np.frombuffer(posting, dtype=np.int64) for posting in lists]),
                                return_counts=True)
        chosen = counts >= MIN_SHARED
        ids, counts = ids[chosen], counts[chosen]
        if len(ids) > CANDIDATES:
            ids = np.sort(ids[np.lexsort((ids, -counts))[:CANDIDATES]])
        return ids

    def _slots(self, ids: np.ndarray) -> np.ndarray:
        """The slots of these articles, in their order, loading stored vectors into the arena on first use;
        an article whose vector the snapshot lacks is left out and noted in ``missing``."""
        table = self.slots
        out = []
        for article_id in ids.tolist():
            slot = table.slot.get(article_id)
            if slot is None:
                slot = self._load(article_id)
                if slot is None:
                    if article_id not in self.stored.absent:
                        self.missing.add(article_id)
                    continue
            out.append(slot)
        return np.array(out, dtype=np.intp)

    def _load(self, article_id: int) -> int | None:
        row = self.stored.vectors.get(article_id)
        if row is None:
            return None
        story_id, at, data = row
        keys, titles = unpack_vector(data)
        return self.slots.add(article_id, story_id, at, self._numbers(keys.tolist()),
                              np.where(titles, TITLE_WEIGHT, 1.0))

    def _members(self, story_id: int) -> array[int]:
        """The story's articles: the stored ones, then the feed's (storage fetches a story with all its
        articles, so a story the snapshot lacks is one the feed starts)."""
        members = self.members.get(story_id)
        if members is None:
            members = self.members[story_id] = array("q", self.stored.stories.get(story_id, ()))
        return members

    def _links(self, slots: np.ndarray) -> np.ndarray:
        if not len(slots):
            return np.zeros(0)
        ids, weights, starts = self.slots.gather(slots)
        values = self._idf(self.df[ids]) * weights
        norms = np.sqrt(np.add.reduceat(values * values, starts))
        links: np.ndarray = np.add.reduceat(self.scratch[ids] * values, starts) / norms
        return links

    def _centroid(self, members: array[int]) -> float:
        slots = self._slots(np.frombuffer(members, dtype=np.int64))
        ids, weights, _starts = self.slots.gather(slots)
        terms, inverse = np.unique(ids, return_inverse=True)
        values = np.bincount(inverse, weights) * self._idf(self.df[terms])
        norm = math.sqrt(values @ values)
        return float(self.scratch[terms] @ values) / norm if norm else 0.0
