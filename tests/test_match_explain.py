"""Explanations: every match carries hits with offsets into the text as written, a score and a snippet."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import EntityConfig, WatchlistConfig
from monitor.match import compile_matcher, snippet
from monitor.model import Document, Hit, Match

ENTITIES = {"lawrow": EntityConfig(name="Sergej Lawrow", aliases=["Lawrow", "Lavrov"])}


def one(query: str, doc: Document) -> Match:
    [match] = compile_matcher([WatchlistConfig(name="w", query=query)], ENTITIES).match(doc)
    return match


def test_hits_point_into_the_original_text() -> None:
    doc = Document(
        title="Au&szlig;enminister zum Budapest\u00adGipfel",
        body="Die NATO\u2011Außenminister und Lawrows Sprecherin äußerten sich.",
    )
    match = one('Außenminister OR "Budapest-Gipfel" OR @lawrow', doc)
    assert [(h.field, h.text) for h in match.hits] == [
        ("title", "Au&szlig;enminister"),
        ("title", "Budapest\u00adGipfel"),
        ("body", "Außenminister"),
        ("body", "Lawrows"),
    ]
    for hit in match.hits:
        assert doc.field(hit.field)[hit.start : hit.end] == hit.text
    assert {h.term for h in match.hits} == {"Außenminister", "Budapest-Gipfel", "@lawrow"}


def test_only_the_terms_that_made_the_match_are_hits() -> None:
    doc = Document(title="Gipfel in Wien", body="Budapest und Prag")
    match = one("Gipfel AND (Wien OR Prag) AND NOT Paris", doc)
    assert {h.text for h in match.hits} == {"Gipfel", "Wien", "Prag"}


def test_title_hits_weigh_more_than_body_hits() -> None:
    in_title = one("Tomahawk", Document(title="Tomahawk geliefert", body="Nichts weiter."))
    in_body = one("Tomahawk", Document(title="Lieferung", body="Tomahawk geliefert."))
    assert in_title.score > in_body.score > 0


def test_one_match_per_watchlist_and_exclude_applies() -> None:
    matcher = compile_matcher(
        [
            WatchlistConfig(name="raketen", query="Tomahawk*"),
            WatchlistConfig(name="sport", query="Tomahawk", exclude="Fußball"),
            WatchlistConfig(name="anderes", query="Bundesbank"),
        ],
        ENTITIES,
    )
    doc = Document(title="Tomahawks und Tomahawk-Raketen", body="Ein Fußballverein heißt so.")
    assert [m.watchlist for m in matcher.match(doc)] == ["raketen", "sport"]
    doc = Document(title="Tomahawks und Tomahawk-Raketen", body="Das Fußball-Spiel fiel aus.")
    assert [m.watchlist for m in matcher.match(doc)] == ["raketen"]
    assert matcher.watchlist_names == ["raketen", "sport", "anderes"]


def test_wildcard_hits_are_whole_words_and_keep_the_term_as_written() -> None:
    doc = Document(title="Friedensgipfel und Tomahawkraketen", body="")
    match = one("*gipfel AND Tomahawk*", doc)
    assert [(h.term, h.text) for h in match.hits] == [
        ("*gipfel", "Friedensgipfel"),
        ("Tomahawk*", "Tomahawkraketen"),
    ]


def test_repeated_terms_are_listed_in_text_order_and_scored_once_per_term_and_field() -> None:
    doc = Document(title="Gipfel", body="Gipfel, Lawrow, Gipfel und Gipfel.")
    match = one("Gipfel OR @lawrow OR Gipfel", doc)
    assert [(h.field, h.start, h.text) for h in match.hits] == [
        ("title", 0, "Gipfel"), ("body", 0, "Gipfel"), ("body", 8, "Lawrow"), ("body", 16, "Gipfel"),
        ("body", 27, "Gipfel"),
    ]  # fmt: skip
    assert match.score == 3.0 + 1.5 + 1.0  # title once; body three times (+0.25 each repeat); Lawrow once


def test_matches_are_plain_frozen_values() -> None:
    doc = Document(title="Tomahawk", body="Tomahawk und Tomahawk.")
    match = one("Tomahawk OR Lawrow", doc)
    built = Match("w", match.score, tuple(Hit(h.term, h.field, h.start, h.end, h.text) for h in match.hits))
    assert match == built and hash(match) == hash(built) and type(match.hits[0]) is Hit
    assert pickle.loads(pickle.dumps(match)) == match
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.hits[0].start = 1  # type: ignore[misc]


def test_regex_hits_carry_offsets() -> None:
    doc = Document(title="Vor dem G20-Gipfel", body="")
    match = one("re:/g\\d+-gipfel/", doc)
    assert [(h.start, h.end, h.text) for h in match.hits] == [(8, 18, "G20-Gipfel")]


def test_snippet_prefers_body_and_marks_the_hits() -> None:
    body = "Einleitung. " * 30 + "Am Rande des Gipfels sprach Lawrow mit Journalisten.  " + "Schluss. " * 30
    doc = Document(title="Gipfel beendet", body=body)
    match = one("Gipfel OR @lawrow", doc)
    text, spans = snippet(doc, match, width=80)
    assert len(text) <= 82
    assert text.startswith("…") and text.endswith("…")
    assert [text[s:e] for s, e in spans] == ["Gipfels", "Lawrow"]


def test_snippet_falls_back_to_the_title_and_collapses_whitespace() -> None:
    doc = Document(title="Neue\n  Tomahawk-Lieferung   geplant")
    text, spans = snippet(doc, one("Tomahawk", doc))
    assert text == "Neue Tomahawk-Lieferung geplant"
    assert [text[s:e] for s, e in spans] == ["Tomahawk"]


_FILLER = st.lists(st.sampled_from([*"abc äöß \n\t-–.,\u00ad", "&amp;", "   "]), max_size=120).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_FILLER, min_size=2, max_size=5), st.integers(min_value=20, max_value=250))
def test_snippet_spans_always_mark_the_hits(fillers: list[str], width: int) -> None:
    body = " Gipfel ".join(fillers)
    matcher = compile_matcher([WatchlistConfig(name="w", query="Gipfel")], {})
    [match] = matcher.match(Document(title="", body=body))
    text, spans = snippet(Document(title="", body=body), match, width=width)
    assert spans, (body, text)
    assert all(text[s:e] == "Gipfel" for s, e in spans)
    assert len(text) <= width + 2 * len("…")
