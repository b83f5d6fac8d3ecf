"""Run the automaton over an article, evaluate the watchlists it touched, explain and score.

``Matcher.match`` folds each field once, runs the one automaton over it and records, per leaf
(term or entity), where it occurred. Only watchlists with a leaf among those (plus the few that
use ``re:``, which no automaton can see) have their boolean tree evaluated; ``exclude`` is
evaluated for those that matched. Hits are mapped back to offsets in the field as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.config import EntityConfig, WatchlistConfig
from monitor.errors import QueryError
from monitor.match.compile import LeafTable
from monitor.match.evaluate import Compiled, Context, Spot, compile_tree
from monitor.match.query import EntityRef, Node, Regex, leaves, needs_a_hit, parse
from monitor.model import FIELDS, Document, Field, Hit, Match
from monitor.text.normalise import Normalised, keys

WEIGHTS: dict[Field, float] = {"title": 3.0, "summary": 1.5, "body": 1.0}


def checked(text: str, entities: Mapping[str, EntityConfig], *, exclude: bool = False) -> Node:
    """Parse and check a query: entities exist, and (unless an exclude) something must occur."""
    node = parse(text)
    for leaf in leaves(node):
        if isinstance(leaf, EntityRef) and leaf.name not in entities:
            raise QueryError(f"unknown entity @{leaf.name}", query=text, column=leaf.column)
    if not exclude and not needs_a_hit(node):
        message = "the query matches by absence only; add a term that must occur"
        raise QueryError(message, query=text, column=1)
    return node


@dataclass(frozen=True, slots=True)
class _Watchlist:
    name: str
    query: Compiled
    exclude: Compiled | None


def score(hits: Sequence[Hit]) -> float:
    """Title hits weigh 3, summary 1.5, body 1; repeats of a term in a field add a quarter each (≤ 4)."""
    counts: dict[tuple[str, Field], int] = {}
    for hit in hits:
        counts[(hit.term, hit.field)] = counts.get((hit.term, hit.field), 0) + 1
    total = sum(WEIGHTS[f] * (1 + 0.25 * min(n - 1, 4)) for (_, f), n in counts.items())
    return round(total, 2)


class Matcher:
    """All watchlists compiled into one automaton; build once per config, call ``match`` per article."""

    def __init__(
        self, watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig], engine: str | None = None
    ) -> None:
        table = LeafTable(entities)
        self._lists: list[_Watchlist] = []
        self._triggers: dict[int, list[int]] = {}
        self._always: list[int] = []
        for number, config in enumerate(watchlists):
            query = checked(config.query, entities)
            exclude = checked(config.exclude, entities, exclude=True) if config.exclude else None
            for leaf in leaves(query):
                if isinstance(leaf, Regex):
                    self._always.append(number)
                else:
                    self._triggers.setdefault(table.add(leaf), []).append(number)
            self._lists.append(
                _Watchlist(
                    config.name,
                    compile_tree(query, table.add),
                    compile_tree(exclude, table.add) if exclude is not None else None,
                )
            )
        self._always = sorted(set(self._always))
        self._automaton = table.automaton(engine)

    @property
    def watchlist_names(self) -> list[str]:
        return [w.name for w in self._lists]

    def _scan(self, doc: Document) -> tuple[dict[Field, Normalised], dict[int, list[Spot]]]:
        fields: dict[Field, Normalised] = {}
        found: dict[int, list[Spot]] = {}
        for where in FIELDS:
            text = doc.field(where)
            if not text:
                continue
            norm = fields[where] = keys(text)
            if self._automaton is None:
                continue
            automaton, values = self._automaton
            folded = norm.text
            for index, start, stop in automaton.matches(" " + folded + " "):
                pattern = values[index]
                start += pattern.lead - 1  # - 1: the padding space
                stop -= pattern.trail + 1
                if not pattern.lead:  # a compound head (*gipfel): the hit is the whole word
                    start = folded.rfind(" ", 0, start) + 1
                if not pattern.trail:  # a prefix (Tomahawk*): likewise
                    found_end = folded.find(" ", stop)
                    stop = len(folded) if found_end < 0 else found_end
                spot = (where, start, stop)
                for leaf in pattern.leaves:
                    spots = found.get(leaf)
                    if spots is None:
                        found[leaf] = [spot]
                    else:
                        spots.append(spot)
        return fields, found

    def match(self, doc: Document) -> list[Match]:
        """One Match per watchlist that matches ``doc`` and is not excluded, hits explaining it."""
        fields, found = self._scan(doc)
        triggers = self._triggers
        touched = {n for leaf in found if leaf in triggers for n in triggers[leaf]}
        touched.update(self._always)
        if not touched:
            return []
        ctx = Context(doc, fields, found)
        matches: list[Match] = []
        for number in sorted(touched):
            watchlist = self._lists[number]
            groups = ctx.evaluate(watchlist.query)
            if not groups:
                continue
            if watchlist.exclude is not None and ctx.evaluate(watchlist.exclude) is not None:
                continue
            hits = ctx.hits(groups)
            matches.append(Match(watchlist.name, score(hits), hits))
        return matches
