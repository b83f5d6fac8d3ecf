"""A signature over the first words of a text makes the same near-duplicate decisions as one over
the whole text: on the real fundus articles and edited copies of them (new headline, new intro,
added or dropped paragraph, changed words), and on the Dec-2024 feed captures."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from datasketch import MinHash

from monitor.dedup import features as dedup
from monitor.dedup.bands import Bands
from monitor.feeds.parse.reader import parse
from monitor.model import Entry


def _whole_text_signature(tokens: list[str]) -> np.ndarray | None:
    """The signature as it was: datasketch's MinHash over every shingle of the text."""
    if len(tokens) < dedup.MIN_NEAR_WORDS:
        return None
    sketch = MinHash(num_perm=dedup.NUM_PERM, seed=1, scheme=dedup.SCHEME)
    sketch.update_batch([shingle.encode() for shingle in dedup.shingles(tokens)])
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


def _decisions(texts: list[list[str]], probes: list[list[str]], signature: object) -> set[tuple[int, int]]:
    """(probe, text) pairs the dedup stage would join: an LSH candidate whose words nearly repeat."""
    bands = Bands(0.4, dedup.NUM_PERM)
    for number, tokens in enumerate(texts):
        sig = signature(tokens)  # type: ignore[operator]
        if sig is not None:
            bands.insert(number, sig)
    joined = set()
    for number, tokens in enumerate(probes):
        sig = signature(tokens)  # type: ignore[operator]
        if sig is None:
            continue
        joined |= {(number, hit) for hit in bands.query(sig) if dedup.near_duplicate(tokens, texts[hit])}
    return joined


def _variants(paragraphs: list[str], title: str, other: list[str], rng: random.Random) -> list[tuple[str, str]]:
    body = "\n".join(paragraphs)
    words = body.split()
    changed = [w if rng.random() > 0.03 else rng.choice(words) for w in words]
    return [
        ("Neu: " + title, body),
        (title, other[0] + "\n" + body),  # a new intro
        (title, body + "\n" + other[-1]),  # a paragraph added at the end
        (title, "\n".join(paragraphs[:-1])),  # the last paragraph dropped
        (title, " ".join(changed)),
    ]


def test_fundus_articles_and_their_edited_copies_are_decided_alike(realdata: Path) -> None:
    with (realdata / "fundus-german-articles" / "articles_flat.jsonl").open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines]
    articles = [a for a in articles if a.get("title") and (a.get("text") or "").count("\n") >= 2]
    rng = random.Random(5)
    originals, probes = [], []
    for number, article in enumerate(articles):
        paragraphs = [p for p in article["text"].split("\n") if p.strip()]
        other = [p for p in articles[number - 1]["text"].split("\n") if p.strip()]
        originals.append(dedup.content_words(Entry(title=article["title"], summary=article["text"])))
        for title, text in _variants(paragraphs, article["title"], other, rng):
            probes.append(dedup.content_words(Entry(title=title, summary=text)))
    assert max(len(t) for t in originals) > 3 * dedup.SIGNATURE_WORDS  # long texts are in the sample
    assert sum(len(t) > dedup.SIGNATURE_WORDS for t in originals) > 20
    before = _decisions(originals, probes, _whole_text_signature)
    after = _decisions(originals, probes, dedup.signature)
    assert after == before
    assert len(before) > 4 * len(originals)  # most edited copies are found at all


def test_the_dec_2024_captures_are_decided_alike(realdata: Path) -> None:
    texts = []
    for path in sorted((realdata / "corss-dec2024-snapshot").glob("*.xml")):
        texts += [dedup.content_words(e) for e in parse(path.read_bytes(), str(path)).entries]
    assert len(texts) > 1000
    assert _decisions(texts, texts, dedup.signature) == _decisions(texts, texts, _whole_text_signature)
