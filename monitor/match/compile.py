"""All terms of all watchlists into one Aho-Corasick automaton over the folded key stream.

The key stream of a field is its text folded by ``monitor.text.normalise.keys``: lower case, umlauts
written out, every character that is not a letter or digit a space, and one space added at each
end. A whole word ``gipfel`` is then the pattern ``" gipfel "``: the automaton only ever reports
whole words, so "trump" can never fire inside "trumpf", and no boundary check is needed afterwards.
A prefix wildcard drops the trailing space (``" tomahawk"``), a compound head drops the leading one
(``"gipfel "``); what stands before a compound head must be a German first part (see ``Heads``).

A phrase is a sequence of per-word form sets: each form of its n-th word is a whole-word pattern
tagged (sequence, n), and the engine joins the words found one space apart in order. So every word
inflects however many forms the words have ("im Weißen Haus", "des Weissen Hauses"), without a
cross product of spellings. The closed compound ("Budapestgipfel", also what a soft hyphen leaves
behind) is the first words as written joined to each form of the last, as whole-word patterns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from monitor.config import EntityConfig
from monitor.match import expansions
from monitor.match.entities import fuzzy_variants, spellings
from monitor.match.query import EntityRef, Term
from monitor.match.scanner import Scanner, scanner
from monitor.text.normalise import fold_keys
from monitor.text.tokens import (
    adjective_forms,
    attributive_forms,
    compounds_of,
    feminine_forms,
    masculine,
    plain_spelling,
    raw_words,
    umlaut_spellings,
    word_forms,
    word_parts,
)

MAX_COMPOUND_SPELLINGS = 512
# What may join the first part of a compound to its head (Friedens-gipfel, Tränen-gas, Erd-gas).
LINKS = ("", "s", "es", "n", "en", "er", "e", "ns", "ens")
_MIN_PART = 3


@dataclass(frozen=True, slots=True)
class Pattern:
    """What the automaton reports: which leaves, how much of the match is boundary space, the
    (sequence, word position) it stands for in phrases, and whether it is a compound head."""

    leaves: tuple[int, ...]
    lead: int
    trail: int
    parts: tuple[tuple[int, int], ...] = ()
    head: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase: the leaf it stands for and how many words it has."""

    leaf: int
    length: int


def _folded(forms: Iterable[str]) -> list[str]:
    folded = {" ".join(fold_keys(form).split()) for form in forms} - {""}
    return sorted({spelling for word in folded for spelling in umlaut_spellings(word)})


def _as_written(word: str) -> list[str]:
    return _folded([word])


def _inner(word: str) -> list[str]:
    return _folded(word_forms(word) | attributive_forms(word) | adjective_forms(word))


def _last(word: str) -> list[str]:
    return _folded(word_forms(word))


def _attributive(word: str) -> list[str]:
    return _folded(attributive_forms(word))


def _feminine(word: str) -> list[str]:
    return _folded(feminine_forms(word))


def _masculine(word: str) -> list[str]:
    return [masculine(word)]


def word_options(words: Iterable[str], inflect: bool = True) -> list[list[str]]:
    """Folded spellings of each word of a sequence: each inflected, a word before the last also as a
    declined adjective (im Weißen Haus) and as a place name's attributive form (Budapester Gipfel).
    The lists are shared (``expansions``): read them, don't change them."""
    words = list(words)
    if not inflect:
        return [expansions.spellings("w", w, _as_written) for w in words]
    options = [expansions.spellings("i", w, _inner) for w in words[:-1]]
    return [*options, expansions.spellings("l", words[-1], _last)]


def compound_bodies(words: list[str], last: list[str]) -> set[str]:
    """The closed compound of a phrase (Budapestgipfel): its first words as written (or a place
    name's attributive form) joined to each form of the last; none when short words would run
    together ("in der" ≠ Inder) or the spellings are too many to be worth it."""
    if len(words) < 2 or not all(len(w) >= 3 or any(c.isdigit() for c in w) for w in words):
        return set()
    firsts = [expansions.spellings("a", w, _attributive) for w in words[:-1]]
    size = len(last)
    for first in firsts:
        size *= len(first)
    if size > MAX_COMPOUND_SPELLINGS:
        return set()
    return {"".join(combo).replace(" ", "") for combo in itertools.product(*firsts, last)}


def phrase_bodies(words: Iterable[str], inflect: bool = True) -> set[str]:
    """Folded whole-word spellings of a single word, or a phrase's closed compound."""
    words = list(words)
    options = word_options(words, inflect)
    if len(words) == 1:
        return set(options[0])
    return compound_bodies(words, options[-1])


def gendered_bodies(word: str) -> set[str]:
    """A role noun in every gendered spelling: Ministerin, Ministerinnen, MinisterInnen (folded
    alike) and, as the key stream writes a colon, star, underscore or slash, "minister innen"."""
    feminine = expansions.spellings("f", word, _feminine)
    bodies = set(feminine)
    for form in feminine:
        stem = form.removesuffix("innen").removesuffix("in")
        for ending in ("in", "innen"):
            bodies |= {f"{stem} {ending}", f"{stem}  {ending}"}  # Minister:innen, Minister/-innen
    return bodies


