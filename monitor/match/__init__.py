"""Watchlist matching for German news (docs/architecture.md §3): the interface the rest of newsmon calls.

validate_query(text, entities)           raises QueryError pointing at the column
compile_matcher(watchlists, entities)    -> Matcher; build once per config
Matcher.match(doc)                       -> [Match], one per matching watchlist, hits explain it
snippet(doc, match, width)               -> (excerpt, spans to highlight inside it)
release_lexicon()                        frees the German lexicon (~100 MB) once matchers are built
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitor.config import EntityConfig, WatchlistConfig
from monitor.match.engine import Matcher, checked
from monitor.match.snippet import snippet
from monitor.text.tokens import release_lexicon

__all__ = ["Matcher", "compile_matcher", "release_lexicon", "snippet", "validate_query"]


def validate_query(text: str, entities: Mapping[str, EntityConfig]) -> None:
    """Raise QueryError (with the 1-based column) if ``text`` is not a valid query."""
    checked(text, entities)


def compile_matcher(watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig]) -> Matcher:
    """All watchlists (queries and excludes) compiled into one automaton."""
    return Matcher(watchlists, entities)
