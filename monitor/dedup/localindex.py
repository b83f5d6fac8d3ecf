"""The story index kept in a process, for SQLite (docs/architecture.md §4): ``SnapshotIndex``'s scoring
over every article of the horizon held compactly in memory, filled from the database's story rows.

On SQLite, reading the postings of a feed's terms from the database for every feed costs more than
holding them (bench/README.md: at 10,000 stored articles a tenth of the articles per second), and one
process owns the file, so the process keeps the state: per article a slot in the numpy arena (term
positions and weights), its id in ``array('q')`` postings by term key and bucket and in its story's
members, and its first-seen time; no strings or sets per article. On first use it reads the horizon's
``story_vectors``; then, per feed, the rows other processes stored since it last looked. PostgreSQL
deployments take a snapshot per feed instead (``storyload``) and share one state. No I/O here.
"""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta

import numpy as np

from monitor.dedup.storyindex import COMMON, HORIZON, MIN_SHARED, PRUNE_EVERY, TITLE_WEIGHT, Features, strongest
from monitor.dedup.storysnapshot import SnapshotIndex, Stored, window_buckets
from monitor.dedup.termvectors import Slots, micros
from monitor.store.storyterms import BUCKET, unpack_vector

RELOAD_SLACK = timedelta(minutes=10)
_SPAN = 1 << 32  # buckets (12 hours since 1970) stay far below


class LocalIndex(SnapshotIndex):
    """Every article of the horizon, kept; articles leave as their first-seen time passes the horizon.
    The postings hold slots (int32), so candidates are counted with one ``bincount`` as ``StoryIndex``
    does, in one dict keyed by term key and bucket together (a dict per term was most of their size)."""

    def __init__(self) -> None:
        super().__init__(Stored(0, {}))
        self.slots = Slots(1024, compact=True)
        # term key * _SPAN + bucket → its slots: one slot as an int (most terms of a bucket are in one article)
        self.posted: dict[int, int | array[int]] = {}
        self.seen: dict[int, int] = {}  # article → first seen (µs)
        self.looked: datetime | None = None  # when storage last added what others stored
        self.pruned: datetime | None = None

    def add(self, features: Features) -> None:
        if features.article_id in self.seen:
            self.remove(features.article_id)
        super().add(features)
        self.seen[features.article_id] = micros(features.seen)

    def insert(self, article_id: int, story_id: int | None, at: int, keys: list[int], weights: np.ndarray) -> None:
        numbers = self._numbers(keys)
        self.df[numbers] += 1
        self.count += 1
        slot = self.slots.add(article_id, story_id, at, numbers, weights)
        bucket = at // BUCKET
        posted = self.posted
        for key in keys:
            where = key * _SPAN + bucket
            held = posted.get(where)
            if held is None:
                posted[where] = slot
            elif isinstance(held, int):
                posted[where] = array("i", (held, slot))
            else:
                held.append(slot)
        if story_id is not None:
            self._members(story_id).append(article_id)

    def add_stored(self, article_id: int, story_id: int, at: int, seen: int, data: bytes) -> None:
        """An article as ``story_vectors`` holds it."""
        if article_id in self.seen:
            return
        keys, titles = unpack_vector(data)
        self.insert(article_id, story_id, at, keys.tolist(), np.where(titles, TITLE_WEIGHT, 1.0))
        self.seen[article_id] = seen

    def remove(self, article_id: int) -> None:
        if self.seen.pop(article_id, None) is None:
            return
        table = self.slots
        slot = table.slot[article_id]
        start, length = int(table.start[slot]), int(table.length[slot])
        numbers = table.terms[start:start + length].copy()
        bucket = int(table.at[slot]) // BUCKET
        story_id = int(table.story[slot])
        table.remove(article_id)
        self.count -= 1
        self.df[numbers] -= 1
        for key in self.keys[numbers].tolist():
            where = key * _SPAN + bucket
            held = self.posted[where]
            if isinstance(held, int):
                del self.posted[where]
            else:
                held.remove(slot)
                if len(held) == 1:
                    self.posted[where] = held[0]
        for position in numbers[self.df[numbers] <= 0].tolist():
            self.df[position] = 0
            del self.number[int(self.keys[position])]
            self.free.append(position)
        members = self.members.get(story_id)
        if members is not None and article_id in members:
            members.remove(article_id)
            if not members:
                del self.members[story_id]

    def _candidate_slots(self, keys: list[int], df: np.ndarray, at: int) -> np.ndarray:
        """Slots of the articles near the window sharing at least ``MIN_SHARED`` of these terms (terms in
        more than ``COMMON`` of the index propose none), in the order of their ids; when more than
        ``CANDIDATES`` do, those sharing the most (ties: the lower id)."""
        limit = max(50, int(COMMON * self.count))
        buckets = window_buckets(at)
        posted = self.posted
        lists: list[np.ndarray] = []
        singles: list[int] = []
        sharing = 0
        for key, frequency in zip(keys, df.tolist(), strict=True):
            if frequency == 0 or frequency > limit:
                continue
            base = key * _SPAN
            found = False
            for bucket in buckets:
                held = posted.get(base + bucket)
                if held is None:
                    continue
                found = True
                if isinstance(held, int):
                    singles.append(held)
                else:
                    lists.append(np.frombuffer(held, dtype=np.int32))
            sharing += found
        if sharing < MIN_SHARED:
            return np.zeros(0, dtype=np.intp)
        counts = np.bincount(np.concatenate([*lists, np.array(singles, dtype=np.int32)]))
        return strongest(counts, self.slots.ids)

    def prune(self, now: datetime) -> int:
        """Forget articles first seen before the horizon (looked at once an hour); returns how many."""
        if self.pruned is not None and now - self.pruned < PRUNE_EVERY:
            return 0
        self.pruned = now
        before = micros(now - HORIZON)
        old = [article_id for article_id, seen in self.seen.items() if seen < before]
        for article_id in old:
            self.remove(article_id)
        return len(old)

    def seen_since(self, since: datetime) -> int:
        """How many of the articles held were first seen at ``since`` or later."""
        after = micros(since)
        return sum(1 for seen in self.seen.values() if seen >= after)
