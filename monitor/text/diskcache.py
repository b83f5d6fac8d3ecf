"""Derived data kept on disk between processes, in the lexicon's cache folders
(``lexicon.configure_lexicon``; without one, nothing is cached).

A file is written whole or not at all (a scratch file renamed into place) and read with ``marshal``,
which takes well under a millisecond for what a table-filling loop took tens of milliseconds for.
Its name is the caller's and must say everything the content depends on (a digest of the code that
made it, the Unicode version, the lexicon's version): nothing here ever checks an old file's age.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@cache
def digest(*sources: Path) -> str:
    """A short digest of these files' contents, for a name that changes when they do."""
    sha = hashlib.sha256()
    for source in sources:
        sha.update(source.read_bytes())
    return sha.hexdigest()[:16]


def _folders() -> tuple[Path, ...]:
    from monitor.text import lexicon

    return lexicon.cache_folders()


def load(name: str) -> object | None:
    """What was saved under ``name``, or None (not saved yet, or unreadable)."""
    for folder in _folders():
        try:
            return marshal.loads((folder / name).read_bytes())  # type: ignore[no-any-return]
        except FileNotFoundError:
            continue
        except (OSError, ValueError, EOFError, TypeError) as err:
            log.debug("cache file %s unreadable (%s): made again", folder / name, err)
    return None


def save(name: str, data: Any, stale: Iterable[str] = ()) -> None:
    """Keep ``data`` (what ``marshal`` takes) under ``name`` in the first folder that takes it; files named
    by the glob patterns ``stale`` (what older code saved) go from that folder."""
    payload = marshal.dumps(data)
    for folder in _folders():
        scratch: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(prefix=".cache-", dir=folder)
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(scratch, folder / name)
        except OSError as err:
            log.debug("cannot cache %s in %s: %s", name, folder, err)
            if scratch is not None:  # a full disk leaves no half-written scratch file behind
                Path(scratch).unlink(missing_ok=True)
            continue
        for pattern in stale:
            for old in folder.glob(pattern):
                if old.name != name:
                    old.unlink(missing_ok=True)
        return
