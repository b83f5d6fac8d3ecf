"""German text folding with offsets back to the original.

``normalise`` is what docs/architecture.md §3 asks for: NFKC, casefold, soft hyphens and zero-width characters
removed, every dash to ``-``, typographic quotes folded, umlauts written out (ä → ae, so "Außen" and
"Aussen" fold alike) and HTML entities decoded.

``keys`` is the stream the matcher runs its automaton over. It folds the same way except that ä, ö,
ü and ß stay one character (the query side spells each term both ways instead, see
``monitor.text.tokens.umlaut_spellings``), and everything that is not a letter or digit becomes a
space. So nearly every character folds to exactly one: for most articles the folded offsets *are*
the original offsets, and mapping a hit back costs nothing.

Both keep the way back to the original for the characters that do not fold 1:1 (a soft hyphen, an
entity, a ligature), so a hit found in the folded text is highlighted in the text as written. The
fast path is one ``str.translate``; offsets are only worked out when somebody asks for a span.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from monitor.text import foldcache

_RULES = Path(__file__)  # the folding is defined here: its digest names the cached tables

_REMOVE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"  # noqa: E501
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u00af"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u275d\u275e\u301d\u301e\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2035\u275b\u275c\u02bc\u0060\u00b4"

_SPECIAL: dict[str, str] = {c: "" for c in _REMOVE}
_SPECIAL.update({c: "-" for c in _DASHES})
_SPECIAL.update({c: '"' for c in _DOUBLE_QUOTES})
_SPECIAL.update({c: "'" for c in _SINGLE_QUOTES})
# "&" folds to "+" so that the output never holds an entity again (normalise stays idempotent).
_SPECIAL["&"] = "+"
_UMLAUT_BASES = "aou"

# Where the fast path cannot work character by character: an HTML entity or a combining mark.
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_SLOW = re.compile(f"{_ENTITY}|{_MARKS}")
_UNIT = re.compile(f"{_ENTITY}|.{_MARKS}+", re.DOTALL)
_PREFILLED = 0x3000
_WIDE = re.compile("[\u3000-\U0010ffff]")
# One character class, so the common case (none of these) is one fast scan.
_CHECK = re.compile(f"[&{_MARKS[1:-1]}\u3000-\U0010ffff]")


def _fold_once(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char).casefold()):
        if unicodedata.combining(ch):
            if ch == "\u0308" and out and out[-1] in _UMLAUT_BASES:
                out.append("e")
            continue
        out.append(_SPECIAL.get(ch, ch))
    return "".join(out)


@cache
def fold_char(char: str) -> str:
    """One character folded until nothing changes any more (so folding is idempotent)."""
    once = _fold_once(char)
    if once == char:
        return once
    return "".join(fold_char(ch) if ch != char else ch for ch in once)


_KEPT = {"ä": "ä", "ö": "ö", "ü": "ü", "ß": "ß", "Ä": "ä", "Ö": "ö", "Ü": "ü", "ẞ": "ß"}


def _key_of(char: str) -> str:
    kept = _KEPT.get(char)
    if kept is not None:
        return kept
    return "".join(ch if ch.isalnum() else " " for ch in fold_char(char))


class _Table:
    """Each character's folding for ``str.translate``, in a plain dict (the fastest table CPython
    has): filled for the first 12,288 code points on first use, and for a rarer character when a
    text brings one. ``odd`` finds the characters that do not fold to exactly one character;
    ``check`` finds those and the ones the fast path cannot translate (``_CHECK``), in one pass."""

    def __init__(self, keys: bool) -> None:
        self._keys = keys
        self.plain: dict[int, str] = {}
        self._odd: re.Pattern[str] | None = None
        self._check: re.Pattern[str] | None = None

    def __getitem__(self, code: int) -> str:
        value = self.plain.get(code)
        if value is None:
            char = chr(code)
            value = self.plain[code] = _key_of(char) if self._keys else fold_char(char)
        return value

    def ready(self) -> dict[int, str]:
        if self._odd is None:
            kind = "keys" if self._keys else "text"
            cached = foldcache.load(kind, _RULES)
            if cached is not None and all(code in cached for code in range(_PREFILLED)):
                cached.update(self.plain)
                self.plain = cached
            else:
                for code in range(_PREFILLED):
                    self[code]
                foldcache.save(kind, _RULES, {code: self.plain[code] for code in range(_PREFILLED)})
            odd = [chr(c) for c in range(_PREFILLED) if len(self.plain[c]) != 1]
            self._odd = _char_class(odd)
            self._check = re.compile(f"[{_CHECK.pattern[1:-1]}{''.join(map(re.escape, odd))}]")
        return self.plain

    def check(self) -> re.Pattern[str]:
        self.ready()
        assert self._check is not None
        return self._check

    def learn(self, text: str) -> None:
        for char in set(text):
            self[ord(char)]

    def odd(self, text: str, wide: bool) -> re.Pattern[str]:
        """A pattern for the characters of ``text`` that fold to zero or several characters."""
        self.ready()
        if not wide and self._odd is not None:
            return self._odd
        return _char_class(c for c in set(text) if len(self[ord(c)]) != 1)


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    members = "".join(map(re.escape, chars))
    return re.compile(f"[{members}]" if members else "(?!)")


_TEXT_TABLE = _Table(keys=False)
_KEY_TABLE = _Table(keys=True)
_FAST, _WIDE_CHARS, _UNITS = 0, 1, 2


@dataclass(slots=True)
class Normalised:
    """Folded text plus the way back: ``span(s, e)`` gives the original offsets of ``text[s:e]``.

    Most characters fold to exactly one character; only the others (ß → ss, ä → ae, a removed soft
    hyphen, an entity) are recorded, as (folded start, folded length, original start, original end),
    and a position is mapped back by bisecting them. Computed on the first ``span`` call only.
    """

    original: str
    text: str
    _table: _Table = field(repr=False)
    _mode: int = field(default=_FAST, repr=False)
    _outs: list[int] | None = field(default=None, repr=False)
    _units: list[tuple[int, int, int, int]] | None = field(default=None, repr=False)
    one_to_one: bool = field(default=False, repr=False)  # known at folding: every character folded to one

    def _irregular(self) -> tuple[list[int], list[tuple[int, int, int, int]]]:
        if self._outs is None or self._units is None:
            units: list[tuple[int, int, int, int]] = []
            original, table = self.original, self._table
            odd = table.odd(original, self._mode != _FAST)
            shift = last = 0
            for unit in _UNIT.finditer(original) if self._mode == _UNITS else ():
                shift = self._single(odd, last, unit.start(), shift, units)
                n = len(_fold_unit(unit.group(), table))
                units.append((unit.start() + shift, n, unit.start(), unit.end()))
                shift += n - (unit.end() - unit.start())
                last = unit.end()
            self._single(odd, last, len(original), shift, units)
            self._outs, self._units = [u[0] for u in units], units
        return self._outs, self._units

    def _single(
        self, odd: re.Pattern[str], start: int, end: int, shift: int, units: list[tuple[int, int, int, int]]
    ) -> int:
        """Record the characters of ``original[start:end]`` that fold to other than one; new shift."""
        original, plain = self.original, self._table.plain
        where = [m.start() for m in odd.finditer(original, start, end)]
        sizes = [len(plain[ord(original[i])]) for i in where]
        shifts = list(itertools.accumulate((n - 1 for n in sizes), initial=shift))
        units += [(i + s, n, i, i + 1) for i, n, s in zip(where, sizes, shifts, strict=False)]
        return shifts[-1]

    def source(self, pos: int) -> tuple[int, int]:
        """The original range that folded character ``pos`` came from."""
        outs, units = self._irregular()
        at = bisect.bisect_right(outs, pos) - 1
        if at < 0:
            return pos, pos + 1
        out_start, length, start, end = units[at]
        if pos < out_start + length:
            return start, end
        orig = end + pos - out_start - length
        return orig, orig + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the folded range ``[start, end)`` (end > start)."""
        outs = self._outs if self._outs is not None else self._irregular()[0]
        if not outs:  # every character folded to exactly one: the offsets are the same
            return start, end
        return self.source(start)[0], self.source(end - 1)[1]


