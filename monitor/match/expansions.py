"""Each watch word's folded spellings (what ``compile`` derives from the lexicon) kept on disk
between processes (``text.diskcache``), so a compile asks the lexicon only about words it has not
seen before.

Deriving them (inflected forms, declined and attributive forms, umlaut spellings, all folded) is
some 40 µs a word: most of compiling 10,000 terms, and paid again by every ``newsmon match`` a
user tries a watchlist with, every ``run --once`` of a timer and every daemon start. Read back, a
word costs a dict lookup. The file's name holds the lexicon's version, the Unicode version and a
digest of the modules that define the spellings, so changed rules or data never read old ones; a
file from other code is replaced by the next save. At most ``LIMIT`` words are kept: past that, a
save keeps only the words the last compile asked for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from monitor.text import diskcache

LIMIT = 200_000
_HERE = Path(__file__).resolve().parent
# Everything the spellings depend on besides the lexicon's data: their rules and the folding.
_SOURCES = tuple(_HERE.parent / part for part in ("match/compile.py", "text/tokens.py", "text/normalise.py",
                                                   "text/lexicon.py"))

_memo: dict[str, list[str]] | None = None
_used: set[str] = set()
_added = 0


def _name() -> str:
    from monitor.text.lexicon import artifact_name

    return (f"spellings-{artifact_name()}-unicode{unicodedata.unidata_version}-"
            f"{diskcache.digest(*_SOURCES)}.marshal")


def _table() -> dict[str, list[str]]:
    global _memo
    if _memo is None:
        loaded = diskcache.load(_name())
        _memo = loaded if isinstance(loaded, dict) else {}
    return _memo


def spellings(kind: str, word: str, make: Callable[[str], list[str]]) -> list[str]:
    """``make(word)``, remembered under ``kind`` (one letter: which derivation) and ``word``. The list
    is shared: callers must not change it."""
    global _added
    memo = _table()
    key = kind + word
    _used.add(key)
    found = memo.get(key)
    if found is None:
        found = memo[key] = make(word)
        _added += 1
    return found


def flush() -> None:
    """Save what this compile derived (if anything) and let the table go: a daemon keeps no copy."""
    global _memo, _added
    memo = _memo
    if memo is not None and _added:
        keep = memo if len(memo) <= LIMIT else {key: memo[key] for key in _used if key in memo}
        diskcache.save(_name(), keep, stale=("spellings-*.marshal",))
    _memo = None
    _added = 0
    _used.clear()
