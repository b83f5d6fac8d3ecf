"""Run the automaton over an article, evaluate the watchlists it touched, explain and score.

``Matcher.match`` folds each field once, runs the one automaton over it and records, per leaf
(term or entity), where it occurred. Only watchlists with a leaf among those (plus the few that
use ``re:``, which no automaton can see) have their boolean tree evaluated; ``exclude`` is
evaluated for those that matched. A watchlist of OR-ed terms with no exclude (the usual big one)
has no tree to walk: each leaf that occurred hands its occurrences straight to the watchlists it
belongs to. Hits are mapped back to offsets in the field as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.config import EntityConfig, WatchlistConfig
from monitor.errors import QueryError
from monitor.match.compile import LeafTable, Pattern
from monitor.match.evaluate import AnyLeaf, Compiled, Context, Group, Spot, compile_tree
from monitor.match.query import EntityRef, Node, Regex, leaves, needs_a_hit, parse
from monitor.model import FIELDS, Document, Field, Hit, Match
from monitor.text.normalise import Normalised, keys

WEIGHTS: dict[Field, float] = {"title": 3.0, "summary": 1.5, "body": 1.0}
_ONCE: dict[Field, float] = {where: round(weight, 2) for where, weight in WEIGHTS.items()}  # score of one hit


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
    if len(hits) == 1:  # the sum below of one term
        return _ONCE[hits[0].field]
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
        self._direct: dict[int, list[tuple[int, str]]] = {}
        self._always: list[int] = []
        for number, config in enumerate(watchlists):
            query = checked(config.query, entities)
            exclude = checked(config.exclude, entities, exclude=True) if config.exclude else None
            watchlist = _Watchlist(
                config.name,
                compile_tree(query, table.add),
                compile_tree(exclude, table.add) if exclude is not None else None,
            )
            self._lists.append(watchlist)
            if type(watchlist.query) is AnyLeaf and watchlist.exclude is None:
                # Terms OR-ed, nothing excluded: true exactly when one of its terms occurs, with those
                # occurrences as the explanation; ``match`` collects them per leaf, no tree to walk.
                for leaf_number, label in watchlist.query.leaves:
                    self._direct.setdefault(leaf_number, []).append((number, label))
                continue
            for leaf in leaves(query):
                if isinstance(leaf, Regex):
                    self._always.append(number)
                else:
                    self._triggers.setdefault(table.add(leaf), []).append(number)
        self._always = sorted(set(self._always))
        built = table.automaton(engine)
        self._scanner = built[0] if built is not None else None
        self._patterns = built[1] if built is not None else []
        # By pattern index: the one leaf of a whole-word pattern (the common case, whose hit needs no
        # adjusting beyond the boundary spaces), else -1.
        self._whole = [p.leaves[0] if p.lead and p.trail and len(p.leaves) == 1 else -1 for p in self._patterns]

    @property
    def watchlist_names(self) -> list[str]:
        return [w.name for w in self._lists]

    def _scan(self, doc: Document) -> tuple[dict[Field, Normalised], dict[int, list[Spot]]]:
        """Fold each field and run the automaton over it: where each leaf occurred, in folded offsets."""
        fields: dict[Field, Normalised] = {}
        found: dict[int, list[Spot]] = {}
        automaton, whole = self._scanner, self._whole
        for where, text in zip(FIELDS, (doc.title, doc.summary, doc.body), strict=True):
            if not text:
                continue
            norm = fields[where] = keys(text)
            if automaton is None:
                continue
            folded = norm.text
            for index, start, stop in automaton.matches(" " + folded + " "):
                leaf = whole[index]
                if leaf >= 0:  # " word ": the padding space and the pattern's own cancel out at the start
                    spot: Spot = (where, start, stop - 2)
                    spots = found.get(leaf)
                    if spots is None:
                        found[leaf] = [spot]
                    else:
                        spots.append(spot)
                    continue
                self._place(self._patterns[index], where, folded, start, stop, found)
        return fields, found

    @staticmethod
    def _place(
        pattern: Pattern, where: Field, folded: str, start: int, stop: int, found: dict[int, list[Spot]]
    ) -> None:
        """Record a hit of a wildcard, compound-head or shared pattern (offsets in the padded text)."""
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

    def match(self, doc: Document) -> list[Match]:
        """One Match per watchlist that matches ``doc`` and is not excluded, hits explaining it."""
        fields, found = self._scan(doc)
        direct, triggers = self._direct, self._triggers
        collected: dict[int, list[Group]] = {}  # OR-of-terms watchlists: their groups, leaf by leaf
        touched = set(self._always)  # the others: their trees are evaluated
        for leaf, spots in found.items():
            owners = direct.get(leaf)
            if owners is not None:
                for number, label in owners:
                    groups = collected.get(number)
                    if groups is None:
                        collected[number] = [(label, spots, False)]
                    else:
                        groups.append((label, spots, False))
            if triggers:
                numbers = triggers.get(leaf)
                if numbers is not None:
                    touched.update(numbers)
        if not collected and not touched:
            return []
        ctx: Context | None = None  # needed to evaluate a tree or to explain several hits
        lists = self._lists
        matches: list[Match] = []
        for number in sorted(touched.union(collected) if touched else collected):
            watchlist = lists[number]
            found_groups = collected.get(number)
            if found_groups is None:
                ctx = ctx or Context(doc, fields, found)
                found_groups = ctx.evaluate(watchlist.query)
                if not found_groups:
                    continue
                if watchlist.exclude is not None and ctx.evaluate(watchlist.exclude) is not None:
                    continue
            elif len(found_groups) == 1 and len(found_groups[0][1]) == 1:  # one term, once: the usual
                label, ((where, start, end),), _ = found_groups[0]
                norm = fields[where]
                if not norm.one_to_one:
                    start, end = norm.span(start, end)
                hit = Hit(label, where, start, end, getattr(doc, where)[start:end])
                matches.append(Match(watchlist.name, _ONCE[where], (hit,)))
                continue
            ctx = ctx or Context(doc, fields, found)
            hits = ctx.hits(found_groups)
            matches.append(Match(watchlist.name, score(hits), hits))
        return matches
