"""The folding tables of ``monitor.text.normalise`` kept on disk between processes.

Filling a table (every code point below U+3000 through NFKC, casefold and NFD) costs some 15 ms a
table, which every command that folds text paid on start; read back with ``marshal`` it costs
well under one. The file name holds the Unicode database's version and a digest of the module
that defines the folding, so a new Python or a changed rule never reads an old table. The folders
are the lexicon's (``lexicon.configure_lexicon``); without one, nothing is cached.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)


@cache
def _digest(rules: Path) -> str:
    return hashlib.sha256(rules.read_bytes()).hexdigest()[:16]


def _name(kind: str, rules: Path) -> str:
    """``rules``: the module that defines the folding (its digest names the file)."""
    return f"fold-{kind}-unicode{unicodedata.unidata_version}-{_digest(rules)}.marshal"


def _folders() -> tuple[Path, ...]:
    from monitor.text import lexicon

    return lexicon.cache_folders()


def load(kind: str, rules: Path) -> dict[int, str] | None:
    """The table cached under ``kind``, or None (not cached yet, unreadable, or not a table)."""
    for folder in _folders():
        try:
            table = marshal.loads((folder / _name(kind, rules)).read_bytes())
        except FileNotFoundError:
            continue
        except (OSError, ValueError, EOFError, TypeError) as err:
            log.debug("fold table %s unreadable (%s): filling it again", folder / _name(kind, rules), err)
            continue
        if isinstance(table, dict):  # our own file; the caller checks it covers its range
            return table
    return None


def save(kind: str, rules: Path, table: dict[int, str]) -> None:
    """Cache the table in the first folder that takes it; written whole or not at all."""
    data = marshal.dumps(table)
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(prefix=".fold-", dir=folder)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(scratch, folder / _name(kind, rules))
            return
        except OSError as err:
            log.debug("cannot cache the fold table in %s: %s", folder, err)
