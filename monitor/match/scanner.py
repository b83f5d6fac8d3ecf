"""The one multi-pattern automaton, behind a two-method interface so the engine can be measured.

``ahocorasick_rs`` (the Rust aho-corasick crate) is used when installed: it reports all overlapping
matches of a text in one call and its automaton stays compact, so a 10,000-term scan costs about
half of what pyahocorasick's does (bench/bench_match.py). pyahocorasick is the fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Scanner(Protocol):
    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every pattern, overlapping ones too: (pattern index, start, end)."""
        ...


class RustScanner:
    def __init__(self, patterns: Sequence[str]) -> None:
        import ahocorasick_rs

        self._automaton = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        return self._automaton.find_matches_as_indexes(text, overlapping=True)


class PythonScanner:
    def __init__(self, patterns: Sequence[str]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._lengths = [len(pattern) for pattern in patterns]
        for index, pattern in enumerate(patterns):
            self._automaton.add_word(pattern, index)
        self._automaton.make_automaton()

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        lengths = self._lengths
        return [(index, end + 1 - lengths[index], end + 1) for end, index in self._automaton.iter(text)]


def scanner(patterns: Sequence[str], engine: str | None = None) -> Scanner:
    """An automaton over ``patterns`` (at least one): ``engine`` "rust", "python" or None for the best."""
    if engine in (None, "rust"):
        try:
            return RustScanner(patterns)
        except ImportError:
            if engine == "rust":
                raise
    return PythonScanner(patterns)