@dataclass
class LeafTable:
    """Gives each distinct term or entity a number and collects its patterns."""

    entities: Mapping[str, EntityConfig]
    index: dict[tuple[object, ...], int] = field(default_factory=dict)
    patterns: dict[str, set[int]] = field(default_factory=dict)
    parts: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    sequences: list[Phrase] = field(default_factory=list)
    heads: set[str] = field(default_factory=set)

    def add(self, leaf: Term | EntityRef) -> int:
        key = leaf.key
        found = self.index.get(key)
        if found is not None:
            return found
        number = self.index[key] = len(self.index)
        if isinstance(leaf, Term):
            self._term(number, leaf)
        else:
            self._entity(number, self.entities[leaf.name])
        return number

    def _whole(self, number: int, bodies: Iterable[str], lead: str = " ", trail: str = " ") -> None:
        for body in bodies:
            self.patterns.setdefault(lead + body + trail, set()).add(number)

    def _sequence(self, number: int, words: list[str]) -> None:
        options = word_options(words)
        sequence = len(self.sequences)
        self.sequences.append(Phrase(number, len(words)))
        for position, forms in enumerate(options):
            for form in forms:
                self.parts.setdefault(f" {form} ", set()).add((sequence, position))
        self._whole(number, compound_bodies(words, options[-1]))

    def _term(self, number: int, term: Term) -> None:
        lead = "" if term.suffix else " "
        trail = "" if term.prefix else " "
        if term.suffix:
            self.heads.add(term.words[0])
        if len(term.words) > 1:
            self._sequence(number, list(term.words))
            return
        words = term.words
        if term.gendered:  # Ärzt*in: Arzt and Ärztin in all their forms
            words = (expansions.spellings("m", words[0], _masculine)[0],)
        bodies = phrase_bodies(words, inflect=not term.prefix)
        if term.gendered:
            bodies |= gendered_bodies(words[0])
        self._whole(number, bodies, lead, trail)

    def _entity(self, number: int, entity: EntityConfig) -> None:
        for spelling in spellings(entity):
            words = raw_words(spelling)
            if len(words) > 1:
                self._sequence(number, words)
            else:
                self._whole(number, phrase_bodies(words))
            if entity.fuzzy:
                self._whole(number, fuzzy_variants(spelling))

    def automaton(self, engine: str | None = None) -> tuple[Scanner, list[Pattern]] | None:
        """The one automaton over all patterns and, by pattern index, what each one stands for."""
        texts = list(dict.fromkeys([*self.patterns, *self.parts]))
        if not texts:
            return None
        values = []
        made: dict[tuple[object, ...], Pattern] = {}  # a term's spellings share one (immutable) Pattern
        for pattern in texts:
            lead = 1 if pattern.startswith(" ") else 0
            trail = 1 if pattern.endswith(" ") and len(pattern) > 1 else 0
            leaves = tuple(sorted(self.patterns.get(pattern, ())))
            parts = tuple(sorted(self.parts.get(pattern, ())))
            key = (leaves, lead, trail, parts)
            found = made.get(key)
            if found is None:
                found = made[key] = Pattern(leaves, lead, trail, parts, head=not lead)
            values.append(found)
        return scanner(texts, engine), values


class Heads:
    """Tells a compound ("Erdgas", "Friedensgipfel", "Autoabgas") from a word that merely ends like
    the head ("Vargas", "Las Vegas"): the whole word is one of the lexicon's compounds of the head
    (Abgas), or the part before the head is a word of the lexicon of at least three letters, as
    written or with a linking element (s, es, n, en, er, e, ens) dropped, an -e or a verb's -en
    restored (Erd → Erde, Heiz → heizen), or two such words in a row. Loaded only for watchlists
    that use a compound head; kept with the matcher once the lexicon itself is released."""

    def __init__(self, heads: Iterable[str]) -> None:
        self._parts = word_parts()
        self._compounds = {plain_spelling(fold_keys(form).strip()) for head in heads for form in compounds_of(head)}

    def known(self, part: str) -> bool:
        plain = plain_spelling(part)
        parts = self._parts
        for link in LINKS:
            if not plain.endswith(link):
                continue
            stem = plain[: len(plain) - len(link)] if link else plain
            if len(stem) < _MIN_PART:
                continue
            if stem in parts or stem + "e" in parts or stem + "en" in parts:
                return True
        return False

    def boundary(self, part: str, head: str) -> bool:
        """Whether ``part`` (folded, lower case) can stand before the compound head ``head``: the
        lexicon knows the whole word as a compound of it, or ``part`` is a first part."""
        if not part or self.known(part):
            return True
        if plain_spelling(part + head) in self._compounds:
            return True
        return any(self.known(part[:cut]) and self.known(part[cut:])
                   for cut in range(_MIN_PART, len(part) - 1))
