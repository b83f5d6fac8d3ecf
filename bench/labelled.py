"""Hand-labelled matching decisions: German news sentences, the query an analyst would write, and
whether the sentence is about it. ``python -m bench.labelled`` prints precision and recall of the
matcher on the checkout it runs in (run it in an older checkout for a before/after figure).

The sentences are written for this set in the style of German news (no third-party text); each
case is one decision a reader would take without hesitating.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    text: str
    wanted: bool
    topic: str


def _cases(topic: str, query: str, rows: list[tuple[str, bool]]) -> list[Case]:
    return [Case(query, text, wanted, topic) for text, wanted in rows]


CASES: list[Case] = [
    *_cases("phrase", '"Weißes Haus"', [
        ("Das Weiße Haus hat die Vorwürfe am Abend zurückgewiesen.", True),
        ("Die Delegation wurde im Weißen Haus empfangen.", True),
        ("Nach der Wahl zieht sie ins Weiße Haus ein.", True),
        ("Vor dem Weissen Haus demonstrierten Tausende.", True),
        ("Ein Sprecher des Weissen Hauses bestätigte das Treffen.", True),
        ("Der Druck auf das Weiße Haus wächst.", True),
        ("Das Haus ist weiß gestrichen und steht am Waldrand.", False),
        ("Ein weißes Auto parkte vor dem Haus.", False),
    ]),
    *_cases("phrase", '"Deutsche Bahn"', [
        ("Die Deutsche Bahn streicht im Winter zahlreiche Verbindungen.", True),
        ("Der Chef der Deutschen Bahn verteidigte die Preiserhöhung.", True),
        ("Fahrgäste der Deutschen Bahn müssen mit Verspätungen rechnen.", True),
        ("Die deutsche Bahnindustrie meldet volle Auftragsbücher.", False),
        ("Viele Deutsche fahren lieber Auto als Bahn.", False),
    ]),
    *_cases("phrase", '"Europäische Zentralbank"', [
        ("Die Europäische Zentralbank hält den Leitzins stabil.", True),
        ("Die Entscheidung der Europäischen Zentralbank kam überraschend.", True),
        ("Die Bundesbank und die europäischen Zentralbanken beraten.", True),
        ("Europäische Banken leihen sich Geld bei ihrer Zentralbank.", False),
    ]),
    *_cases("phrase", '"Rote Armee"', [
        ("Die Rote Armee erreichte im April 1945 Berlin.", True),
        ("Soldaten der Roten Armee befreiten das Lager.", True),
        ("Die Armee ließ rote Fahnen hissen.", False),
    ]),
    *_cases("weak", "Bär", [
        ("Im Wald wurde ein Bär gesichtet.", True),
        ("Die Bären des Nationalparks sind aufgewacht.", True),
        ("Der Ranger warnte vor dem Bären.", True),
        ("Die Börse erlebt einen Bärenmarkt.", False),
    ]),
    *_cases("weak", "Russe", [
        ("Ein Russe wurde in Berlin festgenommen.", True),
        ("Zwei Russen sollen den Anschlag geplant haben.", True),
        ("Die Ermittler verdächtigen einen Russen.", True),
    ]),
    *_cases("weak", "Präsident OR Soldat", [
        ("Der Präsident trat vor die Presse.", True),
        ("Dem Präsidenten wird Amtsmissbrauch vorgeworfen.", True),
        ("Ein Soldat wurde verletzt.", True),
        ("Die Soldaten kehrten in ihre Kaserne zurück.", True),
        ("Die Präsidentschaftswahl findet im Mai statt.", False),
    ]),
    *_cases("weak", "Kollege OR Löwe OR Nachbar", [
        ("Ein Kollege fand den Mann bewusstlos.", True),
        ("Den Kollegen fehlt eine klare Ansage.", True),
        ("Im Zoo wurden zwei Löwen geboren.", True),
        ("Die Nachbarn alarmierten die Feuerwehr.", True),
        ("Der Löwenzahn blüht früh in diesem Jahr.", False),
    ]),
    *_cases("plural", "Museum OR Thema OR Virus", [
        ("Die Museen der Stadt bleiben am Montag geschlossen.", True),
        ("Die Themen des Parteitags standen lange fest.", True),
        ("Forscher haben neue Viren in Fledermäusen entdeckt.", True),
        ("Das Museum zeigt Werke aus drei Jahrhunderten.", True),
        ("Die Musen küssten ihn nicht.", False),
    ]),
    *_cases("head", "*gas", [
        ("Der Preis für Erdgas ist gestiegen.", True),
        ("Die Polizei setzte Tränengas ein.", True),
        ("Treibhausgase sollen bis 2045 sinken.", True),
        ("Flüssiggas aus Katar soll die Lücke schließen.", True),
        ("Das Gas wird über Norwegen geliefert.", True),
        ("Mario Vargas Llosa ist tot.", False),
        ("Die Show in Las Vegas war ausverkauft.", False),
    ]),
    *_cases("head", "*gipfel", [
        ("Der Klimagipfel endete ohne Einigung.", True),
        ("Beim Nato-Gipfel ging es um Munition.", True),
        ("Ein Friedensgipfel ist für Juni geplant.", True),
        ("Der Gipfel wurde verschoben.", True),
        ("Die Wanderer erreichten den Wipfel nicht.", False),
    ]),
    *_cases("gender", "Außenminister*in", [
        ("Die Außenministerin reist nach Kiew.", True),
        ("Der Außenminister reist nach Kiew.", True),
        ("Die Außenminister:innen der EU beraten.", True),
        ("Die Außenminister*innen der G7 trafen sich.", True),
        ("Ein Treffen der AußenministerInnen in Brüssel.", True),
        ("Aussenministerinnen aus fünf Ländern unterzeichneten.", True),
        ("Das Außenministerium äußerte sich nicht.", False),
    ]),
    *_cases("gender", "Ärzt*in", [
        ("Die Ärztin behandelte die Verletzten.", True),
        ("Ärzt*innen warnen vor der Grippewelle.", True),
        ("Der Arzt war sofort zur Stelle.", True),
        ("Die Arztpraxis bleibt geschlossen.", False),
    ]),
    *_cases("plain", "Außenminister", [
        ("Der Außenminister reist nach Kiew.", True),
        ("Gespräche mit dem Aussenminister scheiterten.", True),
        ("Die Außenministerin reist nach Kiew.", False),
    ]),
    *_cases("plain", "Trump OR Gas", [
        ("Trump kündigte neue Zölle an.", True),
        ("Das ist sein letzter Trumpf.", False),
        ("Der Gast kam zu spät.", False),
        ("In der Gasse brannte Licht.", False),
        ("Trumps Sprecher widersprach.", True),
    ]),
    *_cases("plain", "Gipfel NEAR/3 Budapest", [
        ("In Budapest soll ein Gipfel stattfinden.", True),
        ("Der Gipfel fand in Wien statt; Budapest war nur Ersatz für ein anderes, viel späteres Treffen.", False),
    ]),
]


def evaluate(cases: list[Case]) -> dict[str, object]:
    """Precision and recall of newsmon's matcher over the cases, and the cases it got wrong."""
    from monitor.config import WatchlistConfig
    from monitor.errors import QueryError
    from monitor.match import compile_matcher
    from monitor.model import Document

    tp = fp = fn = tn = 0
    wrong: list[dict[str, object]] = []
    matchers: dict[str, object] = {}
    for case in cases:
        if case.query not in matchers:
            try:
                matchers[case.query] = compile_matcher([WatchlistConfig(name="w", query=case.query)], {})
            except QueryError:  # syntax an older checkout does not know: it matches nothing
                matchers[case.query] = None
        matcher = matchers[case.query]
        got = matcher is not None and bool(matcher.match(Document(title="", body=case.text)))  # type: ignore[attr-defined]
        tp += got and case.wanted
        fp += got and not case.wanted
        fn += case.wanted and not got
        tn += not got and not case.wanted
        if got != case.wanted:
            wrong.append({"query": case.query, "text": case.text, "wanted": case.wanted})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"cases": len(cases), "precision": round(precision, 3), "recall": round(recall, 3),
            "tp": tp, "fp": fp, "fn": fn, "tn": tn, "wrong": wrong}


def main() -> None:
    result = evaluate(CASES)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
