"""German words: split a query term into words and list the inflected forms of a word.

Inflection is done on the query side, once at compile time: a term is expanded to the forms that
simplemma's German dictionary (1.1M forms → lemma, memory-mapped by ``monitor.text.lexicon``) files
under the same lemma, found by trying the
usual noun, adjective and verb endings (with and without umlaut) and keeping only candidates the
dictionary confirms. So "Gipfel" gains "Gipfels" and "Gipfeln", "Gast" gains "Gäste", and "Gas"
never gains "Gast" or "Gasse" (their lemmas differ). Words the dictionary does not know are names or
compounds: a closed compound inflects like its known head ("Friedensgipfel" → "Friedensgipfels"),
a name gets its genitive/possessive ``-s`` ("Lawrows", "Selenskyjs"). The match itself never calls
the lemmatiser, so its cost does not depend on how many terms there are.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Protocol

from monitor.text.lexicon import Lexicon, lexicon, release

_WORD = re.compile(r"[^\W_]+")
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Endings tried on a lemma; the dictionary decides which forms exist. Nouns (capitalised) decline,
# other words also conjugate or compare; an umlauted noun stem takes only plural endings (Gäste).
_NOUN_ENDINGS = ("e", "en", "n", "s", "es", "er", "ern", "ens", "ns", "nen", "se", "sen")
_OTHER_ENDINGS = ("e", "en", "n", "s", "es", "er", "ern", "em", "st", "t", "te", "ten", "est", "et")
_PLURAL_ENDINGS = ("e", "en", "er", "ern")
_UMLAUT = {"au": "äu", "a": "ä", "o": "ö", "u": "ü"}
_MIN_HEAD = 4
_MIN_PREFIX = 3


def dictionary() -> Lexicon:
    """simplemma's German form → lemma table, as memory-mapped tries (``monitor.text.lexicon``)."""
    return lexicon()


def lemma(word: str) -> str:
    """The dictionary's lemma of a word form, or the word itself where it has none."""
    found = lexicon().get(word)
    return word if found is None else found


def release_lexicon() -> None:
    """Unmap the lexicon; the next compile maps it again. A daemon calls this once its matcher is
    built: matching never needs the lexicon, only compiling and story terms do."""
    release()


def raw_words(text: str) -> list[str]:
    """The words of ``text`` as written (letters and digits; soft hyphens dropped)."""
    return _WORD.findall(_SOFT.sub("", text))


def _umlauted(stem: str) -> str | None:
    for plain in ("au", "a", "o", "u"):
        at = stem.rfind(plain)
        if at > 0 or (at == 0 and len(stem) < 4):
            return stem[:at] + _UMLAUT[plain] + stem[at + len(plain) :]
    return None


class WordTable(Protocol):
    """What the expansion asks of a German lexicon (``Lexicon``, or a plain dict in a check)."""

    def get(self, form: str) -> str | None: ...

    def forms(self, lemma: str) -> frozenset[str]: ...


def _forms_of_lemma(lemma: str, table: WordTable) -> set[str]:
    endings = _NOUN_ENDINGS if lemma[:1].isupper() else _OTHER_ENDINGS
    candidates = {lemma + ending for ending in endings}
    if lemma.endswith("e"):
        candidates.update(lemma[:-1] + ending for ending in endings)
    umlauted = _umlauted(lemma)
    if umlauted and lemma[:1].isupper():
        candidates.update(umlauted + ending for ending in _PLURAL_ENDINGS)
    return {lemma} | (candidates & table.forms(lemma))


def _readings(word: str, table: WordTable) -> list[tuple[str, str]]:
    """(form, lemma) readings of ``word`` to expand: the noun, and the word as written when it is
    the same lemma in lower case ("russisch"/"Russisch"), never an unrelated one ("gast" → gasen)."""
    upper = word[:1].upper() + word[1:]
    lower = word[:1].lower() + word[1:]
    readings: list[tuple[str, str]] = []
    for candidate in (upper, lower):
        lemma = table.get(candidate)
        if lemma is None:
            continue
        if readings and lemma.casefold() != readings[0][1].casefold():
            break
        readings.append((candidate, lemma))
    return readings


_UMLAUT_SPELLING = re.compile(r"ä|ö|ü|ß|(?<![aeiouq])(?:ae|oe|ue)|ss")
_SWAP = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
MAX_UMLAUT_SPELLINGS = 16


def umlaut_spellings(folded: str) -> set[str]:
    """A key-folded text in every spelling of its umlauts and ß: "außenminister" and
    "aussenminister", "müller" and "mueller" (at most 16; "ue" after a vowel or q is left alone)."""
    if _UMLAUT_SPELLING.search(folded) is None:
        return {folded}
    pieces: list[tuple[str, ...]] = []
    last = 0
    for spot in _UMLAUT_SPELLING.finditer(folded):
        pieces += [(folded[last : spot.start()],), (spot.group(), _SWAP[spot.group()])]
        last = spot.end()
    pieces.append((folded[last:],))
    combos = itertools.islice(itertools.product(*pieces), MAX_UMLAUT_SPELLINGS)
    return {"".join(combo) for combo in combos}


@lru_cache(maxsize=65536)
def attributive_forms(word: str) -> frozenset[str]:
    """``word`` and, for a place name, the form that stands before a noun when the dictionary knows
    it as a word of its own: Budapest → Budapester, Wien → Wiener (for "Budapester Gipfel")."""
    return attributive_forms_in(word, lexicon())


def attributive_forms_in(word: str, table: WordTable) -> frozenset[str]:
    candidate = word + "er"
    if word[:1].isupper() and table.get(candidate) == candidate:
        return frozenset({word, candidate})
    return frozenset({word})


@lru_cache(maxsize=65536)
def word_forms(word: str) -> frozenset[str]:
    """``word`` and its inflected forms, as written (fold them before matching)."""
    return word_forms_in(word, lexicon())


def word_forms_in(word: str, table: WordTable) -> frozenset[str]:
    """``word_forms`` over any lexicon."""
    if len(word) < 2 or word.isdigit():
        return frozenset({word})
    if word.isupper():  # an acronym: NATO, NATOs
        return frozenset({word, word + "s"})
    readings = _readings(word, table)
    if readings:
        forms = {word}
        for form, lemma in readings:
            forms |= _forms_of_lemma(lemma, table) | {form}
            if form[:1].isupper() and table.get(form + "s") is None:
                forms.add(form + "s")
        return frozenset(forms)
    for cut in range(_MIN_PREFIX, len(word) - _MIN_HEAD + 1):
        head = word[cut].upper() + word[cut + 1 :]
        if table.get(head) == head:
            prefix = word[:cut]
            return frozenset({word} | {prefix + f.lower() for f in _forms_of_lemma(head, table)})
    return frozenset({word, word + "s"})
