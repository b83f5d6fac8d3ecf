"""Run the automaton over an article, evaluate the watchlists it touched, explain and score.

``Matcher.match`` folds each field once and runs the one automaton over it. A watchlist of OR-ed
terms with no exclude (the usual big one) has no tree to walk: each hit of one of its terms goes
straight to it, as (field, start, end, term), and becomes a Hit; in the common case (a whole word
of a term only that watchlist uses) the pattern number alone says where it goes, so the work per
hit stays a few steps however many terms there are. A phrase's words are patterns of their own,
collected per field and joined in order after the field's scan (``_chained``). For the other
watchlists the matcher records, per leaf (term or entity), where it occurred; only those with a
leaf among them (plus the few that use ``re:``, which no automaton can see) have their boolean tree
evaluated, and ``exclude`` for those that matched. Hits are mapped back to offsets in the field as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.config import EntityConfig, WatchlistConfig
from monitor.match import expansions
from monitor.match.compile import Heads, LeafTable
from monitor.match.evaluate import AnyLeaf, Compiled, Evidence, Spot, compile_tree, longest
from monitor.match.query import Regex, checked, leaves
from monitor.match.regexguard import RegexGuard
from monitor.model import FIELDS, Document, Field, Hit, Match, hit_of, match_of
from monitor.text.normalise import Normalised, keys

WEIGHTS: dict[Field, float] = {"title": 3.0, "summary": 1.5, "body": 1.0}
_ONCE: dict[Field, float] = {where: round(weight, 2) for where, weight in WEIGHTS.items()}  # score of one hit
_ONCE_AT = tuple(_ONCE[where] for where in FIELDS)
_WEIGHT_AT = tuple(WEIGHTS[where] for where in FIELDS)
_REPEATED = tuple(1 + 0.25 * min(n - 1, 4) for n in range(6))  # by number of hits of a term in a field


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


# One occurrence for a watchlist of OR-ed terms: (field number, start, end, term as written), the
# offsets still in the folded text; in the order its hits are listed. A watchlist met once holds one
# such tuple, else a list of them.
Entry = tuple[int, int, int, str]
Entries = Entry | list[Entry]


class Matcher:
    """All watchlists compiled into one automaton; build once per config, call ``match`` per article."""

    def __init__(
        self, watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig], engine: str | None = None
    ) -> None:
        table = LeafTable(entities)
        self._lists: list[_Watchlist] = []
        self._triggers: dict[int, list[int]] = {}
        self._direct: dict[int, list[tuple[int, str]]] = {}
        self._tree: set[int] = set()  # the leaves some watchlist's tree (query or exclude) looks up
        self._always: list[int] = []
        try:
            self._compile_lists(watchlists, entities, table)
        finally:
            expansions.flush()  # what this compile derived, for the next process
        self._always = sorted(set(self._always))
        self.regex_guard = RegexGuard()
        self._names = [w.name for w in self._lists]
        built = table.automaton(engine)
        self._scanner = built[0] if built is not None else None
        self._patterns = built[1] if built is not None else []
        self._sequences = table.sequences
        self._heads = Heads(table.heads) if table.heads else None
        # By pattern index, for the common case, the (watchlist, term as written) a hit goes to: a
        # whole-word pattern (no adjusting beyond the boundary spaces) of one leaf that only one
        # watchlist of OR-ed terms uses. A whole word of several such leaves or watchlists (two terms
        # sharing an inflected form) has its destinations in ``_shared``; the rest go to ``_place``.
        self._routes: list[tuple[int, str] | None] = [None] * len(self._patterns)
        self._shared: dict[int, list[tuple[int, str]]] = {}
        for index, pattern in enumerate(self._patterns):
            if pattern.lead and pattern.trail and not pattern.parts and self._tree.isdisjoint(pattern.leaves):
                owners = [owner for leaf in pattern.leaves for owner in self._direct.get(leaf, ())]
                if len(owners) == 1:
                    self._routes[index] = owners[0]
                else:
                    self._shared[index] = owners

    def _compile_lists(self, watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig],
                       table: LeafTable) -> None:
        """Each watchlist's trees into ``table``, and what its leaves trigger."""
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
                # occurrences as the explanation; ``match`` collects them per watchlist, no tree to walk.
                for leaf_number, label in watchlist.query.leaves:
                    self._direct.setdefault(leaf_number, []).append((number, label))
                continue
            for leaf in leaves(query):
                if isinstance(leaf, Regex):
                    self._always.append(number)
                else:
                    self._triggers.setdefault(table.add(leaf), []).append(number)
            for tree in (query, exclude) if exclude is not None else (query,):
                self._tree.update(table.add(leaf) for leaf in leaves(tree) if not isinstance(leaf, Regex))

    @property
    def watchlist_names(self) -> list[str]:
        return list(self._names)

    def _scan(
        self, doc: Document
    ) -> tuple[list[Normalised | None], dict[int, Entries], dict[int, list[Spot]], set[int]]:
        """Fold each field and run the automaton over it: the folded fields, the occurrences of each
        watchlist of OR-ed terms that occurred, where each leaf of a tree occurred (folded offsets)
        and the watchlists whose tree is to be evaluated."""
        norms: list[Normalised | None] = [None, None, None]
        collected: dict[int, Entries] = {}
        found: dict[int, list[Spot]] = {}
        touched = set(self._always)
        automaton, routes, shared = self._scanner, self._routes, self._shared
        for number, text in enumerate((doc.title, doc.summary, doc.body)):
            if not text:
                continue
            norm = norms[number] = keys(text)
            if automaton is None:
                continue
            folded = norm.text
            pending: dict[int, list[dict[int, int]]] = {}
            for index, start, stop in automaton.matches(" " + folded + " "):
                route = routes[index]
                if route is None:
                    owners = shared.get(index)
                    if owners is None:
                        self._place(index, number, folded, start, stop, collected, found, touched, pending)
                    for owner, label in owners or ():
                        _add(collected, owner, (number, start, stop - 2, label))
                    continue
                # " word ": the padding space and the pattern's own cancel out at the start
                entry = (number, start, stop - 2, route[1])
                got = collected.get(route[0])
                if got is None:
                    collected[route[0]] = entry
                elif isinstance(got, list):
                    got.append(entry)
                else:
                    collected[route[0]] = [got, entry]
            for sequence, words in pending.items():
                for start, stop in _chained(words, self._sequences[sequence].length):
                    self._leaf(self._sequences[sequence].leaf, number, start, stop, collected, found, touched)
        return norms, collected, found, touched

    def _place(
        self, index: int, number: int, folded: str, start: int, stop: int,
        collected: dict[int, Entries], found: dict[int, list[Spot]], touched: set[int],
        pending: dict[int, list[dict[int, int]]],
    ) -> None:
        """Record a hit of any pattern (wildcard, compound head, phrase word, shared, used by a tree;
        offsets in the padded text) for each of its leaves, and a phrase word for its sequences."""
        pattern = self._patterns[index]
        start += pattern.lead - 1  # - 1: the padding space
        stop -= pattern.trail + 1
        if pattern.head:  # a compound head (*gipfel): the hit is the whole word, if a compound
            word_start = folded.rfind(" ", 0, start) + 1
            if self._heads is not None and not self._heads.boundary(folded[word_start:start], folded[start:stop]):
                return
            start = word_start
        if not pattern.trail:  # a prefix (Tomahawk*): likewise
            found_end = folded.find(" ", stop)
            stop = len(folded) if found_end < 0 else found_end
        for sequence, position in pattern.parts:
            words = pending.get(sequence)
            if words is None:
                words = pending[sequence] = [{} for _ in range(self._sequences[sequence].length)]
            words[position][start] = stop
        for leaf in pattern.leaves:
            self._leaf(leaf, number, start, stop, collected, found, touched)

    def _leaf(
        self, leaf: int, number: int, start: int, stop: int,
        collected: dict[int, Entries], found: dict[int, list[Spot]], touched: set[int],
    ) -> None:
        for owner, label in self._direct.get(leaf, ()):
            _add(collected, owner, (number, start, stop, label))
        if leaf in self._tree:
            found.setdefault(leaf, []).append((FIELDS[number], start, stop))
            touched.update(self._triggers.get(leaf, ()))

    def match(self, doc: Document, excluded: list[str] | None = None) -> list[Match]:
        """One Match per watchlist that matches ``doc`` and is not excluded, hits explaining it; the
        names of watchlists whose query matched but whose exclude hit go into ``excluded``."""
        norms, collected, found, touched = self._scan(doc)
        if not collected and not touched:
            return []
        self.regex_guard.begin_article()
        texts = (doc.title, doc.summary, doc.body)
        ctx: Evidence | None = None  # needed to evaluate a tree
        names = self._names
        matches: list[Match] = []
        for number in sorted(touched.union(collected) if touched else collected):
            got = collected.get(number)
            if got is None:
                watchlist = self._lists[number]
                if ctx is None:
                    fields = {FIELDS[n]: norm for n, norm in enumerate(norms) if norm is not None}
                    ctx = Evidence(doc, fields, found, self.regex_guard)
                ctx.watchlist = watchlist.name
                groups = ctx.evaluate(watchlist.query)
                if not groups:
                    continue
                if watchlist.exclude is not None and ctx.evaluate(watchlist.exclude) is not None:
                    if excluded is not None:
                        excluded.append(names[number])
                    continue
                hits = ctx.hits(groups)
                matches.append(match_of(names[number], score(hits), hits))
            elif isinstance(got, list):
                hits, points = _explain(got, norms, texts)
                matches.append(match_of(names[number], points, hits))
            else:  # one term, once: the usual
                field, start, end, label = got
                norm = norms[field]
                assert norm is not None
                if not norm.one_to_one:
                    start, end = norm.span(start, end)
                hit = hit_of(label, FIELDS[field], start, end, texts[field][start:end])
                matches.append(match_of(names[number], _ONCE_AT[field], (hit,)))
        return matches


