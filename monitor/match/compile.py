"""All terms of all watchlists into one Aho-Corasick automaton over the folded key stream.

The key stream of a field is its text folded by ``monitor.text.normalise.keys``: lower case, umlauts
written out, every character that is not a letter or digit a space, and one space added at each
end. A whole word ``gipfel`` is then the pattern ``" gipfel "``: the automaton only ever reports
whole words, so "trump" can never fire inside "trumpf", and no boundary check is needed afterwards.
A prefix wildcard drops the trailing space (``" tomahawk"``), a compound head drops the leading one
(``"gipfel "``). A phrase joins its words with a space (hyphen and space spellings fold alike) and,
for the closed compound, with nothing ("Budapestgipfel", also what a soft hyphen leaves behind).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitor.config import EntityConfig
from monitor.match.entities import fuzzy_variants, spellings
from monitor.match.query import EntityRef, Term
from monitor.match.scanner import Scanner, scanner
from monitor.text.normalise import fold_keys
from monitor.text.tokens import attributive_forms, raw_words, umlaut_spellings, word_forms

MAX_PHRASE_VARIANTS = 64


@dataclass(frozen=True, slots=True)
class Pattern:
    """What the automaton reports: which leaves, and how much of the match is boundary space."""

    leaves: tuple[int, ...]
    lead: int
    trail: int


def _folded(forms: Iterable[str]) -> list[str]:
    folded = {" ".join(fold_keys(form).split()) for form in forms} - {""}
    return sorted({spelling for word in folded for spelling in umlaut_spellings(word)})


def phrase_bodies(words: Iterable[str], inflect: bool = True) -> set[str]:
    """Folded spellings of a word sequence: each word inflected, a place name before the last word
    also in its attributive form (Budapester Gipfel), the whole also as one closed compound."""
    words = list(words)
    if not inflect:
        options = [_folded([w]) for w in words]
    else:
        options = [_folded(word_forms(w) | attributive_forms(w)) for w in words[:-1]]
        options.append(_folded(word_forms(words[-1])))
    if len(options) > 1 and _product_size(options) > MAX_PHRASE_VARIANTS:
        options = [[" ".join(fold_keys(w).split())] for w in words[:-1]] + options[-1:]
    # The closed compound (Budapestgipfel), unless short words would run together: "in der" ≠ Inder.
    closable = len(words) > 1 and all(len(w) >= 3 or any(c.isdigit() for c in w) for w in words)
    bodies: set[str] = set()
    for combo in itertools.product(*options):
        bodies.add(" ".join(combo))
        if closable:
            bodies.add("".join(combo).replace(" ", ""))
    return bodies


def _product_size(options: list[list[str]]) -> int:
    size = 1
    for option in options:
        size *= len(option)
    return size


def term_patterns(term: Term) -> set[str]:
    """Automaton patterns (with their boundary spaces) of one term."""
    lead = "" if term.suffix else " "
    trail = "" if term.prefix else " "
    bodies = phrase_bodies(term.words, inflect=not term.prefix)
    return {lead + body + trail for body in bodies}


def entity_patterns(entity: EntityConfig) -> set[str]:
    """Automaton patterns of every spelling of an entity (plus fuzzy variants if asked for)."""
    patterns: set[str] = set()
    for spelling in spellings(entity):
        patterns |= {f" {body} " for body in phrase_bodies(raw_words(spelling))}
        if entity.fuzzy:
            patterns |= {f" {variant} " for variant in fuzzy_variants(spelling)}
    return patterns


class LeafTable:
    """Gives each distinct term or entity a number and collects its patterns."""

    def __init__(self, entities: Mapping[str, EntityConfig]) -> None:
        self.entities = entities
        self.index: dict[tuple[object, ...], int] = {}
        self.patterns: dict[str, set[int]] = {}

    def add(self, leaf: Term | EntityRef) -> int:
        key = leaf.key
        found = self.index.get(key)
        if found is not None:
            return found
        number = self.index[key] = len(self.index)
        if isinstance(leaf, Term):
            patterns = term_patterns(leaf)
        else:
            patterns = entity_patterns(self.entities[leaf.name])
        for pattern in patterns:
            self.patterns.setdefault(pattern, set()).add(number)
        return number

    def automaton(self, engine: str | None = None) -> tuple[Scanner, list[Pattern]] | None:
        """The one automaton over all patterns and, by pattern index, what each one stands for."""
        if not self.patterns:
            return None
        texts = list(self.patterns)
        values = []
        for pattern in texts:
            lead = 1 if pattern.startswith(" ") else 0
            trail = 1 if pattern.endswith(" ") and len(pattern) > 1 else 0
            values.append(Pattern(tuple(sorted(self.patterns[pattern])), lead, trail))
        return scanner(texts, engine), values
