"""simplemma's German word forms as two memory-mapped tries, built once per simplemma version.

simplemma keeps its German dictionary (1.1M form → lemma pairs) as one Python dict: loading it takes
seconds and most of a process's memory, and CPython never gives those pages back. What newsmon asks
of it is narrow: the lemma of a form, whether a form is a known word, and every form that shares a
lemma. Two MARISA tries answer exactly that (form → lemma, lemma → forms), about 13 MB on disk,
memory-mapped: a process touches only the pages its lookups need, and processes share them.

The tries are derived from simplemma's own data the first time a process needs them, in the first
writable folder of those ``configure_lexicon`` was given (the CLI passes ``settings.cache_dirs()``), under
a name holding simplemma's version, so an upgrade builds new ones. A build goes into a temporary
folder renamed into place: two processes starting together each build, one rename wins, and no
reader ever sees half a trie. Without any writable folder the tries are built in memory.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from pathlib import Path

import marisa_trie

log = logging.getLogger(__name__)

LANG = "de"
FORMAT = 1  # bump when the files' layout changes
_FORMS = "forms.marisa"  # form → lemma
_LEMMAS = "lemmas.marisa"  # lemma → its forms


class Lexicon:
    """Lookups into the two tries; read-only, so threads may share one."""

    __slots__ = ("_forms", "_lemmas")

    def __init__(self, forms: marisa_trie.BytesTrie, lemmas: marisa_trie.BytesTrie) -> None:
        self._forms = forms
        self._lemmas = lemmas

    def get(self, form: str) -> str | None:
        """The lemma simplemma files ``form`` under, or None for a word it does not know."""
        found = self._forms.get(form)
        return found[0].decode() if found else None

    def __contains__(self, form: object) -> bool:
        return isinstance(form, str) and form in self._forms

    def forms(self, lemma: str) -> frozenset[str]:
        """Every form whose lemma is ``lemma`` (the lemma itself only when it is a form of itself)."""
        return frozenset(form.decode() for form in self._lemmas.get(lemma, ()))

    def lemmas(self) -> Iterator[str]:
        """Every distinct lemma."""
        return iter(self._lemmas.keys())

    def __len__(self) -> int:
        return len(self._forms)


_where: tuple[Path, ...] = ()
_lock = threading.Lock()
_open: Lexicon | None = None
_mapped_open = False  # an in-memory build is kept: building it again would cost seconds


def configure_lexicon(folders: Iterable[Path]) -> None:
    """Where the tries may be cached, in order of preference (the first writable one is used)."""
    global _where
    _where = tuple(folders)


def lexicon() -> Lexicon:
    """The process's lexicon, opened (and built where needed) on first use."""
    global _open, _mapped_open
    with _lock:
        if _open is None:
            _open, _mapped_open = _load()
        return _open


def release() -> None:
    """Drop this process's mapping; the next lookup maps the files again (cheaply)."""
    global _open
    with _lock:
        if _mapped_open:
            _open = None


def artifact_name() -> str:
    return f"lexicon-{LANG}-simplemma-{version('simplemma')}-v{FORMAT}"


def _load() -> tuple[Lexicon, bool]:
    """The lexicon, and whether it is mapped from files (else built in memory)."""
    name = artifact_name()
    for folder in _where:
        target = folder / name
        if (target / _LEMMAS).is_file():
            try:
                return _mapped(target), True
            except (OSError, RuntimeError) as err:  # a damaged cache: build it again
                log.warning("lexicon cache %s unreadable (%s): rebuilding", target, err)
                shutil.rmtree(target, ignore_errors=True)
        try:
            return _build_into(folder, name), True
        except OSError as err:
            log.debug("cannot cache the lexicon in %s: %s", folder, err)
    forms, lemmas = _tries()
    return Lexicon(forms, lemmas), False


def _mapped(folder: Path) -> Lexicon:
    forms, lemmas = marisa_trie.BytesTrie(), marisa_trie.BytesTrie()
    forms.mmap(str(folder / _FORMS))
    lemmas.mmap(str(folder / _LEMMAS))
    return Lexicon(forms, lemmas)


def _build_into(folder: Path, name: str) -> Lexicon:
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder))
    try:
        forms, lemmas = _tries()
        forms.save(str(scratch / _FORMS))
        lemmas.save(str(scratch / _LEMMAS))  # written last: its presence marks a complete folder
        target = folder / name
        try:
            os.rename(scratch, target)
        except OSError:
            if not (target / _LEMMAS).is_file():
                raise
            # another process finished first; its files are the same
        log.info("German lexicon built in %s", target)
        return _mapped(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _tries() -> tuple[marisa_trie.BytesTrie, marisa_trie.BytesTrie]:
    """Both tries from simplemma's shipped German data (a few seconds, once per version)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(LANG)
    pairs = [(form, lemma) for form, lemma in table.items()]
    forms = marisa_trie.BytesTrie((form, lemma.encode()) for form, lemma in pairs)
    lemmas = marisa_trie.BytesTrie((lemma, form.encode()) for form, lemma in pairs)
    return forms, lemmas
