"""Folding German text: the rules, and properties (idempotent, offsets lead back to the original)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text.normalise import fold, fold_keys, keys, normalise


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Außenminister", "aussenminister"),
        ("AUSSENMINISTER", "aussenminister"),
        ("Grüße aus Köln", "gruesse aus koeln"),
        ("GRÜẞE", "gruesse"),
        ("Gru\u0308ße", "gruesse"),  # u + combining diaeresis
        ("Au\u00adßen\u200bminister", "aussenminister"),
        ("Tomahawk\u2011Raketen \u2013 \u2014 \u2212 \u2010", "tomahawk-raketen - - - -"),
        ("\u201eZitat\u201c \u00bbZitat\u00ab \u2018so\u2019", '"zitat" "zitat" \'so\''),
        ("Au&szlig;enminister &amp; &#8222;Co&#x201C;", 'aussenminister + "co"'),
        ("Caf\u00e9 Cafe\u0301", "cafe cafe"),
        ("\ufb01nal \u00bd", "final 1\u20442"),
        ("Stra\u00dfe\u00a0Nr.", "strasse nr."),
    ],
)
def test_folding_rules(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_umlauts_and_their_spelled_out_form_fold_alike() -> None:
    assert fold("Außenminister Müller") == fold("Aussenminister Mueller")
    assert fold("Müller") != fold("Muller")


def test_key_stream_keeps_only_letters_and_digits() -> None:
    assert fold_keys("NATO-Außenminister, G7-Gipfel!") == "nato außenminister  g7 gipfel "


def test_key_stream_is_one_to_one_for_ordinary_german_text() -> None:
    text = "„Grüße“ – sagte Außenministerin Müller-Lüdenscheidt im Café. ÄÖÜẞ"
    assert len(fold_keys(text)) == len(text)
    assert fold_keys(text).endswith("äöüß")


def test_spans_map_back_to_the_text_as_written() -> None:
    text = "Der Au\u00adßen&shy;minister (NATO\u2011Chef) kommt."
    norm = keys(text)
    found = {m.group(): norm.span(*m.span()) for m in re.finditer(r"\S+", norm.text)}
    assert text[slice(*found["außenminister"])] == "Au\u00adßen&shy;minister"
    assert text[slice(*found["chef"])] == "Chef"
    assert text[slice(*found["nato"])] == "NATO"



@pytest.mark.parametrize(
    "text",
    [
        "Heute trifft der Au\u00adßenminister … in Budapest ein",  # soft hyphen and ellipsis, nothing else
        "Heute trifft der Außenminister in Budapest ein",  # every character folds to one
        "Heute … trifft der Au\u00adßenminister &amp; Co in Budapest ein",  # and an entity after them
    ],
)
def test_words_after_a_character_that_folds_to_several_still_map_back(text: str) -> None:
    norm = keys(text)
    words = {m.group(): text[slice(*norm.span(*m.span()))] for m in re.finditer(r"\S+", norm.text)}
    assert words["budapest"] == "Budapest"
    assert words["außenminister"].replace("\u00ad", "") == "Außenminister"

# Characters that exercise every path: umlauts, ß, combining marks, entities, dashes, quotes, invisibles.
_TRICKY = list("aAoOuUsSäÄöÖüÜßẞeé&;#x0123456789amp lt szlig") + list(
    "-–—\u2011\u00ad\u200b\u0308\u0301„“‚‘»«½ﬁİı\u00a0\n"
)
texts = st.one_of(st.text(), st.text(alphabet=st.sampled_from(_TRICKY)))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold_keys(fold_keys(text)) == fold_keys(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_every_folded_word_maps_back_to_original_text_that_folds_to_it(text: str) -> None:
    norm = keys(text)
    previous_end = 0
    for word in re.finditer(r"\S+", norm.text):
        start, end = norm.span(*word.span())
        assert 0 <= start < end <= len(text)
        assert end >= previous_end  # spans never run backwards
        previous_end = end
        assert word.group() in fold_keys(text[start:end])


@settings(max_examples=200, deadline=None)
@given(texts)
def test_normalise_and_keys_agree_on_letters(text: str) -> None:
    spelled_out = keys(text).text.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    assert "".join(c if c.isalnum() else " " for c in normalise(text).text) == spelled_out
