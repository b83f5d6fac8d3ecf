"""Locality-sensitive hashing over MinHash signatures: the near-duplicate candidates of an article.

A signature is cut into ``bands`` bands of ``rows`` values; two articles are candidates when any
band is equal. The band and row counts are datasketch's (``MinHashLSH``'s choice for the threshold
and the number of permutations, kept here as constants: computing them imports scipy, over a second
of start-up), so the candidates are exactly the ones ``MinHashLSH.query`` gives
(``tests/test_dedup_unit.py`` and ``tests/test_dedup_constants.py`` check this). The index itself
is a dict per band: datasketch's ``MinHashLSH`` built a MinHash object per call and hashed each
band separately, about 200 µs per new article, more than computing its signature
(bench/bench_dedup.py); this is ~10x less.
"""

from __future__ import annotations

import numpy as np

# (threshold, permutations) → (bands, rows) as ``datasketch.MinHashLSH`` picks them.
PARAMETERS: dict[tuple[float, int], tuple[int, int]] = {(0.4, 128): (32, 4)}


def parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch picks for this threshold and number of permutations."""
    return PARAMETERS[(threshold, num_perm)]


class Bands:
    """Article ids by the bands of their signatures. A band held by one article maps to its id, one held
    by several to a list of them: nearly every band is unique, and a set per band was most of the index's
    memory and a third of the time of adding an article."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.bands, self.rows = parameters(threshold, num_perm)
        self.tables: list[dict[bytes, int | list[int]]] = [{} for _ in range(self.bands)]
        self.keys: dict[int, list[bytes]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def _cut(self, signature: np.ndarray) -> list[bytes]:
        raw = np.asarray(signature[: self.bands * self.rows], dtype="<u4").tobytes()
        width = 4 * self.rows
        return [raw[start:start + width] for start in range(0, len(raw), width)]

    def query(self, signature: np.ndarray) -> set[int]:
        """Ids of the articles sharing at least one band with this signature."""
        found: set[int] = set()
        for table, band in zip(self.tables, self._cut(signature), strict=True):
            ids = table.get(band)
            if ids is None:
                continue
            if isinstance(ids, int):
                found.add(ids)
            else:
                found.update(ids)
        return found

    def insert(self, article_id: int, signature: np.ndarray) -> None:
        self.remove(article_id)
        bands = self.keys[article_id] = self._cut(signature)
        for table, band in zip(self.tables, bands, strict=True):
            ids = table.get(band)
            if ids is None:
                table[band] = article_id
            elif isinstance(ids, int):
                if ids != article_id:
                    table[band] = [ids, article_id]
            elif article_id not in ids:
                ids.append(article_id)

    def remove(self, article_id: int) -> None:
        bands = self.keys.pop(article_id, None)
        if bands is None:
            return
        for table, band in zip(self.tables, bands, strict=True):
            ids = table.get(band)
            if ids is None:
                continue
            if isinstance(ids, int):
                if ids == article_id:
                    del table[band]
            elif article_id in ids:
                ids.remove(article_id)
                if len(ids) == 1:
                    table[band] = ids[0]
