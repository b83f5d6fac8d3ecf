"""The story index's arrays: slots and the arena stay right through removals, reuse and compaction,
and the vectorised cosine is the TF-IDF cosine of its definition."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import numpy as np

from monitor.dedup.storyindex import TITLE_WEIGHT, Features, StoryIndex
from monitor.dedup.termvectors import NO_STORY, Slots, micros
from tests.harness import START


def test_slots_keep_each_articles_terms_through_removal_reuse_and_compaction() -> None:
    rng = random.Random(3)
    slots = Slots(capacity=4)  # a 128-entry arena: it grows and compacts many times below
    held: dict[int, tuple[list[int], list[float], int | None]] = {}
    for article_id in range(1, 3000):
        terms = rng.sample(range(500), rng.randint(0, 60))
        weights = [rng.choice((1.0, TITLE_WEIGHT)) for _ in terms]
        story = rng.choice((None, article_id % 40))
        slots.add(article_id, story, article_id * 1000, np.array(terms, dtype=np.intp), np.array(weights))
        held[article_id] = (terms, weights, story)
        if rng.random() < 0.6:  # most leave again, as old articles do
            gone = rng.choice(list(held))
            slots.remove(gone)
            del held[gone]
    assert len(slots.slot) == len(held) and len(set(slots.slot.values())) == len(held)
    assert len(slots.terms) < 4 * 60 * len(held) + 1024  # compacted, not only grown
    ordered = list(held)
    rng.shuffle(ordered)
    numbers = np.array([slots.slot[a] for a in ordered], dtype=np.intp)
    terms, weights, starts = slots.gather(numbers)
    ends = [*starts[1:].tolist(), len(terms)]
    for article_id, slot, start, end in zip(ordered, numbers.tolist(), starts.tolist(), ends, strict=True):
        expected_terms, expected_weights, story = held[article_id]
        assert terms[start:end].tolist() == expected_terms
        assert weights[start:end].tolist() == expected_weights
        assert slots.ids[slot] == article_id and slots.at[slot] == article_id * 1000
        assert slots.story[slot] == (NO_STORY if story is None else story)


def test_story_clock_is_exact_to_the_microsecond() -> None:
    assert micros(START + timedelta(hours=36, microseconds=1)) - micros(START) == 36 * 3600 * 10**6 + 1
    assert micros(START.replace(tzinfo=None)) == micros(START)


def _cosines(index: StoryIndex, query: Features, others: list[Features]) -> list[float]:
    """TF-IDF cosine as defined: idf = ln(1 + (N + 1) / (df + 1)), title terms weighted."""
    size = len(index.items)

    def vector(item: Features) -> dict[str, float]:
        return {t: math.log(1 + (size + 1) / (_df(index, t) + 1))
                * (TITLE_WEIGHT if t in item.title_terms else 1.0) for t in item.terms}

    mine = vector(query)
    norm = math.sqrt(sum(v * v for v in mine.values()))
    result = []
    for other in others:
        theirs = vector(other)
        dot = sum(v * theirs.get(t, 0.0) for t, v in mine.items())
        result.append(dot / norm / math.sqrt(sum(v * v for v in theirs.values())))
    return result


def test_candidate_cosines_are_the_tf_idf_cosines_after_many_articles_came_and_went() -> None:
    rng = random.Random(5)
    words = [f"wort{n}" for n in range(300)]
    index = StoryIndex()
    items = []
    for article_id in range(1, 1500):
        title = frozenset(rng.sample(words, 3))
        item = Features(article_id, START, START, title, title | frozenset(rng.sample(words, 12)), story_id=article_id)
        index.add(item)
        items.append(item)
        if article_id % 3 == 0:
            index.remove(rng.choice(items).article_id)
    title = frozenset(rng.sample(words, 3))
    query = Features(10**6, START, START, title, title | frozenset(rng.sample(words, 12)))
    slots = index._sharing(query)
    assert len(slots) > 50
    numbers = index._query(query)
    assert numbers is not None
    dense = np.zeros(len(index.terms.df))
    dense[numbers[0]] = numbers[1]
    found = dict(zip(index.slots.ids[slots].tolist(), index._links(dense, slots).tolist(), strict=True))
    others = [index.items[article_id] for article_id in found]
    expected = _cosines(index, query, others)
    assert np.allclose([found[o.article_id] for o in others], expected, rtol=1e-12, atol=0)


def test_story_centroid_is_the_cosine_with_the_sum_of_its_articles() -> None:
    rng = random.Random(9)
    words = [f"wort{n}" for n in range(120)]
    index = StoryIndex()
    for article_id in range(1, 400):
        title = frozenset(rng.sample(words, 2))
        index.add(Features(article_id, START, START, title, title | frozenset(rng.sample(words, 8)),
                           story_id=article_id % 7))
    for article_id in range(1, 400, 5):
        index.remove(article_id)
    query = Features(10**6, START, START, frozenset(words[:2]), frozenset(words[:12]))
    numbers = index._query(query)
    assert numbers is not None
    dense = np.zeros(len(index.terms.df))
    dense[numbers[0]] = numbers[1]
    size = len(index.items)
    idf = {t: math.log(1 + (size + 1) / (_df(index, t) + 1)) for t in words}
    mine = {t: idf[t] * (TITLE_WEIGHT if t in query.title_terms else 1.0) for t in query.terms}
    for story_id, story in index.stories.items():
        summed: dict[str, float] = {}
        for member in story.members:
            item = index.items[member]
            for t in item.terms:
                summed[t] = summed.get(t, 0.0) + (TITLE_WEIGHT if t in item.title_terms else 1.0) * idf[t]
        dot = sum(v * summed.get(t, 0.0) for t, v in mine.items())
        expected = dot / math.sqrt(sum(v * v for v in mine.values())) / math.sqrt(sum(v * v for v in summed.values()))
        assert math.isclose(index._centroid(dense, story), expected, rel_tol=1e-12), story_id


def _df(index: StoryIndex, term: str) -> int:
    """How many articles of the index hold the term."""
    return sum(len(slots) for slots in index.by_term.get(term, {}).values())


def test_articles_outside_the_story_window_do_not_crowd_out_those_inside() -> None:
    """Thousands of older articles on the same subject must not take the candidates' places of the one
    article of the last hours that the new one belongs with."""
    rng = random.Random(11)
    subject = [f"thema{n}" for n in range(20)]
    index = StoryIndex()
    old = START - timedelta(days=4)
    for article_id in range(1, 3001):  # four days old, three of the subject's terms each: an earlier story
        terms = frozenset(rng.sample(subject, 3)) | {f"anderes{article_id}"}
        index.add(Features(article_id, old, old, frozenset(), terms, story_id=1))
    recent = frozenset({"thema0", "thema1", "absage", "treffen"})
    index.add(Features(5000, START - timedelta(hours=2), START, recent, recent, story_id=2))
    new = Features(5001, START, START, frozenset(subject[:3]), frozenset(subject) | {"absage"})
    assert index.slots.ids[index._sharing(new)].tolist() == [5000]
    assert index.story_for(new) == 2
