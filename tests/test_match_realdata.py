"""The matcher over real German articles and feed items (../shared/realdata; skipped where absent)."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import pytest

from monitor.config import EntityConfig, WatchlistConfig
from monitor.match import compile_matcher, snippet
from monitor.match.engine import Matcher
from monitor.model import Document, Match
from monitor.text.normalise import fold, fold_keys, keys

WATCHLISTS = [
    WatchlistConfig(name="ukraine", query="Ukraine OR @selenskyj OR Kiew OR Kyjiw"),
    WatchlistConfig(name="trump", query="Trump"),
    WatchlistConfig(name="regierung", query="Bundesregierung OR Bundeskanzler* OR Minister"),
    WatchlistConfig(name="gipfel", query="*gipfel OR Gipfel"),
    WatchlistConfig(name="corona", query="Corona* OR Covid OR Pandemie", exclude="Bier"),
    WatchlistConfig(name="nahe", query="(Russland OR Russlands) NEAR/8 (Nato OR Ukraine)"),
    WatchlistConfig(name="euro", query='"Europäische Union" OR EU'),
    WatchlistConfig(name="zahl", query="re:/\\b\\d{1,3}(\\.\\d{3})+ Euro\\b/"),
]
WILDCARDS = [WatchlistConfig(name="wild", query="Bundes* OR *politik OR *krieg* OR title:Ukraine*")]
ENTITIES = {
    "selenskyj": EntityConfig(name="Wolodymyr Selenskyj", aliases=["Selenskyj", "Zelensky"], fuzzy=True)
}


@cache
def _documents(root: Path) -> list[Document]:
    docs: list[Document] = []
    with (root / "fundus-german-articles" / "articles_flat.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            docs.append(Document(title=item.get("title") or "", body=item.get("text") or ""))
    with (root / "german_feed_items.csv").open(encoding="utf-8", newline="") as rows:
        docs += [Document(title=row["title"], summary=row["summary"]) for row in csv.DictReader(rows)]
    with (root / "10kGNAD" / "test.csv").open(encoding="utf-8") as lines:
        docs += [Document(title="", body=line.split(";", 1)[1].strip("'\n")) for line in lines if ";" in line]
    return docs


@cache
def _matched(root: Path) -> list[tuple[Document, list[Match]]]:
    matcher = compile_matcher(WATCHLISTS, ENTITIES)
    return [(doc, matcher.match(doc)) for doc in _documents(root)]


@pytest.fixture
def documents(realdata: Path) -> list[Document]:
    return _documents(realdata)


@pytest.fixture
def results(realdata: Path) -> list[tuple[Document, list[Match]]]:
    return _matched(realdata)


def test_every_match_has_hits_that_point_into_the_text(results: list[tuple[Document, list[Match]]]) -> None:
    seen = 0
    for doc, matches in results:
        for match in matches:
            assert match.hits, match
            for hit in match.hits:
                assert doc.field(hit.field)[hit.start : hit.end] == hit.text
            excerpt, spans = snippet(doc, match)
            assert spans and all(0 <= s < e <= len(excerpt) for s, e in spans)
            seen += 1
    assert seen > 500  # the corpus is German news: these watchlists fire often


def test_word_hits_are_whole_words(results: list[tuple[Document, list[Match]]]) -> None:
    for doc, matches in results:
        for match in matches:
            for hit in match.hits:
                if hit.term.endswith("*") or hit.term.startswith("*") or hit.term.startswith("re:"):
                    continue
                text = doc.field(hit.field)
                before = text[hit.start - 1] if hit.start else " "
                after = text[hit.end] if hit.end < len(text) else " "
                assert not before.isalpha() and not after.isalpha(), (
                    hit,
                    text[hit.start - 20 : hit.end + 20],
                )


def test_both_automaton_engines_agree(documents: list[Document]) -> None:
    pytest.importorskip("ahocorasick_rs")
    rust = Matcher(WATCHLISTS + WILDCARDS, ENTITIES, engine="rust")
    python = Matcher(WATCHLISTS + WILDCARDS, ENTITIES, engine="python")
    for doc in documents[::3]:
        assert rust.match(doc) == python.match(doc)


def test_trump_never_fires_on_trumpf_and_finds_what_a_word_regex_finds(documents: list[Document]) -> None:
    matcher = compile_matcher([WatchlistConfig(name="t", query="Trump OR Ukraine")], {})
    word = re.compile(r"\b(Trump|Ukraine)\b", re.IGNORECASE)
    for doc in documents:
        found = matcher.match(doc)
        if any(word.search(doc.field(f)) for f in ("title", "summary", "body")):
            assert found, doc.title
        for match in found:
            assert all(not h.text.lower().startswith("trumpf") for h in match.hits)


def test_fuzzy_entity_hits_are_spellings_of_the_name(results: list[tuple[Document, list[Match]]]) -> None:
    seen = set()
    for _, matches in results:
        for match in matches:
            for hit in match.hits:
                if hit.term == "@selenskyj":
                    seen.add(hit.text)
                    assert fold_keys(hit.text).strip().startswith(("sel", "zel", "wolodymyr")), hit
    assert seen  # the corpus mentions him


def test_inflected_hits_fold_to_a_form_of_the_term(results: list[tuple[Document, list[Match]]]) -> None:
    forms = {"minister", "ministers", "ministern", "gipfel", "gipfels", "gipfeln"}
    for _, matches in results:
        for match in matches:
            for hit in match.hits:
                if hit.term in ("Minister", "Gipfel"):
                    assert fold_keys(hit.text).strip() in forms, hit


def test_folding_real_text_is_idempotent_and_maps_back(documents: list[Document]) -> None:
    for doc in documents[:400]:
        for text in (doc.title, doc.summary, doc.body):
            assert fold(fold(text)) == fold(text)
            norm = keys(text)
            for word in re.finditer(r"\S+", norm.text):
                start, end = norm.span(*word.span())
                assert word.group() in fold_keys(text[start:end])


@pytest.mark.parametrize(("query", "oracle"), [
    ('"Weißes Haus"', r"\bwei(ß|ss)(e|en|es|er|em)?\s+haus(es)?\b"),
    ('"Deutsche Bahn"', r"\bdeutsche[nmrs]?\s+bahn\b"),
    ('"Vereinte Nationen"', r"\bvereinte[nmrs]?\s+nationen\b"),
    ("Russe", r"\brussen?\b"),
])
def test_inflected_phrases_and_weak_nouns_find_every_declined_mention(documents: list[Document], query: str,
                                                                      oracle: str) -> None:
    """A regular expression that knows the declension of these words is the oracle: the matcher
    finds the same articles (each of these occurs in the corpus)."""
    matcher = compile_matcher([WatchlistConfig(name="w", query=query)], {})
    wanted = re.compile(oracle, re.IGNORECASE)
    fields = ("title", "summary", "body")
    expected = {i for i, d in enumerate(documents) if any(wanted.search(d.field(f)) for f in fields)}
    found = {i for i, d in enumerate(documents) if matcher.match(d)}
    assert expected and found == expected


def test_compound_head_hits_in_real_text_are_compounds(documents: list[Document]) -> None:
    matcher = compile_matcher([WatchlistConfig(name="w", query="*gas")], {})
    words = {hit.text for d in documents for m in matcher.match(d) for hit in m.hits}
    assert {"Erdgas", "Treibhausgase", "Tränengas", "Abgase", "Gas"} <= words
    assert not words & {"Vargas", "Vegas"}
