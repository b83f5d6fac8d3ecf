"""Near-duplicate candidates from LSH band keys that live in the database (``article_bands``).

A signature's bands (``bands.parameters``: datasketch's band and row counts) become 64-bit keys,
one row per band; storage finds the recent articles sharing a key with any entry of a feed in one
query (``store/bandrows.py``), so no process holds the index and daemons on one PostgreSQL share
it. Two articles share a key exactly when they share a band (a 64-bit hash of the band and its
number: a collision only proposes one more candidate, which the signature's similarity and the
text comparison then judge). ``BatchBands`` holds the new articles of the feed being decided.
No I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from monitor.dedup.bands import parameters
from monitor.dedup.features import NUM_PERM, similarity

LSH_THRESHOLD = 0.4
CANDIDATE = 0.35  # estimated Jaccard a candidate needs before its text is compared


def band_keys(signature: np.ndarray | None) -> tuple[int, ...]:
    """The signature's bands as signed 64-bit keys (the column type of both backends)."""
    if signature is None:
        return ()
    bands, rows = parameters(LSH_THRESHOLD, NUM_PERM)
    raw = np.asarray(signature[: bands * rows], dtype="<u4").tobytes()
    width = 4 * rows
    return tuple(int.from_bytes(hashlib.blake2b(bytes((n,)) + raw[n * width:(n + 1) * width], digest_size=8).digest(),
                                "little", signed=True) for n in range(bands))


def ranked(signature: np.ndarray, others: Iterable[tuple[int, np.ndarray]]) -> list[tuple[float, int]]:
    """(estimated similarity, id) of the others worth a text comparison."""
    scored = []
    for article_id, other in others:
        value = similarity(signature, other)
        if value >= CANDIDATE:
            scored.append((value, article_id))
    return scored


class BatchBands:
    """The band keys and signatures of the articles a feed's decisions add."""

    def __init__(self) -> None:
        self.by_key: dict[int, list[int]] = {}
        self.signatures: dict[int, np.ndarray] = {}

    def add(self, article_id: int, signature: np.ndarray, keys: tuple[int, ...]) -> None:
        self.signatures[article_id] = signature
        for key in keys:
            self.by_key.setdefault(key, []).append(article_id)

    def ranked(self, signature: np.ndarray | None, keys: tuple[int, ...]) -> list[tuple[float, int]]:
        if signature is None or not self.signatures:
            return []
        found = {article_id for key in keys for article_id in self.by_key.get(key, ())}
        return ranked(signature, ((article_id, self.signatures[article_id]) for article_id in found))
