"""Matching cost against the number of terms (10 → 10,000), newsmon beside a regex per term and a
bare pyahocorasick automaton, on the real articles of ``bench_match.load``. One process per point
(peak RSS). The term sets and watchlists are those of ``bench_match``: ``lexicon`` (nouns
from simplemma's German lexicon, like a big watchlist of specific names and things) and ``corpus``
(capitalised words of the articles themselves: nearly every term occurs, the worst case).
Watchlists hold ten terms each, OR-ed. Times are CPU seconds of the process, medians. The cost of
newsmon and pyahocorasick relative to 10 terms is measured within each process, in pairs of passes
with a 10-term matcher (``_against_ten``).
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

from bench import bench_match
from bench.common import peak_rss_mb, reset_peak
from bench.corpus import REALDATA


def run(count: int, repeat: int, budget: float, termset: str) -> list[dict[str, Any]]:
    """The three matchers at one number of terms (peak RSS measured for each on its own).
    ``budget``: seconds per naive run; a slow run is measured on the articles done by then."""
    docs = bench_match.load(REALDATA)
    texts = [(d.title, d.summary, d.body) for d in docs]
    megabytes = bench_match.size_of(docs) / 1e6
    sets = bench_match.lexicon_terms() if termset == "lexicon" else bench_match.corpus_terms(docs)
    terms = sets[count]
    out = []
    for kind in ("newsmon", "naive", "fast"):
        reset_peak()
        start = time.process_time()
        match, done, scan = _build(kind, terms, texts, budget)
        compiled = time.process_time() - start
        found = match()
        seconds = bench_match.median_time(match, repeat) * len(docs) / done()
        out.append({"kind": kind, "terms": count, "termset": termset, "seconds": seconds,
                    "mb_per_s": megabytes / seconds, "compile": compiled, "matches": found, "docs": len(docs),
                    "rss_mb": peak_rss_mb(), "scan": bench_match.median_time(scan, repeat) if scan else None})
    for point in out:
        if point["kind"] != "naive":  # naive stops at its time budget; its ratio stays across processes
            point.update(_against_ten(point["kind"], terms, sets[min(sets)], texts, repeat))
    return out


def _against_ten(
    kind: str, terms: list[str], ten: list[str], texts: list[tuple[str, str, str]], repeat: int
) -> dict[str, float]:
    """The cost relative to 10 terms, both matchers in this process, a pass of each in turn; the
    median of at least 5 such pairs. On a shared machine separate processes ran at speeds up to 2x apart
    (10,000 terms: 0.16 to 0.31 s a pass in identical runs), which a ratio across processes takes in
    whole; two passes side by side share most of the disturbance."""
    if terms == ten:
        return {"match_vs_10": 1.0, "scan_vs_10": 1.0} if kind == "newsmon" else {"match_vs_10": 1.0}
    ours, base = _build(kind, terms, texts, 0.0), _build(kind, ten, texts, 0.0)
    pairs = [("match_vs_10", ours[0], base[0])] + ([("scan_vs_10", ours[2], base[2])] if ours[2] else [])
    ours[0](), base[0]()  # warm up
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    for _ in range(max(repeat, 5)):
        for name, mine, theirs in pairs:
            start = time.process_time()
            theirs()
            middle = time.process_time()
            mine()
            ratios[name].append((time.process_time() - middle) / (middle - start))
    return {name: statistics.median(values) for name, values in ratios.items()}


def _build(kind: str, terms: list[str], docs: list[tuple[str, str, str]], budget: float) -> tuple[Any, Any, Any]:
    """(match all, articles done, scan only or None)."""
    configs = bench_match.watchlists(terms)
    lists = {w.name: w.query.split(" OR ") for w in configs}
    if kind == "newsmon":
        from monitor.match import compile_matcher
        from monitor.model import Document

        matcher = compile_matcher(configs, {})
        documents = [Document(title=t, summary=s, body=b) for t, s, b in docs]
        return ((lambda: sum(len(matcher.match(d)) for d in documents)), (lambda: len(docs)),
                # Folding and the automaton, no evaluation; each result dropped at once, like match's:
                # a list of them all would have the garbage collector walk it (half the 10k corpus scan).
                lambda: sum(len(matcher._scan(d)[1]) for d in documents))
    if kind == "naive":
        state = {"done": len(docs)}

        def naive() -> int:
            begin, found = time.process_time(), 0
            for number, (title, summary, body) in enumerate(docs):
                text = f"{title}\n{summary}\n{body}"
                found += sum(1 for ts in lists.values()
                             if any(re.search(r"\b" + re.escape(t) + r"\b", text, re.IGNORECASE) for t in ts))
                if time.process_time() - begin > budget:
                    state["done"] = number + 1
                    break
            return found

        return naive, (lambda: state["done"]), None
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
        for title, summary, body in docs:
            text = f"{title}\n{summary}\n{body}".lower()
            hit: set[str] = set()
            for end, (length, names) in auto.iter(text):
                start = end - length + 1
                if (start and text[start - 1].isalnum()) or (end + 1 < len(text) and text[end + 1].isalnum()):
                    continue
                hit |= names
            found += len(hit)
        return found

    return fast, (lambda: len(docs)), None
