"""The folding tables of ``monitor.text.normalise`` kept on disk between processes (``diskcache``).

Filling a table (every code point below U+3000 through NFKC, casefold and NFD) costs some 15 ms a
table, which every command that folds text paid on start; read back it costs well under one. The
file name holds the Unicode database's version and a digest of the module that defines the folding,
so a new Python or a changed rule never reads an old table.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from monitor.text import diskcache


def _name(kind: str, rules: Path) -> str:
    """``rules``: the module that defines the folding (its digest names the file)."""
    return f"fold-{kind}-unicode{unicodedata.unidata_version}-{diskcache.digest(rules)}.marshal"


def load(kind: str, rules: Path) -> dict[int, str] | None:
    """The table cached under ``kind``, or None (not cached yet, unreadable, or not a table)."""
    table = diskcache.load(_name(kind, rules))
    return table if isinstance(table, dict) else None  # the caller checks it covers its range


def save(kind: str, rules: Path, table: dict[int, str]) -> None:
    """Cache the table in the first folder that takes it."""
    diskcache.save(_name(kind, rules), table)
