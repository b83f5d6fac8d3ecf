"""German text folding with offsets back to the original.

``normalise`` is what DESIGN.md §4 asks for: NFKC, casefold, soft hyphens and zero-width characters
removed, every dash to ``-``, typographic quotes folded, umlauts written out (ä → ae, so "Außen" and
"Aussen" fold alike) and HTML entities decoded. ``keys`` folds the same way and then turns everything
that is not a letter or digit into a space: that is the stream the matcher runs its automaton over.

Both keep, for every output character, where in the original it came from, so a hit found in the
folded text is highlighted in the text as written. The fast path is one ``str.translate`` with a
table that fills itself per character; offsets are only computed when somebody asks for a span.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

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
_SLOW = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # noqa: E501
_UNIT = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.DOTALL)  # noqa: E501


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


def _key_of(char: str) -> str:
    return "".join(ch if ch.isalnum() else " " for ch in fold_char(char))


class _Table(dict[int, str]):
    """A ``str.translate`` table that computes and remembers each character's folding."""

    def __init__(self, keys: bool) -> None:
        super().__init__()
        self._keys = keys

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = _key_of(char) if self._keys else fold_char(char)
        self[code] = value
        return value


_TEXT_TABLE = _Table(keys=False)
_KEY_TABLE = _Table(keys=True)


@dataclass(slots=True)
class Normalised:
    """Folded text plus the way back: ``span(s, e)`` gives the original offsets of ``text[s:e]``."""

    original: str
    text: str
    _table: _Table = field(repr=False)
    _starts: list[int] | None = field(default=None, repr=False)
    _ends: list[int] | None = field(default=None, repr=False)

    def _offsets(self) -> tuple[list[int], list[int]]:
        if self._starts is None or self._ends is None:
            starts: list[int] = []
            ends: list[int] = []
            if _SLOW.search(self.original):
                for unit in _UNIT.finditer(self.original):
                    n = len(_fold_unit(unit.group(), self._table))
                    starts.extend([unit.start()] * n)
                    ends.extend([unit.end()] * n)
            else:
                table = self._table
                for i, char in enumerate(self.original):
                    n = len(table[ord(char)])
                    if n:
                        starts.extend([i] * n)
                        ends.extend([i + 1] * n)
            self._starts, self._ends = starts, ends
        return self._starts, self._ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the folded range ``[start, end)`` (end > start)."""
        starts, ends = self._offsets()
        return starts[start], ends[end - 1]


def _fold_unit(unit: str, table: _Table) -> str:
    if len(unit) > 1 and unit[0] == "&":
        decoded = html.unescape(unit)
        if decoded != unit:
            return decoded.translate(table)
    return unicodedata.normalize("NFC", unit).translate(table)


def _fold(text: str, table: _Table) -> str:
    if _SLOW.search(text) is None:
        return text.translate(table)
    return "".join(_fold_unit(unit.group(), table) for unit in _UNIT.finditer(text))


def normalise(text: str) -> Normalised:
    """Fold ``text`` for comparison; see the module docstring for what folds to what."""
    return Normalised(text, _fold(text, _TEXT_TABLE), _TEXT_TABLE)


def keys(text: str) -> Normalised:
    """Like ``normalise`` but every character that is not a letter or digit becomes a space."""
    return Normalised(text, _fold(text, _KEY_TABLE), _KEY_TABLE)


def fold(text: str) -> str:
    """Just the folded text of ``normalise``."""
    return _fold(text, _TEXT_TABLE)


def fold_keys(text: str) -> str:
    """Just the folded text of ``keys``."""
    return _fold(text, _KEY_TABLE)
