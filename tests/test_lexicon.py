"""The German lexicon's tries answer exactly what simplemma's dictionary answers, and are built
once, atomically, per simplemma version."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import pytest
from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

from monitor.text import lexicon as lexicon_module
from monitor.text.lexicon import artifact_name, lexicon
from monitor.text.tokens import attributive_forms, attributive_forms_in, word_forms, word_forms_in

from .test_text_tokens import TERMS


class DictTable:
    """The expansion's questions answered straight from simplemma's dict, as before the tries."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = table
        self.by_lemma: dict[str, set[str]] = defaultdict(set)
        for form, lemma in table.items():
            self.by_lemma[lemma].add(form)

    def get(self, form: str) -> str | None:
        return self.table.get(form)

    def forms(self, lemma: str) -> frozenset[str]:
        return frozenset(self.by_lemma.get(lemma, ()))


@pytest.fixture(scope="module")
def simplemma_table() -> DictTable:
    return DictTable(dict(DefaultDictionaryFactory(cache_max_size=0).get_dictionary("de").items()))


def test_every_form_has_simplemmas_lemma_and_unknown_words_none(simplemma_table: DictTable) -> None:
    mine = lexicon()
    table = simplemma_table.table
    assert len(mine) == len(table)
    wrong = [form for form, lemma in table.items() if mine.get(form) != lemma]
    assert wrong == []
    sample = list(table)[::50]
    unknown = [w for w in (f + "qx" for f in sample) if w not in table]
    unknown += [w for w in (f.swapcase() for f in sample) if w not in table]
    assert [w for w in unknown if mine.get(w) is not None or w in mine] == []


def test_the_forms_of_a_lemma_are_the_forms_simplemma_files_under_it(simplemma_table: DictTable) -> None:
    mine = lexicon()
    lemmas = sorted(simplemma_table.by_lemma)
    assert len(set(mine.lemmas())) == len(lemmas)
    wrong = [lemma for lemma in lemmas[::7] if mine.forms(lemma) != simplemma_table.forms(lemma)]
    assert wrong == []
    assert mine.forms("Gipfel") >= {"Gipfel", "Gipfels", "Gipfeln"}
    assert mine.forms("keinwortxyz") == frozenset()


def test_expansion_is_the_same_as_over_simplemmas_dict(simplemma_table: DictTable) -> None:
    """The test cases and a sample of the bench's lexicon term set: identical word forms."""
    nouns = sorted({lemma for lemma in simplemma_table.by_lemma if lemma[:1].isupper() and lemma.isalpha()})
    words = [term for term, _, _ in TERMS] + nouns[::150] + [n.lower() for n in nouns[::900]]
    words += ["Budapest", "Wien", "Friedensgipfel", "Aussenminister", "Selenskyj", "NATO"]
    differ = [w for w in words if word_forms(w) != word_forms_in(w, simplemma_table)
              or attributive_forms(w) != attributive_forms_in(w, simplemma_table)]
    assert differ == []
    assert len(words) > 1000


def _build_in(folder: Path) -> subprocess.Popen[str]:
    code = ("import sys; from pathlib import Path; from monitor.text import lexicon; "
            "lexicon.configure_lexicon([Path(sys.argv[1])]); print(lexicon.lexicon().get('Gipfels'))")
    return subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True)


def test_two_processes_building_at_once_both_get_one_complete_lexicon(tmp_path: Path) -> None:
    first, second = _build_in(tmp_path), _build_in(tmp_path)
    outputs = [p.communicate(timeout=300)[0].strip() for p in (first, second)]
    assert outputs == ["Gipfel", "Gipfel"]
    assert [p.name for p in tmp_path.iterdir()] == [artifact_name()]  # no half-built scratch folder left


def test_a_damaged_cache_is_rebuilt_and_an_unwritable_folder_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder should be")
    cache = tmp_path / "cache"
    broken = cache / artifact_name()
    broken.mkdir(parents=True)
    (broken / "forms.marisa").write_bytes(b"\0" * 100)
    (broken / "lemmas.marisa").write_bytes(b"garbage")
    stale = cache / "lexicon-de-simplemma-0.0.1-v1"  # another simplemma version's: never read
    stale.mkdir()
    (stale / "lemmas.marisa").write_bytes(b"garbage")
    lexicon_module.configure_lexicon([blocked / "sub", cache])
    lexicon_module.release()
    try:
        assert lexicon().get("Gipfels") == "Gipfel"
        assert (broken / "lemmas.marisa").stat().st_size > 1_000_000
        assert (stale / "lemmas.marisa").read_bytes() == b"garbage"
    finally:
        from monitor.settings import cache_dirs

        lexicon_module.configure_lexicon(cache_dirs())
        lexicon_module.release()


def test_compound_parts_and_compounds_are_those_of_simplemmas_table(simplemma_table: DictTable) -> None:
    """``word_parts`` and ``compounds_of`` scan the whole lexicon: the same answers as the scan over
    simplemma's bytes table they replace (its bytes semantics included: ASCII-only case tests)."""
    from monitor.text.tokens import compounds_of, plain_spelling, word_parts

    raw = {form.encode(): lemma.encode() for form, lemma in simplemma_table.table.items()}
    inverse: dict[bytes, set[bytes]] = defaultdict(set)
    for form, lemma in raw.items():
        if form != lemma:
            inverse[lemma].add(form)
    parts = {plain_spelling(lemma.decode().lower()) for lemma in inverse if not lemma.isupper()}
    parts |= {plain_spelling(form.decode().lower()) for form, lemma in raw.items()
              if form == lemma and len(form) >= 4 and form[:1].isupper()}
    found = word_parts()
    assert set(found.keys()) == parts  # type: ignore[attr-defined]  # a memory-mapped marisa Trie
    for head in ("Gas", "Gipfel", "Minister"):
        endings = {form[len(head):] for form in simplemma_table.forms(head) - {head} if form.startswith(head)}
        tail = head.lower().encode()
        expected: set[str] = set()
        for lemma, forms in inverse.items():
            if len(lemma) > len(tail) and lemma.lower().endswith(tail):
                known = {f.decode() for f in forms}
                if not endings or any(lemma.decode() + e in known for e in endings):
                    expected |= {lemma.decode()} | known
        assert compounds_of(head) == expected, head