def _fold_unit(unit: str, table: _Table) -> str:
    if len(unit) > 1 and unit[0] == "&":
        decoded = html.unescape(unit)
        if decoded != unit:
            table.learn(decoded)
            return decoded.translate(table.plain)
    composed = unicodedata.normalize("NFC", unit)
    table.learn(composed)
    return composed.translate(table.plain)


def _fold(text: str, table: _Table) -> tuple[str, int, bool]:
    """(folded text, mode, whether every character folded to exactly one: offsets unchanged)."""
    plain = table.ready()
    first = table.check().search(text)
    if first is None:
        return text.translate(plain), _FAST, True
    at = first.start()
    if _CHECK.match(text, at) is None and _CHECK.search(text, at + 1) is None:
        return text.translate(plain), _FAST, False
    if _SLOW.search(text) is None:
        if _WIDE.search(text) is None:
            return text.translate(plain), _FAST, False
        table.learn(text)
        return text.translate(plain), _WIDE_CHARS, False
    table.learn(text)
    pieces: list[str] = []
    last = 0
    for unit in _UNIT.finditer(text):
        pieces += (text[last : unit.start()].translate(plain), _fold_unit(unit.group(), table))
        last = unit.end()
    pieces.append(text[last:].translate(plain))
    return "".join(pieces), _UNITS, False


def _normalised(text: str, table: _Table) -> Normalised:
    folded, mode, one_to_one = _fold(text, table)
    if one_to_one:  # nothing to map back: the way back is known to be empty without another look
        return Normalised(text, folded, table, mode, [], [], True)
    return Normalised(text, folded, table, mode)


def normalise(text: str) -> Normalised:
    """Fold ``text`` for comparison; see the module docstring for what folds to what."""
    return _normalised(text, _TEXT_TABLE)


def keys(text: str) -> Normalised:
    """The matcher's stream: folded like ``normalise`` but ä, ö, ü, ß kept and every character that
    is not a letter or digit a space."""
    return _normalised(text, _KEY_TABLE)


def fold(text: str) -> str:
    """Just the folded text of ``normalise``."""
    return _fold(text, _TEXT_TABLE)[0]


def fold_keys(text: str) -> str:
    """Just the folded text of ``keys``."""
    return _fold(text, _KEY_TABLE)[0]
