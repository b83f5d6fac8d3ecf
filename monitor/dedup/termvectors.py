"""The story index's articles as arrays, so that a new article is compared with hundreds of candidates
in a few numpy operations (``stories.StoryIndex``). No I/O.

- ``Vocabulary``: a number for each term and its document frequency in an array.
- ``Slots``: one slot per article: its id, story and story clock (microseconds), and its terms'
  numbers and weights in one arena array (``gather`` fetches those of many slots at once; before,
  each comparison concatenated hundreds of small per-article arrays).

Slots and term numbers of articles that left the index are reused; the arena is compacted when
more than half of it belongs to articles that left.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
NO_STORY = -1


def micros(at: datetime) -> int:
    """A story clock as whole microseconds since 1970 (exact, unlike a float timestamp); naive means UTC."""
    return ((at if at.tzinfo is not None else at.replace(tzinfo=UTC)) - _EPOCH) // _MICROSECOND


class Vocabulary:
    """A number for each term of the index and its document frequency; numbers of terms that left the
    index are reused."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.free: list[int] = []
        self.df = np.zeros(1024)
        self.scratch = np.zeros(1024)  # a query as a dense vector, zero between calls

    def add(self, terms: list[str]) -> np.ndarray:
        """The numbers of an article's (distinct) terms, counted in their document frequencies."""
        numbers = []
        known = self.number
        for term in terms:
            number = known.get(term)
            if number is None:
                number = known[term] = self.free.pop() if self.free else len(known)
                if number >= len(self.df):
                    self.df = np.concatenate([self.df, np.zeros(len(self.df))])
                    self.scratch = np.zeros(len(self.df))
            numbers.append(number)
        found = np.array(numbers, dtype=np.intp)
        self.df[found] += 1
        return found

    def remove(self, terms: list[str]) -> None:
        for term in terms:
            number = self.number.get(term)
            if number is not None:
                self.df[number] -= 1
                if self.df[number] <= 0:
                    self.df[number] = 0
                    del self.number[term]
                    self.free.append(number)


class Slots:
    """Per article: id, story (``NO_STORY`` for none), story clock, and its terms in the arena."""

    def __init__(self, capacity: int = 1024, *, compact: bool = False) -> None:
        # compact: term numbers as int32 and weights as float32 (exact for the weights 1 and 2), half the arena
        self.slot: dict[int, int] = {}
        self.free: list[int] = []
        self.ids = np.zeros(capacity, dtype=np.int64)
        self.story = np.full(capacity, NO_STORY, dtype=np.int64)
        self.at = np.zeros(capacity, dtype=np.int64)
        self.start = np.zeros(capacity, dtype=np.intp)
        self.length = np.zeros(capacity, dtype=np.intp)
        self.terms = np.zeros(capacity * 32, dtype=np.int32 if compact else np.intp)  # the arena: term numbers …
        self.weights = np.zeros(capacity * 32, dtype=np.float32 if compact else np.float64)  # … and their weights,
        # each slot's run at start:start+length
        self.end = 0  # the arena's used part
        self.live = 0  # of which slots still in the index

    def add(self, article_id: int, story_id: int | None, at: int, terms: np.ndarray, weights: np.ndarray) -> int:
        slot = self.free.pop() if self.free else len(self.slot)
        if slot >= len(self.ids):
            self._grow_slots()
        count = len(terms)
        if self.end + count > len(self.terms):
            self._make_room(count)
        self.slot[article_id] = slot
        self.ids[slot], self.at[slot] = article_id, at
        self.story[slot] = NO_STORY if story_id is None else story_id
        self.start[slot], self.length[slot] = self.end, count
        self.terms[self.end:self.end + count] = terms
        self.weights[self.end:self.end + count] = weights
        self.end += count
        self.live += count
        return slot

    def remove(self, article_id: int) -> int | None:
        slot = self.slot.pop(article_id, None)
        if slot is not None:
            self.live -= int(self.length[slot])
            self.length[slot] = 0
            self.story[slot] = NO_STORY
            self.free.append(slot)
        return slot

    def gather(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The term numbers and weights of these slots one after the other, and where each slot's run
        begins (for ``np.add.reduceat``)."""
        lengths = self.length[slots]
        starts = np.zeros(len(slots), dtype=np.intp)
        np.cumsum(lengths[:-1], out=starts[1:])
        positions = np.arange(int(lengths.sum()), dtype=np.intp) + np.repeat(self.start[slots] - starts, lengths)
        return self.terms[positions], self.weights[positions], starts

    def _grow_slots(self) -> None:
        size = len(self.ids)
        self.ids = np.concatenate([self.ids, np.zeros(size, dtype=np.int64)])
        self.story = np.concatenate([self.story, np.full(size, NO_STORY, dtype=np.int64)])
        self.at = np.concatenate([self.at, np.zeros(size, dtype=np.int64)])
        self.start = np.concatenate([self.start, np.zeros(size, dtype=np.intp)])
        self.length = np.concatenate([self.length, np.zeros(size, dtype=np.intp)])

    def _make_room(self, count: int) -> None:
        """Compact the arena when most of it belongs to articles that left, else double it."""
        if self.live + count <= len(self.terms) // 2:
            slots = np.fromiter(self.slot.values(), dtype=np.intp, count=len(self.slot))
            terms, weights, starts = self.gather(slots)
            self.terms[:len(terms)], self.weights[:len(weights)] = terms, weights
            self.start[slots] = starts
            self.end = self.live = len(terms)
            return
        size = max(2 * len(self.terms), self.end + count)
        self.terms = np.concatenate([self.terms, np.zeros(size - len(self.terms), dtype=self.terms.dtype)])
        self.weights = np.concatenate([self.weights, np.zeros(size - len(self.weights), dtype=self.weights.dtype)])
