"""simplemma's German word forms as two memory-mapped tries, built once per simplemma version.

simplemma keeps its German dictionary (1.1M form → lemma pairs) as one Python dict: loading it takes
seconds and most of a process's memory, and CPython never gives those pages back. What newsmon asks
of it is narrow: the lemma of a form, whether a form is a known word, and every form that shares a
lemma. Two MARISA tries answer exactly that (form → lemma, lemma → forms), about 13 MB on disk,
memory-mapped: a process touches only the pages its lookups need, and processes share them. Two
more answer the scans a compound head needs: the words compounds are built of (``parts``) and the
lemmas by their ending (``ending_with``).

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
from collections.abc import Container, Iterable, Iterator
from importlib.metadata import version
from pathlib import Path

import marisa_trie

log = logging.getLogger(__name__)

LANG = "de"
FORMAT = 2  # bump when the files' layout changes
_FORMS = "forms.marisa"  # form → lemma
_LEMMAS = "lemmas.marisa"  # lemma → its forms
_PARTS = "parts.marisa"  # the words a compound is built of, plain spelling
_TAILS = "tails.marisa"  # lemma reversed (ASCII lower case) → lemma, for "which lemmas end in -gas"
_DONE = "complete"  # written last: a folder without it is a build that did not finish
_PLAIN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def plain_spelling(folded: str) -> str:
    """Umlauts and ß written out, so both spellings of a word compare equal."""
    return folded.translate(_PLAIN)


def _ascii_lower(word: str) -> str:
    """Lower case for ASCII letters only: what the compound scan always compared (over UTF-8 bytes)."""
    return "".join(c.lower() if c.isascii() else c for c in word)


class Lexicon:
    """Lookups into the two tries; read-only, so threads may share one."""

    __slots__ = ("_forms", "_lemmas", "_tails", "parts")

    def __init__(self, forms: marisa_trie.BytesTrie, lemmas: marisa_trie.BytesTrie, parts: marisa_trie.Trie,
                 tails: marisa_trie.BytesTrie) -> None:
        self._forms = forms
        self._lemmas = lemmas
        self._tails = tails
        self.parts: Container[str] = parts  # "erde", "frieden", "ukraine": see ``tokens.word_parts``

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

    def ending_with(self, tail: str) -> Iterator[str]:
        """The lemmas with a form other than themselves whose ASCII-lower-cased spelling ends with
        ``tail`` and is longer."""
        for key in self._tails.keys(tail[::-1]):
            if len(key) > len(tail):
                yield self._tails[key][0].decode()

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


def cache_folders() -> tuple[Path, ...]:
    """The folders ``configure_lexicon`` was given (other derived data is cached there too)."""
    return _where


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
        if (target / _DONE).is_file():
            try:
                return _mapped(target), True
            except (OSError, RuntimeError) as err:  # a damaged cache: build it again
                log.warning("lexicon cache %s unreadable (%s): rebuilding", target, err)
                shutil.rmtree(target, ignore_errors=True)
        try:
            return _build_into(folder, name), True
        except OSError as err:
            log.debug("cannot cache the lexicon in %s: %s", folder, err)
    return Lexicon(*_tries()), False


def _mapped(folder: Path) -> Lexicon:
    forms, lemmas, parts, tails = (marisa_trie.BytesTrie(), marisa_trie.BytesTrie(), marisa_trie.Trie(),
                                   marisa_trie.BytesTrie())
    forms.mmap(str(folder / _FORMS))
    lemmas.mmap(str(folder / _LEMMAS))
    parts.mmap(str(folder / _PARTS))
    tails.mmap(str(folder / _TAILS))
    return Lexicon(forms, lemmas, parts, tails)


def _build_into(folder: Path, name: str) -> Lexicon:
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder))
    try:
        _save_tries_apart(scratch)
        (scratch / _DONE).write_text(artifact_name(), "utf-8")
        target = folder / name
        if target.exists() and not (target / _DONE).is_file():
            shutil.rmtree(target, ignore_errors=True)  # a damaged or unfinished folder
        try:
            os.rename(scratch, target)
        except OSError:
            if not (target / _DONE).is_file():
                raise
            # another process finished first; its files are the same
        log.info("German lexicon built in %s", target)
        return _mapped(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def save_tries(folder: Path) -> None:
    for trie, file in zip(_tries(), (_FORMS, _LEMMAS, _PARTS, _TAILS), strict=True):
        trie.save(str(folder / file))


def _save_tries_apart(folder: Path) -> None:
    """Build the tries in a child process: the dictionary it loads (a peak of some 400 MB) would stay
    resident in this one, as CPython does not give those pages back; a daemon's first start would
    keep them until it is restarted. Built here when no child can be started."""
    import subprocess
    import sys

    code = f"from pathlib import Path; from {__name__} import save_tries; save_tries(Path({str(folder)!r}))"
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                              check=False)
    except (OSError, subprocess.SubprocessError) as err:
        log.debug("cannot build the lexicon in a child process (%s): building it here", err)
    else:
        if done.returncode == 0 and all((folder / file).is_file() for file in (_FORMS, _LEMMAS, _PARTS, _TAILS)):
            return
        log.debug("building the lexicon in a child process failed (%s): building it here",
                  done.stderr.strip()[-300:] or done.returncode)
    save_tries(folder)


def _tries() -> tuple[marisa_trie.BytesTrie, marisa_trie.BytesTrie, marisa_trie.Trie, marisa_trie.BytesTrie]:
    """The four tries from simplemma's shipped German data (a few seconds, once per version)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(LANG)
    pairs = [(form, lemma) for form, lemma in table.items()]
    forms = marisa_trie.BytesTrie((form, lemma.encode()) for form, lemma in pairs)
    lemmas = marisa_trie.BytesTrie((lemma, form.encode()) for form, lemma in pairs)
    inflected = {lemma for form, lemma in pairs if form != lemma}  # lemmas with a form of their own
    # compound parts: every inflected lemma but acronyms, and names of four bytes or more; the case
    # tests are ASCII-only, as they were over simplemma's UTF-8 table
    parts = {plain_spelling(lemma.lower()) for lemma in inflected if not lemma.encode().isupper()}
    parts |= {plain_spelling(form.lower()) for form, lemma in pairs
              if form == lemma and len(form.encode()) >= 4 and form.encode()[:1].isupper()}
    tails = marisa_trie.BytesTrie((_ascii_lower(lemma)[::-1], lemma.encode()) for lemma in inflected)
    return forms, lemmas, marisa_trie.Trie(parts), tails
