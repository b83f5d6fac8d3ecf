"""The one multi-pattern automaton, behind a two-method interface so the engine can be measured.

``ahocorasick_rs`` (the Rust aho-corasick crate) is used when installed: it reports all overlapping
matches of a text in one call and its automaton stays compact, so a 10,000-term scan costs about
half of what pyahocorasick's does (bench/bench_match.py). pyahocorasick is the fallback.

The texts searched are key streams (``monitor.text.normalise.keys``): letters, digits and spaces.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick


class Scanner(Protocol):
    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every pattern, overlapping ones too: (pattern index, start, end)."""
        ...


class RustScanner:
    """A German key stream nearly always fits in Latin-1 (ä, ö, ü, ß, é are in it): such a text is
    searched as its Latin-1 bytes, whose offsets are character offsets, so the crate need not map
    every byte of the text back to a character as it does for a ``str``. A pattern with a character
    beyond Latin-1 cannot occur in such a text; in the bytes automaton "?" (never in a key stream)
    stands in for that character, which keeps the pattern numbers. The rare text beyond Latin-1
    (a Polish ł) goes to the ``str`` automaton over the same patterns, built when the first such
    text comes (most runs never need it: it is half the build time and memory)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        import ahocorasick_rs

        self._patterns = list(patterns)
        narrow = [pattern.encode("latin-1", "replace") for pattern in patterns]
        self._narrow = ahocorasick_rs.BytesAhoCorasick(narrow, matchkind=ahocorasick_rs.MatchKind.Standard)
        self._wide: AhoCorasick | None = None
        self._lock = threading.Lock()

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return self._wide_automaton().find_matches_as_indexes(text, overlapping=True)
        return self._narrow.find_matches_as_indexes(data, overlapping=True)

    def _wide_automaton(self) -> AhoCorasick:
        with self._lock:  # feeds are matched on several threads
            if self._wide is None:
                import ahocorasick_rs

                self._wide = ahocorasick_rs.AhoCorasick(self._patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
                self._patterns = []
            return self._wide


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
