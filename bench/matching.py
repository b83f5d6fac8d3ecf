"""Matching cost against the number of terms (10 → 10,000), newsmon beside a regex per term and a
bare pyahocorasick automaton, on the real articles of the pool. One process per point (peak RSS).

Terms are the ten usual watch words plus capitalised words of the corpus itself (see
``corpus.vocabulary_terms``): most of them occur, so the larger sets touch many watchlists per
article (the hard case). Watchlists hold ten terms each, OR-ed.
"""

from __future__ import annotations

import re
import time
from typing import Any

from bench import corpus
from bench.common import median_time, peak_rss_mb


def documents() -> list[tuple[str, str]]:
    return [(a.title, "\n".join(a.paragraphs)) for a in corpus.article_pool()]


def watchlists(terms: list[str]) -> dict[str, list[str]]:
    return {f"w{i // 10}": terms[i:i + 10] for i in range(0, len(terms), 10)}


def run(kind: str, count: int, repeat: int, budget: float) -> dict[str, Any]:
    """``budget``: seconds per naive run; a slow run is measured on the articles done by then."""
    docs = documents()
    megabytes = sum(len(t.encode()) + len(b.encode()) for t, b in docs) / 1e6
    terms = corpus.vocabulary_terms(corpus.article_pool(), count)
    start = time.perf_counter()
    match, done = _build(kind, terms, docs, budget)
    compiled = time.perf_counter() - start
    found = match()
    seconds = median_time(match, repeat) * len(docs) / done()
    return {"kind": kind, "terms": count, "seconds": seconds, "mb_per_s": megabytes / seconds, "compile": compiled,
            "matches": found, "docs": len(docs), "rss_mb": peak_rss_mb()}


def _build(kind: str, terms: list[str], docs: list[tuple[str, str]], budget: float) -> tuple[Any, Any]:
    lists = watchlists(terms)
    if kind == "newsmon":
        from monitor.config import WatchlistConfig
        from monitor.match import compile_matcher
        from monitor.model import Document

        matcher = compile_matcher([WatchlistConfig(name=n, query=" OR ".join(t), notify=[]) for n, t in lists.items()],
                                  {})
        documents = [Document(title=t, body=b) for t, b in docs]
        return (lambda: sum(len(matcher.match(d)) for d in documents)), (lambda: len(docs))
    if kind == "naive":
        state = {"done": len(docs)}

        def naive() -> int:
            begin, found = time.perf_counter(), 0
            for number, (title, body) in enumerate(docs):
                text = f"{title}\n{body}"
                found += sum(1 for ts in lists.values()
                             if any(re.search(r"\b" + re.escape(t) + r"\b", text, re.IGNORECASE) for t in ts))
                if time.perf_counter() - begin > budget:
                    state["done"] = number + 1
                    break
            return found

        return naive, (lambda: state["done"])
    import ahocorasick

    auto = ahocorasick.Automaton()
    owners: dict[str, set[str]] = {}
    for name, ts in lists.items():
        for t in ts:
            owners.setdefault(t.lower(), set()).add(name)
    for word, names in owners.items():
        auto.add_word(word, (len(word), frozenset(names)))
    auto.make_automaton()

    def fast() -> int:
        found = 0
        for title, body in docs:
            text = f"{title}\n{body}".lower()
            hit: set[str] = set()
            for end, (length, names) in auto.iter(text):
                start = end - length + 1
                if (start and text[start - 1].isalnum()) or (end + 1 < len(text) and text[end + 1].isalnum()):
                    continue
                hit |= names
            found += len(hit)
        return found

    return fast, (lambda: len(docs))
