"""The compact index a SQLite process keeps (``dedup/localindex.py``) decides every story as the
reference ``StoryIndex`` does, through additions, pruning past the horizon and reuse of its term
positions, and after being filled from the stored vectors instead of from the articles."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np

from monitor.dedup.localindex import LocalIndex
from monitor.dedup.storyindex import TITLE_WEIGHT, Features, StoryIndex
from monitor.dedup.storysnapshot import ordered, vector
from monitor.dedup.termvectors import micros
from tests.harness import START


def _articles(count: int, seed: int) -> list[Features]:
    """Articles over ten days on a few subjects, each with a title, lead terms and some rare names."""
    rng = random.Random(seed)
    subjects = [[f"thema{s}x{n}" for n in range(12)] for s in range(15)]
    out = []
    for article_id in range(1, count + 1):
        subject = rng.choice(subjects)
        at = START + timedelta(hours=article_id * 240 / count, minutes=rng.randrange(-300, 60))
        seen = START + timedelta(hours=article_id * 240 / count)
        title = frozenset(rng.sample(subject, 2))
        terms = title | frozenset(rng.sample(subject, 4)) | {f"name{rng.randrange(400)}", f"ort{rng.randrange(50)}"}
        out.append(Features(article_id, at, seen, title, terms))
    return out


def test_the_local_index_decides_every_story_as_the_reference_index() -> None:
    reference, local = StoryIndex(), LocalIndex()
    decided = 0
    for item in _articles(1500, 4):
        reference.prune(item.seen)
        local.prune(item.seen)
        expected = reference.story_for(item)
        assert local.story_for(item) == expected, item.article_id
        decided += expected is not None
        item.story_id = expected or item.article_id
        reference.add(item)
        local.add(item)
        assert len(local) == len(reference)
    assert decided > 300 and local.free  # stories were joined, and positions of departed terms reused


def test_a_local_index_filled_from_stored_vectors_decides_as_one_that_saw_the_articles() -> None:
    seen, filled = LocalIndex(), LocalIndex()
    items = _articles(400, 8)
    for item in items[:300]:
        item.story_id = seen.story_for(item) or item.article_id
        seen.add(item)
        _terms, keys, weights = ordered(item)
        filled.add_stored(item.article_id, item.story_id, micros(item.at), micros(item.seen), vector(keys, weights))
    for item in items[300:]:
        assert filled.story_for(item) == seen.story_for(item), item.article_id
        item.story_id = seen.story_for(item) or item.article_id
        seen.add(item)
        filled.add(item)
    weights = filled.slots.weights[: filled.slots.end]
    assert set(np.unique(weights).tolist()) <= {1.0, TITLE_WEIGHT}
