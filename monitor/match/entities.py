"""Entities: every spelling of a name, as word sequences for the automaton.

An entity matches its name and each alias, inflected like any term (so "Lawrows" and "Selenskyjs",
the genitive/possessive, match too). With ``fuzzy: true`` each single-word alias also matches

* its transliteration variants, s/z, j/y/i, w/v, sch/sh, ch/kh and the endings -i/-y/-ij/-yj/-iy
  ("Selenskij", "Zelenskyj", "Lavrov", "Chodorkovskij"), when it has at least
  ``TRANSLITERATE_MIN`` letters, and
* for long names (at least ``SLIP_MIN`` letters) one slip of the keyboard on top: a letter
  dropped, doubled, or two neighbours swapped ("Zelenksyj", "Selenkyj").

No letter is ever replaced by an unrelated one, variants shorter than ``SLIP_MIN - 1`` letters
are not made by slips, and any variant the German dictionary knows as a word is dropped: "Selenska"
or other short words are never swept in. The variants are expanded once at compile time into the
same automaton as everything else, so fuzzy names cost nothing extra per article.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from monitor.config import EntityConfig
from monitor.text.normalise import fold_keys
from monitor.text.tokens import dictionary, raw_words, umlaut_spellings

TRANSLITERATE_MIN = 5
SLIP_MIN = 8
MAX_TRANSLITERATIONS = 256
# A Slavic name's ending comes in many spellings: -ski, -sky, -skij, -skyj, -skiy, -skyy.
_ENDINGS = ("i", "y", "ij", "yj", "iy", "yy", "ii")
_SEGMENT = re.compile(r"(?:ij|yj|iy|yy|ii|i|y)$|sch|sh|ch|kh|[szjyiwv]|.", re.DOTALL)
_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "sch": ("sch", "sh"),
    "sh": ("sh", "sch"),
    "ch": ("ch", "kh"),
    "kh": ("kh", "ch"),
    "s": ("s", "z"),
    "z": ("z", "s"),
    "j": ("j", "y", "i"),
    "y": ("y", "j", "i"),
    "i": ("i", "j", "y"),
    "w": ("w", "v"),
    "v": ("v", "w"),
}


def spellings(entity: EntityConfig) -> list[str]:
    """The name and aliases, each once, in the order written."""
    seen: dict[str, None] = {}
    for text in (entity.name, *entity.aliases):
        if raw_words(text):
            seen.setdefault(text, None)
    return list(seen)


def transliterations(word: str) -> Iterator[str]:
    """Spellings of a folded word under the usual transliteration swaps (at most 256)."""
    segments = _SEGMENT.findall(word)
    options = [_ALTERNATIVES.get(seg, (seg,)) for seg in segments]
    if segments and segments[-1] in _ENDINGS and len(word) >= TRANSLITERATE_MIN:
        options[-1] = _ENDINGS
    for combo in itertools.islice(itertools.product(*options), MAX_TRANSLITERATIONS):
        yield "".join(combo)


def slips(word: str) -> Iterator[str]:
    """``word`` and every spelling one keyboard slip away: dropped, doubled or swapped letters."""
    yield word
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]
        yield word[:i] + word[i] + word[i:]
        if i + 1 < len(word) and word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def fuzzy_variants(alias: str) -> set[str]:
    """Folded spellings a fuzzy single-word alias also matches (empty for short or multi-word ones)."""
    words = raw_words(alias)
    if len(words) != 1 or len(words[0]) < TRANSLITERATE_MIN:
        return set()
    folded = fold_keys(words[0]).strip()
    known = dictionary()
    out: set[str] = set()
    spellings = {t for base in umlaut_spellings(folded) for t in transliterations(base)}
    for spelling in spellings:
        for variant in slips(spelling) if len(folded) >= SLIP_MIN else (spelling,):
            if variant in out or (variant not in spellings and len(variant) < SLIP_MIN - 1):
                continue
            if known.get(variant) is None and known.get(variant.capitalize()) is None:
                out.add(variant)
    return out | {v + "s" for v in out}
