"""A watchlist compiled from the spellings another process kept on disk matches exactly as one compiled
from the lexicon, without opening the lexicon; a damaged, foreign or oversized cache costs only the
derivation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import WatchlistConfig
from monitor.match import expansions
from monitor.match.compile import LeafTable
from monitor.match.query import Regex, checked, leaves
from monitor.model import Document
from monitor.text import lexicon

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ['"Budapest-Gipfel" OR Tomahawk OR "im Weißen Haus"', 'Ärzt*in AND NOT Zahnarzt', '"Bundesregierung"',
           'Russe OR "Serghei Lawrow" OR Museum', 'tomahawk* OR "Friedensgipfel"']


@pytest.fixture(autouse=True)
def _own_cache_folders() -> Iterator[None]:
    kept = lexicon.cache_folders()
    lexicon.lexicon()  # mapped from the suite's folder: the tests below change only where spellings go
    expansions.flush()
    yield
    expansions.flush()
    lexicon.configure_lexicon(kept)


def _patterns(queries: list[str]) -> tuple[dict[str, list[int]], dict[str, list[tuple[int, int]]]]:
    table = LeafTable({})
    for query in queries:
        for leaf in leaves(checked(query, {})):
            if not isinstance(leaf, Regex):
                table.add(leaf)
    expansions.flush()
    return ({k: sorted(v) for k, v in table.patterns.items()}, {k: sorted(v) for k, v in table.parts.items()})


def _compile_in_new_process(cache: Path, queries: list[str]) -> dict[str, object]:
    """Compile the queries in a fresh process that caches in ``cache``: the matches on a text, and
    whether the lexicon was opened."""
    code = (
        "import json\nfrom pathlib import Path\n"
        "from monitor.config import WatchlistConfig\n"
        "from monitor.match.engine import compile_matcher\n"
        "from monitor.model import Document\n"
        "from monitor.text import lexicon\n"
        f"lexicon.configure_lexicon([Path({str(cache)!r})])\n"
        f"lists = [WatchlistConfig(name=f'w{{i}}', query=q) for i, q in enumerate({queries!r})]\n"
        "matcher = compile_matcher(lists, {})\n"
        "text = ('Vor dem Budapester Gipfel sprach die Ärztin im Weissen Haus '\n"
        "        'mit Sergej Lawrows Russen über Tomahawks.')\n"
        "found = matcher.match(Document(title=text))\n"
        "print(json.dumps({'matches': sorted((m.watchlist, sorted(h.text for h in m.hits)) for m in found),"
        " 'lexicon_opened': lexicon._open is not None}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def _with_the_suites_lexicon(folder: Path) -> Path:
    """``folder`` as a cache folder holding (a link to) the suite's built lexicon and nothing else."""
    lexicon.lexicon()
    (built,) = [f / lexicon.artifact_name() for f in lexicon.cache_folders() if (f / lexicon.artifact_name()).is_dir()]
    (folder / lexicon.artifact_name()).symlink_to(built, target_is_directory=True)
    return folder


def test_a_second_process_compiles_from_the_cache_without_the_lexicon_and_matches_alike(tmp_path: Path) -> None:
    _with_the_suites_lexicon(tmp_path)
    first = _compile_in_new_process(tmp_path, QUERIES[:3])
    assert first["lexicon_opened"] is True
    assert [p.name for p in tmp_path.glob("spellings-*.marshal")]
    assert first["matches"], "the text names the watched terms"
    second = _compile_in_new_process(tmp_path, QUERIES[:3])
    assert second == {**first, "lexicon_opened": False}


def test_spellings_read_back_are_the_derived_ones(tmp_path: Path) -> None:
    lexicon.configure_lexicon([])
    derived = _patterns(QUERIES)
    lexicon.configure_lexicon([tmp_path])
    assert _patterns(QUERIES) == derived  # derived, then saved
    assert _patterns(QUERIES) == derived  # read back


def test_a_damaged_or_foreign_cache_is_derived_again_and_replaced(tmp_path: Path) -> None:
    lexicon.configure_lexicon([])
    derived = _patterns(QUERIES)
    lexicon.configure_lexicon([tmp_path])
    _patterns(QUERIES[:1])
    (path,) = tmp_path.glob("spellings-*.marshal")
    path.write_bytes(b"\x00garbage")
    older = tmp_path / "spellings-lexicon-de-simplemma-0.1-v1-unicode9.0.0-0000000000000000.marshal"
    older.write_bytes(b"from older rules")
    assert _patterns(QUERIES) == derived
    assert [p.name for p in tmp_path.glob("spellings-*.marshal")] == [path.name]
    assert _patterns(QUERIES) == derived


def test_past_the_limit_a_save_keeps_the_last_compiles_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon.configure_lexicon([tmp_path])
    _patterns(QUERIES)
    monkeypatch.setattr(expansions, "LIMIT", 3)
    _patterns(['"Bundesregierung" OR Nato'])  # a new word: saved, with only this compile's words
    (path,) = tmp_path.glob("spellings-*.marshal")
    import marshal

    assert sorted(marshal.loads(path.read_bytes())) == ["lBundesregierung", "lNato"]


def test_the_cache_changes_nothing_a_watchlist_matches(tmp_path: Path) -> None:
    from monitor.match.engine import compile_matcher

    lists = [WatchlistConfig(name=f"w{i}", query=q) for i, q in enumerate(QUERIES)]
    doc = Document(title="Ärztinnen und Zahnärzte beim Friedensgipfel in Budapest", summary="Tomahawk-Raketen")
    lexicon.configure_lexicon([])
    derived = compile_matcher(lists, {}).match(doc)
    lexicon.configure_lexicon([tmp_path])
    compile_matcher(lists, {})
    assert list(tmp_path.glob("spellings-*.marshal"))
    read_back = compile_matcher(lists, {}).match(doc)
    assert [(m.watchlist, m.hits) for m in read_back] == [(m.watchlist, m.hits) for m in derived]
    assert {m.watchlist for m in derived} == {"w0", "w4"}  # w1: Zahnärzte excludes the Ärztinnen
