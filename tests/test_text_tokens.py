"""German words: inflected forms from the lexicon, umlaut spellings, attributive place names."""

from __future__ import annotations

import pytest

from monitor.text.tokens import attributive_forms, raw_words, release_lexicon, umlaut_spellings, word_forms

TERMS = [
    ("Gipfel", "Gipfels", True),
    ("Gipfel", "Gipfeln", True),
    ("gipfel", "Gipfels", True),  # typed in lower case: still the noun, not the verb "gipfeln"
    ("gipfel", "gipfelte", False),
    ("Gast", "Gäste", True),
    ("Gast", "Gästen", True),
    ("gast", "Gase", False),  # "gast" is also a form of the verb gasen: not followed
    ("Gas", "Gases", True),
    ("Gas", "Gast", False),
    ("Gas", "Gasse", False),
    ("Rat", "Rate", False),
    ("Haus", "Häusern", True),
    ("Bank", "Bänke", True),
    ("Ärztin", "Ärztinnen", True),
    ("russisch", "russischen", True),
    ("Außenminister", "Außenministers", True),
    ("Aussenminister", "Aussenministers", True),  # unknown Swiss spelling: inflects like its head
    ("Friedensgipfel", "Friedensgipfels", True),
    ("Trump", "Trumps", True),
    ("Trump", "Trumpf", False),
    ("Lawrow", "Lawrows", True),
    ("NATO", "NATOs", True),
]


@pytest.mark.parametrize(("term", "form", "expected"), TERMS)
def test_word_forms(term: str, form: str, expected: bool) -> None:
    assert (form in word_forms(term)) is expected


@pytest.mark.parametrize(
    ("folded", "spellings"),
    [
        ("außenminister", {"außenminister", "aussenminister"}),
        ("aussenminister", {"aussenminister", "außenminister"}),
        ("müller", {"müller", "mueller"}),
        ("mueller", {"mueller", "müller"}),
        ("steuer", {"steuer"}),  # "ue" after a vowel is not an umlaut
        ("quelle", {"quelle"}),
        ("gipfel", {"gipfel"}),
        ("grüße", {"grüße", "gruesse", "grüsse", "grueße"}),
    ],
)
def test_umlaut_spellings(folded: str, spellings: set[str]) -> None:
    assert umlaut_spellings(folded) == spellings


def test_attributive_place_names() -> None:
    assert attributive_forms("Budapest") == {"Budapest", "Budapester"}
    assert attributive_forms("Wien") == {"Wien", "Wiener"}
    assert attributive_forms("Gipfel") == {"Gipfel"}
    assert attributive_forms("budapest") == {"budapest"}


def test_the_lexicon_can_be_released_and_comes_back() -> None:
    release_lexicon()
    word_forms.cache_clear()
    assert "Gipfeln" in word_forms("Gipfel")


def test_raw_words_split_on_hyphens_and_drop_soft_hyphens() -> None:
    assert raw_words("Au\u00adßen-Minister (NATO)") == ["Außen", "Minister", "NATO"]
