"""The folding tables read back from the cache are the tables folding fills, and a cache written
under other rules or another Unicode version is never read."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.text import foldcache, lexicon, normalise

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_cache_folders() -> Iterator[None]:
    kept = lexicon.cache_folders()
    yield
    lexicon.configure_lexicon(kept)


def _fold_in_new_process(cache: Path, text: str) -> str:
    code = ("from pathlib import Path\n"
            "from monitor.text import lexicon, normalise\n"
            f"lexicon.configure_lexicon([Path({str(cache)!r})])\n"
            f"print(repr((normalise.fold_keys({text!r}), normalise.normalise({text!r}).text)))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout


def test_a_second_process_folds_from_the_cache_exactly_as_the_first(tmp_path: Path) -> None:
    text = "Straße, Ärztinnen &amp; „Zitate“ – Müller‐Lüdenscheidt ﬁnal Ω² Łódź"
    first = _fold_in_new_process(tmp_path, text)
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("fold-*.marshal")) == ["keys", "text"]
    assert _fold_in_new_process(tmp_path, text) == first


def test_the_cached_table_is_the_filled_one(tmp_path: Path) -> None:
    lexicon.configure_lexicon([tmp_path])
    filled = normalise._Table(keys=True)
    for code in range(normalise._PREFILLED):
        filled[code]
    foldcache.save("keys", normalise._RULES, dict(filled.plain))
    read = normalise._Table(keys=True)
    read.ready()
    assert read.plain == filled.plain


def test_other_rules_name_another_file(tmp_path: Path) -> None:
    lexicon.configure_lexicon([tmp_path])
    other = tmp_path / "rules.py"
    other.write_text("# folding rules of another release\n", "utf-8")
    foldcache.save("keys", other, {65: "x"})
    assert foldcache.load("keys", normalise._RULES) is None
    assert foldcache.load("keys", other) == {65: "x"}


def test_a_damaged_cache_file_is_filled_again(tmp_path: Path) -> None:
    lexicon.configure_lexicon([tmp_path])
    foldcache.save("text", normalise._RULES, {1: "a"})
    (path,) = tmp_path.glob("fold-text-*.marshal")
    path.write_bytes(b"\x00garbage")
    assert foldcache.load("text", normalise._RULES) is None
    table = normalise._Table(keys=False)
    table.ready()
    assert table.plain[ord("Ä")] == "ae"
