"""Watchlist matching for German news (docs/architecture.md §3): the interface the rest of newsmon calls.

validate_query(text, entities)           raises QueryError pointing at the column
compile_matcher(watchlists, entities)    -> Matcher; build once per config
Matcher.match(doc)                       -> [Match], one per matching watchlist, hits explain it
snippet(doc, match, width)               -> (excerpt, spans to highlight inside it)
release_lexicon()                        unmaps the German lexicon's tries once matchers are built
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports
from monitor.match.snippet import snippet  # eager: a submodule of the same name would shadow a lazy one

if TYPE_CHECKING:
    from monitor.match.engine import Matcher, compile_matcher
    from monitor.match.query import validate_query

__all__ = ["Matcher", "compile_matcher", "release_lexicon", "snippet", "validate_query"]
# Loading a config checks its queries with the parser alone; the engine (automaton, lexicon) is
# imported by the commands that match.
__getattr__ = exports(__name__, {"Matcher": "engine", "compile_matcher": "engine", "validate_query": "query"})


def release_lexicon() -> None:
    """Unmap the German lexicon's tries once matchers are built (``monitor.text.tokens``)."""
    from monitor.text.tokens import release_lexicon as release

    release()
