"""Phrases that inflect in every word, weak nouns and irregular plurals, compound heads that need a
German compound boundary, and gendered forms on request: real German sentences."""

from __future__ import annotations

import pytest

from bench.labelled import CASES, evaluate
from monitor.config import WatchlistConfig
from monitor.errors import QueryError
from monitor.match import compile_matcher
from monitor.model import Document
from monitor.text.tokens import filed_under, word_forms


def _hits(query: str, text: str) -> list[str]:
    matcher = compile_matcher([WatchlistConfig(name="w", query=query)], {})
    return [hit.text for match in matcher.match(Document(title="", body=text)) for hit in match.hits]


@pytest.mark.parametrize(("text", "found"), [
    ("Die Delegation wurde im Weißen Haus empfangen.", "Weißen Haus"),
    ("Nach der Wahl zieht sie ins Weiße Haus ein.", "Weiße Haus"),
    ("Der Druck auf das Weiße Haus wächst.", "Weiße Haus"),
    ("Vor dem Weissen Haus demonstrierten Tausende.", "Weissen Haus"),
    ("Ein Sprecher des Weissen Hauses bestätigte das Treffen.", "Weissen Hauses"),
])
def test_every_word_of_a_phrase_inflects(text: str, found: str) -> None:
    assert _hits('"Weißes Haus"', text) == [found]


def test_an_attributive_adjective_inflects_as_an_adjective() -> None:
    assert _hits('"Deutsche Bahn"', "Der Chef der Deutschen Bahn verteidigte die Preise.") == ["Deutschen Bahn"]
    assert _hits('"Europäische Zentralbank"', "Die Entscheidung der Europäischen Zentralbank kam spät.")
    assert not _hits('"Deutsche Bahn"', "Viele Deutsche fahren lieber Auto als Bahn.")
    assert not _hits('"Weißes Haus"', "Das Haus ist weiß gestrichen.")


def test_a_phrase_of_many_spellings_is_not_cut_off() -> None:
    # four words with umlauts and many forms each: a cross product would run into thousands
    query = '"Große Koalition der Überparteilichen Länderkammer"'
    assert _hits(query, "Die Rede vor der Großen Koalition der Ueberparteilichen Länderkammern war kurz.")


def test_phrase_words_must_follow_each_other() -> None:
    assert not _hits('"Weißes Haus"', "Weißes Papier liegt im Haus.")
    assert not _hits('"Weißes Haus"', "Das Haus, weißes Holz.")


WEAK_NOUNS = ["Bär", "Russe", "Präsident", "Soldat", "Kollege", "Löwe", "Mensch", "Held", "Fürst", "Prinz",
              "Nachbar", "Bauer", "Kunde", "Zeuge", "Franzose", "Grieche", "Däne", "Junge", "Name", "Glaube",
              "Friede", "Student", "Journalist", "Polizist", "Elefant", "Planet", "Fotograf", "Experte"]


@pytest.mark.parametrize("noun", WEAK_NOUNS)
def test_weak_masculine_nouns_match_their_n_forms(noun: str) -> None:
    weak = noun + ("n" if noun.endswith("e") else "en")
    if noun in ("Bauer", "Nachbar"):
        weak = noun + "n"
    assert weak in word_forms(noun)
    assert _hits(noun, f"Die Polizei befragte gestern auch die {weak} aus dem Ort.") == [weak]


@pytest.mark.parametrize(("noun", "plural"), [
    ("Museum", "Museen"), ("Thema", "Themen"), ("Virus", "Viren"), ("Zentrum", "Zentren"), ("Firma", "Firmen"),
    ("Drama", "Dramen"), ("Album", "Alben"), ("Konto", "Konten"), ("Stadion", "Stadien"), ("Haus", "Häuser"),
    ("Stadt", "Städte"), ("Tochter", "Töchter"), ("Gymnasium", "Gymnasien"),
])
def test_irregular_plurals_from_the_lexicon(noun: str, plural: str) -> None:
    assert plural in filed_under(noun)  # the lexicon's own word list is the source
    assert _hits(noun, f"In der Region gibt es viele {plural}, sagte die Sprecherin.") == [plural]


def test_every_form_the_lexicon_files_under_a_noun_matches_it() -> None:
    for noun in ["Gipfel", "Regierung", "Krieg", "Wahl", "Bär", "Minister", "Partei", "Museum"]:
        for form in sorted(filed_under(noun)):
            assert _hits(noun, f"Sie sprachen über {form} und mehr."), (noun, form)


@pytest.mark.parametrize(("text", "found"), [
    ("Der Preis für Erdgas ist gestiegen.", ["Erdgas"]),
    ("Die Polizei setzte Tränengas ein.", ["Tränengas"]),
    ("Treibhausgase sollen bis 2045 sinken.", ["Treibhausgase"]),
    ("Die Autoabgase belasten die Innenstadt.", ["Autoabgase"]),
    ("Das Gas wird über Norwegen geliefert.", ["Gas"]),
    ("Mario Vargas Llosa ist tot.", []),
    ("Die Show in Las Vegas war ausverkauft.", []),
])
def test_a_compound_head_needs_a_compound_boundary(text: str, found: list[str]) -> None:
    assert _hits("*gas", text) == found


def test_compound_heads_of_novel_compounds_and_hyphens() -> None:
    assert _hits("*gipfel", "Ein Ukrainegipfel und der Nato-Gipfel folgen.") == ["Ukrainegipfel", "Gipfel"]
    assert _hits("*gipfel", "Der Friedensgipfel endete ohne Einigung.") == ["Friedensgipfel"]


@pytest.mark.parametrize(("text", "found"), [
    ("Die Außenministerin reist nach Kiew.", "Außenministerin"),
    ("Der Außenminister reist nach Kiew.", "Außenminister"),
    ("Die Außenminister:innen der EU beraten.", "Außenminister:innen"),
    ("Die Außenminister*innen der G7 trafen sich.", "Außenminister*innen"),
    ("Ein Treffen der AußenministerInnen in Brüssel.", "AußenministerInnen"),
    ("Ein Treffen der Außenminister_innen in Brüssel.", "Außenminister_innen"),
    ("Aussenministerinnen aus fünf Ländern unterzeichneten.", "Aussenministerinnen"),
])
def test_gendered_forms_on_request(text: str, found: str) -> None:
    assert _hits("Außenminister*in", text) == [found]


def test_a_plain_term_keeps_its_meaning_and_gendered_stems_work() -> None:
    assert not _hits("Außenminister", "Die Außenministerin reist nach Kiew.")
    assert _hits("Ärzt*innen", "Der Arzt kam, die Ärztin blieb.") == ["Arzt", "Ärztin"]
    assert _hits("Kolleg*in", "Eine Kollegin fand ihn.") == ["Kollegin"]
    assert not _hits("Außenminister*in", "Das Außenministerium schwieg.")


def test_gendered_term_is_one_word() -> None:
    with pytest.raises(QueryError, match="one word"):
        compile_matcher([WatchlistConfig(name="w", query="Außen-Minister*in")], {})


def test_labelled_cases_precision_and_recall() -> None:
    result = evaluate(CASES)
    assert result["wrong"] == []
    assert result["precision"] == 1.0 and result["recall"] == 1.0


def test_gendered_compound_head() -> None:
    text = "Die Bundesaußenministerin traf die Außenminister:innen und den Finanzminister."
    assert _hits("*außenminister*in", text) == ["Bundesaußenministerin", "Außenminister:innen"]