def _chained(words: list[dict[int, int]], length: int) -> list[tuple[int, int]]:
    """Where a phrase's words occur in order, one space apart: (start of the first, end of the last).
    ``words[n]`` maps each start of a form of the n-th word to its end."""
    if any(not found for found in words):
        return []
    out = []
    for start, stop in words[0].items():
        for position in range(1, length):
            stop = words[position].get(stop + 1, -1)
            if stop < 0:
                break
        else:
            out.append((start, stop))
    return out


def _add(collected: dict[int, Entries], owner: int, entry: Entry) -> None:
    got = collected.get(owner)
    if got is None:
        collected[owner] = entry
    elif isinstance(got, list):
        got.append(entry)
    else:
        collected[owner] = [got, entry]


def _explain(
    entries: list[Entry], norms: list[Normalised | None], texts: tuple[str, str, str]
) -> tuple[tuple[Hit, ...], float]:
    """Hits in the original text, in field order, each (term, field, offsets) once; and their score
    (as ``score`` works it out, without the Hit objects)."""
    if all([norm is None or norm.one_to_one for norm in norms]):
        ordered = sorted(set(entries))  # the folded offsets are the original ones
    else:
        seen: set[Entry] = set()
        for field, start, end, label in entries:
            norm = norms[field]
            assert norm is not None
            seen.add((field, *norm.span(start, end), label))
        ordered = sorted(seen)
    ordered = longest(ordered)
    hits = tuple([hit_of(label, FIELDS[f], s, e, texts[f][s:e]) for f, s, e, label in ordered])
    first = ordered[0]
    if len(ordered) == 1:
        return hits, _ONCE_AT[first[0]]
    last = ordered[-1]
    if first[0] == last[0] and first[3] == last[3] and all([label == first[3] for _, _, _, label in ordered]):
        # one term in one field (the usual): ``score``'s sum of one item
        return hits, round(_WEIGHT_AT[first[0]] * _REPEATED[min(len(ordered), 5)], 2)
    counts: dict[tuple[str, int], int] = {}  # in the order of the hits, as in ``score``
    for field, _, _, label in ordered:
        counts[(label, field)] = counts.get((label, field), 0) + 1
    return hits, round(sum([_WEIGHT_AT[f] * _REPEATED[min(n, 5)] for (_, f), n in counts.items()]), 2)


def compile_matcher(watchlists: Sequence[WatchlistConfig], entities: Mapping[str, EntityConfig]) -> Matcher:
    """All watchlists (queries and excludes) compiled into one automaton."""
    return Matcher(watchlists, entities)
