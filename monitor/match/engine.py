"""Run the automaton over an article, evaluate the watchlists it touched, explain and score.

``Matcher.match`` folds each field once, runs the one automaton over it and records, per leaf
(term or entity), where it occurred. Only watchlists with a leaf among those (plus the few that
use ``re:``, which no automaton can see) have their boolean tree evaluated; ``exclude`` is
evaluated for those that matched. Hits are mapped back to offsets in the field as written.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import regex

from monitor.config import EntityConfig, WatchlistConfig
from monitor.errors import QueryError
from monitor.match.compile import LeafTable, Pattern
from monitor.match.query import And, EntityRef, Node, Not, Or, Regex, Term, leaves, needs_a_hit, parse
from monitor.model import FIELDS, Document, Field, Hit, Match
from monitor.text.normalise import Normalised, keys

log = logging.getLogger(__name__)

WEIGHTS: dict[Field, float] = {"title": 3.0, "summary": 1.5, "body": 1.0}
REGEX_TIMEOUT = 0.05
REGEX_MAX_HITS = 50
_WORDS = re.compile(r"\S+")

# A reference to an occurrence: (label, field, start, end, offsets_are_original)
Ref = tuple[str, Field, int, int, bool]


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


@dataclass(slots=True)
class _Watchlist:
    name: str
    query: Node
    exclude: Node | None
    always: bool


@dataclass(slots=True)
class _Context:
    """What one article offers evaluation: its folded fields and where each leaf occurred."""

    doc: Document
    fields: dict[Field, Normalised]
    found: dict[int, list[tuple[Field, int, int]]]
    leaf_of: dict[tuple[object, ...], int]
    regexes: dict[str, regex.Pattern[str]]
    _words: dict[Field, list[int]] = field(default_factory=dict)

    def word_at(self, where: Field, pos: int) -> int:
        starts = self._words.get(where)
        if starts is None:
            starts = self._words[where] = [m.start() for m in _WORDS.finditer(self.fields[where].text)]
        return bisect.bisect_right(starts, pos) - 1

    def leaf_refs(self, leaf: Term | EntityRef) -> list[Ref]:
        label = f"@{leaf.name}" if isinstance(leaf, EntityRef) else leaf.text
        spots = self.found.get(self.leaf_of[leaf.key], ())
        return [(label, f, s, e, False) for f, s, e in spots if leaf.fields is None or f in leaf.fields]

    def regex_refs(self, leaf: Regex) -> list[Ref]:
        compiled = self.regexes[leaf.pattern]
        refs: list[Ref] = []
        for where in FIELDS:
            text = self.doc.field(where)
            if not text or (leaf.fields is not None and where not in leaf.fields):
                continue
            try:
                for m in compiled.finditer(text, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        refs.append((f"re:/{leaf.pattern}/", where, m.start(), m.end(), True))
                    if len(refs) >= REGEX_MAX_HITS:
                        return refs
            except TimeoutError:
                log.warning("regular expression timed out", extra={"pattern": leaf.pattern})
        return refs

    def near(self, left: list[Ref], right: list[Ref], distance: int) -> list[Ref]:
        out: list[Ref] = []
        for a in left:
            for b in right:
                if a[1] != b[1]:
                    continue
                first, last = (a, b) if a[2] <= b[2] else (b, a)
                gap = self.word_at(last[1], last[2]) - self.word_at(first[1], first[3] - 1)
                if gap <= distance:
                    out += [a, b]
        return out

    def evaluate(self, node: Node) -> list[Ref] | None:
        """The occurrences that make ``node`` true, or None when it is false."""
        if isinstance(node, Term | EntityRef):
            return self.leaf_refs(node) or None
        if isinstance(node, Regex):
            return self.regex_refs(node) or None
        if isinstance(node, Not):
            return [] if self.evaluate(node.item) is None else None
        if isinstance(node, And):
            refs: list[Ref] = []
            for item in node.items:
                got = self.evaluate(item)
                if got is None:
                    return None
                refs += got
            return refs
        if isinstance(node, Or):
            results = [self.evaluate(item) for item in node.items]
            true = [got for got in results if got is not None]
            return [ref for got in true for ref in got] if true else None
        left, right = self.evaluate(node.left), self.evaluate(node.right)
        if left is None or right is None:
            return None
        return self.near(left, right, node.distance) or None

    def hits(self, refs: list[Ref]) -> tuple[Hit, ...]:
        seen: dict[tuple[str, Field, int, int], None] = {}
        for label, where, start, end, original in refs:
            if not original:
                start, end = self.fields[where].span(start, end)
            seen.setdefault((label, where, start, end), None)
        order = sorted(seen, key=lambda k: (FIELDS.index(k[1]), k[2], k[3], k[0]))
        return tuple(Hit(label, where, s, e, self.doc.field(where)[s:e]) for label, where, s, e in order)


def score(hits: Sequence[Hit]) -> float:
    """Title hits weigh 3, summary 1.5, body 1; repeats of a term in a field add a quarter each (≤ 4)."""
    counts: dict[tuple[str, Field], int] = {}
    for hit in hits:
        counts[(hit.term, hit.field)] = counts.get((hit.term, hit.field), 0) + 1
    total = sum(WEIGHTS[f] * (1 + 0.25 * min(n - 1, 4)) for (_, f), n in counts.items())
    return round(total, 2)


class Matcher:
    """All watchlists compiled into one automaton; build once per config, call ``match`` per article."""

    def __init__(self, watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig]) -> None:
        table = LeafTable(entities)
        self._lists: list[_Watchlist] = []
        self._triggers: dict[int, list[int]] = {}
        self._regexes: dict[str, regex.Pattern[str]] = {}
        for number, config in enumerate(watchlists):
            query = checked(config.query, entities)
            exclude = checked(config.exclude, entities, exclude=True) if config.exclude else None
            always = False
            for tree, triggers in ((query, True), (exclude, False)):
                for leaf in leaves(tree) if tree is not None else []:
                    if isinstance(leaf, Regex):
                        always = always or triggers
                        self._regexes[leaf.pattern] = regex.compile(leaf.pattern, regex.IGNORECASE)
                        continue
                    leaf_number = table.add(leaf)
                    if triggers:
                        self._triggers.setdefault(leaf_number, []).append(number)
            self._lists.append(_Watchlist(config.name, query, exclude, always))
        self._leaf_of = table.index
        self._always = [n for n, w in enumerate(self._lists) if w.always]
        self._automaton = table.automaton() if table.patterns else None

    @property
    def watchlist_names(self) -> list[str]:
        return [w.name for w in self._lists]

    def _scan(self, doc: Document) -> tuple[dict[Field, Normalised], dict[int, list[tuple[Field, int, int]]]]:
        fields: dict[Field, Normalised] = {}
        found: dict[int, list[tuple[Field, int, int]]] = {}
        for where in FIELDS:
            text = doc.field(where)
            if not text:
                continue
            norm = fields[where] = keys(text)
            if self._automaton is None:
                continue
            pattern: Pattern
            for end, pattern in self._automaton.iter(" " + norm.text + " "):
                start = end - pattern.length + pattern.lead  # the padding space cancels the + 1
                stop = end - pattern.trail
                for leaf in pattern.leaves:
                    found.setdefault(leaf, []).append((where, start, stop))
        return fields, found

    def match(self, doc: Document) -> list[Match]:
        """One Match per watchlist that matches ``doc`` and is not excluded, hits explaining it."""
        fields, found = self._scan(doc)
        touched = {n for leaf in found for n in self._triggers.get(leaf, ())}
        touched.update(self._always)
        if not touched:
            return []
        ctx = _Context(doc, fields, found, self._leaf_of, self._regexes)
        matches: list[Match] = []
        for number in sorted(touched):
            watchlist = self._lists[number]
            refs = ctx.evaluate(watchlist.query)
            if not refs:
                continue
            if watchlist.exclude is not None and ctx.evaluate(watchlist.exclude) is not None:
                continue
            hits = ctx.hits(refs)
            matches.append(Match(watchlist.name, score(hits), hits))
        return matches
