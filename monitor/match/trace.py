"""Why a watchlist matched an article or not, term by term: each leaf of the query and of its
exclude with the variants found where, and for a phrase that was not found the nearest thing that
was (its words found apart or in another order, a word missing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.config import EntityConfig, WatchlistConfig
from monitor.match.engine import Matcher
from monitor.match.query import EntityRef, Leaf, Regex, Term, checked, leaves
from monitor.model import Document
from monitor.text.normalise import fold_keys


def _leaf_query(leaf: Leaf) -> str:
    if isinstance(leaf, EntityRef):
        return f"@{leaf.name}"
    if isinstance(leaf, Regex):
        return "re:/" + leaf.pattern.replace("/", "\\/") + "/"
    return f'"{leaf.text}"' if leaf.phrase else leaf.text


def _label(leaf: Leaf) -> str:
    scope = f"{'/'.join(sorted(leaf.fields))}:" if leaf.fields else ""
    return scope + _leaf_query(leaf)


def _hits(query: str, doc: Document, entities: Mapping[str, EntityConfig]) -> list[dict[str, Any]]:
    matcher = Matcher([WatchlistConfig(name="leaf", query=query)], entities)
    return [{"field": hit.field, "start": hit.start, "end": hit.end, "text": hit.text,
             "variant": " ".join(fold_keys(hit.text).split())}
            for match in matcher.match(doc) for hit in match.hits]


def _closest(term: Term, doc: Document) -> dict[str, Any] | None:
    """For a phrase not found: where each of its words occurs on its own (in any form)."""
    if len(term.words) < 2:
        return None
    words: list[dict[str, Any]] = [{"word": word, "found": _hits(word, doc, {})[:5]} for word in term.words]
    missing = [str(w["word"]) for w in words if not w["found"]]
    note = (f"not in the text: {', '.join(missing)}" if missing
            else "every word occurs, but not next to each other in this order")
    return {"note": note, "words": words}


def explain_leaves(query: str, doc: Document, entities: Mapping[str, EntityConfig],
                   *, exclude: bool = False) -> list[dict[str, Any]]:
    """Each term, entity or regular expression of ``query``: found where (with the variant as
    folded), or not, and for a phrase not found its closest miss."""
    out = []
    for leaf in leaves(checked(query, entities, exclude=exclude)):
        found = _hits(_leaf_query(leaf), doc, entities)
        if leaf.fields:
            found = [hit for hit in found if hit["field"] in leaf.fields]
        item: dict[str, Any] = {"term": _label(leaf), "matched": bool(found), "hits": found}
        if not found and isinstance(leaf, Term):
            closest = _closest(leaf, doc)
            if closest is not None:
                item["closest"] = closest
        out.append(item)
    return out
