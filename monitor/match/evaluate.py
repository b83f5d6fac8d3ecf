"""Boolean trees with their leaves resolved to automaton numbers, and their evaluation per article.

A query's tree is compiled once into these slotted nodes (labels, leaf numbers and compiled
regular expressions looked up in advance), so evaluating the watchlists an article touched is a
few attribute reads per node. Evaluation returns the occurrences that make a node true, grouped by
leaf, or None when it is false; ``NOT x`` is true with no occurrences of its own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import regex

from monitor.match.query import And, EntityRef, Near, Node, Not, Regex, Term
from monitor.match.regexguard import MAX_HITS, RegexGuard
from monitor.model import FIELDS, Document, Field, Hit, hit_of
from monitor.text.normalise import Normalised

REGEX_MAX_HITS = MAX_HITS
_WORDS = re.compile(r"\S+")
_ORDER = {name: number for number, name in enumerate(FIELDS)}

Spot = tuple[Field, int, int]
# (term as written, where it occurred, offsets already in the original text?)
Group = tuple[str, Sequence[Spot], bool]


@dataclass(frozen=True, slots=True)
class Leaf:
    number: int
    label: str
    fields: frozenset[Field] | None


@dataclass(frozen=True, slots=True)
class Expression:
    compiled: regex.Pattern[str]
    label: str
    fields: frozenset[Field] | None


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Compiled, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Compiled, ...]


@dataclass(frozen=True, slots=True)
class AnyLeaf:
    """``A OR B OR …`` of plain terms (no field scope): the common watchlist, evaluated in one go."""

    leaves: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Without:
    item: Compiled


@dataclass(frozen=True, slots=True)
class Close:
    left: Compiled
    right: Compiled
    distance: int


Compiled = Leaf | Expression | AllOf | AnyOf | AnyLeaf | Without | Close


def compile_tree(node: Node, number_of: Callable[[Term | EntityRef], int]) -> Compiled:
    """Resolve a parsed query: each term or entity to its automaton leaf number."""
    if isinstance(node, Term):
        return Leaf(number_of(node), node.text, node.fields)
    if isinstance(node, EntityRef):
        return Leaf(number_of(node), f"@{node.name}", node.fields)
    if isinstance(node, Regex):
        return Expression(regex.compile(node.pattern, regex.IGNORECASE), f"re:/{node.pattern}/", node.fields)
    if isinstance(node, Not):
        return Without(compile_tree(node.item, number_of))
    if isinstance(node, Near):
        return Close(compile_tree(node.left, number_of), compile_tree(node.right, number_of), node.distance)
    items = tuple(compile_tree(item, number_of) for item in node.items)
    if isinstance(node, And):
        return AllOf(items)
    if all(type(item) is Leaf and item.fields is None for item in items):
        return AnyLeaf(tuple((item.number, item.label) for item in items if type(item) is Leaf))
    return AnyOf(items)


@dataclass(slots=True)
class Evidence:
    """What one article offers evaluation: its folded fields and where each leaf occurred."""

    doc: Document
    fields: dict[Field, Normalised]
    found: dict[int, list[Spot]]
    guard: RegexGuard = field(default_factory=RegexGuard)
    watchlist: str = ""  # whose tree is being evaluated (named when a pattern times out)
    _words: dict[Field, list[int]] = field(default_factory=dict)

    def evaluate(self, node: Compiled) -> list[Group] | None:
        """The occurrences that make ``node`` true, or None when it is false."""
        if type(node) is AnyLeaf:
            found = self.found
            groups: list[Group] = [(label, found[n], False) for n, label in node.leaves if n in found]
            return groups or None
        if type(node) is Leaf:
            return self._leaf(node)
        if type(node) is AnyOf:
            groups = []
            true = False
            for item in node.items:
                got = self.evaluate(item)
                if got is not None:
                    true = True
                    groups += got
            return groups if true else None
        if type(node) is AllOf:
            groups = []
            for item in node.items:
                got = self.evaluate(item)
                if got is None:
                    return None
                groups += got
            return groups
        if type(node) is Without:
            return [] if self.evaluate(node.item) is None else None
        if type(node) is Expression:
            return self._pattern(node)
        assert type(node) is Close
        return self._close(node)

    def _leaf(self, leaf: Leaf) -> list[Group] | None:
        spots = self.found.get(leaf.number)
        if spots and leaf.fields is not None:
            spots = [spot for spot in spots if spot[0] in leaf.fields]
        return [(leaf.label, spots, False)] if spots else None

    def _pattern(self, leaf: Expression) -> list[Group] | None:
        spots: list[Spot] = []
        for where in FIELDS:
            text = self.doc.field(where)
            if not text or (leaf.fields is not None and where not in leaf.fields):
                continue
            for start, end in self.guard.search(leaf.compiled, text, self.watchlist, leaf.label):
                spots.append((where, start, end))
            if len(spots) >= REGEX_MAX_HITS:
                break
        return [(leaf.label, spots[:REGEX_MAX_HITS], True)] if spots else None

    def _word_at(self, where: Field, pos: int) -> int:
        starts = self._words.get(where)
        if starts is None:
            starts = self._words[where] = [m.start() for m in _WORDS.finditer(self.fields[where].text)]
        return bisect.bisect_right(starts, pos) - 1

    def _close(self, node: Close) -> list[Group] | None:
        left, right = self.evaluate(node.left), self.evaluate(node.right)
        if not left or not right:
            return None
        near: dict[tuple[str, Spot], None] = {}
        for a_label, a_spots, _ in left:
            for b_label, b_spots, _ in right:
                for a in a_spots:
                    for b in b_spots:
                        if a[0] != b[0]:
                            continue
                        first, last = (a, b) if a[1] <= b[1] else (b, a)
                        gap = self._word_at(last[0], last[1]) - self._word_at(first[0], first[2] - 1)
                        if gap <= node.distance:
                            near[(a_label, a)] = near[(b_label, b)] = None
        return [(label, [spot], False) for label, spot in near] if near else None

    def hits(self, groups: list[Group]) -> tuple[Hit, ...]:
        """Hits in the original text, in field order, each (term, field, offsets) once."""
        fields, doc = self.fields, self.doc
        seen: dict[tuple[int, int, int, str], None] = {}
        for label, spots, original in groups:
            for where, start, end in spots:
                if not original:
                    start, end = fields[where].span(start, end)
                seen[(_ORDER[where], start, end, label)] = None
        texts = (doc.title, doc.summary, doc.body)
        return tuple([hit_of(label, FIELDS[f], s, e, texts[f][s:e]) for f, s, e, label in longest(sorted(seen))])


def longest(ordered: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Sorted (field, start, end, term) hits without those a longer hit of the same term from the same
    place covers ("Minister" inside "Minister:innen")."""
    out: list[tuple[int, int, int, str]] = []
    for entry in ordered:
        if out and out[-1][:2] == entry[:2] and out[-1][3] == entry[3]:
            out[-1] = entry
        else:
            out.append(entry)
    return out
