"""Identity keys, fingerprints, near-duplicates and story assignment on synthetic German text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np

from monitor.dedup import features as dedup
from monitor.dedup.nearindex import BatchBands, band_keys
from monitor.dedup.storyindex import Features, StoryIndex, pack, unpack
from monitor.model import Entry
from tests.harness import START

# Our own wire text (not from any outlet), about 70 words.
WIRE = ("Der Bundestag hat am Donnerstag nach langer Debatte das neue Heizungsgesetz beschlossen. "
        "Für den Entwurf der Koalition stimmten 399 Abgeordnete, dagegen 275. Die Opposition kündigte an, "
        "vor dem Bundesverfassungsgericht gegen das Verfahren zu klagen. Bauministerin Klara Hofmeister "
        "sprach von einem wichtigen Schritt für den Klimaschutz in Gebäuden. Eigentümer sollen beim Austausch "
        "alter Öl- und Gasheizungen staatliche Zuschüsse von bis zu 70 Prozent erhalten. Der Bundesrat "
        "befasst sich im Oktober abschließend mit dem Gesetz.")
EDITED = WIRE.replace("nach langer Debatte", "nach monatelangem Streit").replace(
    "Der Bundesrat", "Die Länderkammer") + " Verbände begrüßten die Einigung grundsätzlich."
OTHER = ("In München hat am Wochenende das Oktoberfest begonnen. Oberbürgermeister Tobias Reiter zapfte das "
         "erste Fass mit zwei Schlägen an. Die Veranstalter erwarten in diesem Jahr rund sechs Millionen Gäste "
         "aus aller Welt. Die Polizei meldete einen ruhigen Auftakt, das Wetter war sonnig und mild. Eine Maß "
         "Bier kostet auf der Wiesn erstmals mehr als fünfzehn Euro, was viele Besucher ärgerte.")


def entry(title: str, text: str, link: str = "https://a.example/1", guid: str | None = None) -> Entry:
    return Entry(title=title, link=link, guid=guid, summary=text, published=START)


def test_tracking_parameters_fragments_and_host_case_give_one_key() -> None:
    plain = entry("T", "x", "https://www.Tagesschau.de:443/inland/artikel-100.html/")
    tracked = entry("T", "x", "https://www.tagesschau.de/inland/artikel-100.html?utm_source=rss&at_medium=feed"
                    "&wt_mc=rss.tagesschau&fbclid=abc&ref=home#kommentare")
    assert dedup.identity_keys(plain, 1) == dedup.identity_keys(tracked, 2)


def test_a_guid_that_is_a_url_is_canonicalised_like_a_link() -> None:
    by_link = entry("T", "x", "https://example.org/a.html")
    by_guid = Entry(title="T", link=None, guid="HTTPS://EXAMPLE.org/a.html?utm_campaign=x", summary="x")
    assert dedup.identity_keys(by_guid, 9) == dedup.identity_keys(by_link, 1)


def test_short_guids_are_only_trusted_within_their_feed() -> None:
    one = Entry(title="A", guid="42")
    assert dedup.identity_keys(one, 1) != dedup.identity_keys(one, 2)


def test_the_same_wire_copy_elsewhere_has_the_same_fingerprint() -> None:
    here = entry("Bundestag beschließt Heizungsgesetz", WIRE, "https://a.example/heizung")
    there = entry("Bundestag beschließt Heizungsgesetz", "  " + WIRE.replace(" ", "  ") + "\u00ad",
                  "https://b.example/politik/heizungsgesetz-1234")
    assert dedup.fingerprint_key(here) is not None
    assert dedup.fingerprint_key(here) == dedup.fingerprint_key(there)
    assert dedup.fingerprint_key(entry("Bundestag beschließt Heizungsgesetz", EDITED)) != dedup.fingerprint_key(here)


def test_short_or_generic_texts_get_no_fingerprint() -> None:
    assert dedup.fingerprint_key(entry("Wetter", "Morgen sonnig, 20 Grad.")) is None
    assert dedup.fingerprint_key(entry("Die Nachrichten", "")) is None
    assert dedup.signature(dedup.content_words(entry("Wetter", "Morgen sonnig, 20 Grad."))) is None


def test_an_edited_copy_is_a_near_duplicate_and_an_unrelated_text_is_not() -> None:
    bands = BatchBands()
    for article_id, item in ((1, entry("Bundestag beschließt Heizungsgesetz", WIRE)),
                             (2, entry("Oktoberfest hat begonnen", OTHER))):
        signature = _features(article_id, item).signature
        assert signature is not None
        bands.add(article_id, signature, band_keys(signature))
    edited = entry("Heizungsgesetz beschlossen: Zuschüsse für neue Heizungen", EDITED)
    query = _features(3, edited).signature
    assert [article_id for _similarity, article_id in bands.ranked(query, band_keys(query))] == [1]
    assert dedup.near_duplicate(dedup.content_words(edited), _words(WIRE, "Bundestag beschließt Heizungsgesetz"))
    longer = entry("Bundestag beschließt Heizungsgesetz", WIRE + " " + OTHER)  # an added paragraph
    assert dedup.near_duplicate(dedup.content_words(longer), _words(WIRE, "Bundestag beschließt Heizungsgesetz"))
    mixed = entry("Anderes", WIRE[:200] + OTHER)
    assert not dedup.near_duplicate(dedup.content_words(mixed), _words(WIRE, "Bundestag beschließt Heizungsgesetz"))
    roundup = entry("Der Tag", WIRE + " " + OTHER + " " + WIRE.replace("Heizungsgesetz", "Tariftreuegesetz"))
    assert not dedup.near_duplicate(dedup.content_words(roundup), _words(OTHER, "Oktoberfest hat begonnen"))


def _words(text: str, title: str) -> list[str]:
    return dedup.content_words(entry(title, text))


def test_signatures_survive_storage() -> None:
    signature = dedup.signature(dedup.content_words(entry("Heizungsgesetz", WIRE)))
    assert signature is not None
    restored = unpack(pack(signature))
    assert restored is not None and dedup.similarity(signature, restored) == 1.0


def _datasketch_signature(tokens: list[str]) -> list[int]:
    from datasketch import MinHash

    sketch = MinHash(num_perm=dedup.NUM_PERM, seed=1, scheme=dedup.SCHEME)
    sketch.update_batch([shingle.encode() for shingle in dedup.shingles(tokens)])
    return [int(value) for value in sketch.hashvalues]


def test_signatures_are_the_values_datasketch_computes(realdata: Path) -> None:
    """Stored signatures must stay comparable: the vectorised MinHash gives datasketch's exact values."""
    with (realdata / "fundus-german-articles" / "articles_flat.jsonl").open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines]
    texts = [dedup.content_words(entry(a["title"], a["text"])) for a in articles] + [_words(WIRE, "t")]
    assert len(texts) > 100
    for tokens in texts:
        mine = dedup.signature(tokens)
        assert mine is not None and mine.dtype == np.uint32
        assert mine.tolist() == _datasketch_signature(tokens)
        assert unpack(pack(mine)).tolist() == mine.tolist()  # type: ignore[union-attr]


def test_articles_about_one_event_share_a_story_and_a_shared_word_is_not_enough() -> None:
    index = StoryIndex()
    first = _features(1, entry("Heizungsgesetz: Bundestag stimmt zu", WIRE), story=10)
    index.add(first)
    index.add(_features(2, entry("Oktoberfest in München eröffnet", OTHER), story=20))
    follow = entry("Opposition will gegen Heizungsgesetz klagen",
                   "Nach dem Beschluss des Heizungsgesetzes im Bundestag prüft die Opposition eine Klage vor dem "
                   "Bundesverfassungsgericht. Bauministerin Hofmeister verteidigte das Verfahren.")
    assert index.story_for(_features(3, follow)) == 10
    # "Bundestag" alone: same word, different event
    other = entry("Bundestag ehrt Opfer des Grubenunglücks",
                  "Mit einer Schweigeminute hat der Bundestag der Bergleute gedacht, die in Sachsen verunglückt "
                  "waren. Rettungskräfte suchen weiter nach zwei Vermissten im Stollen.")
    assert index.story_for(_features(4, other)) is None
    # the same event weeks later is a new story
    late = replace(follow, published=START + timedelta(days=5))
    assert index.story_for(_features(5, late)) is None


def _features(article_id: int, item: Entry, story: int | None = None) -> Features:
    at = item.published or START
    terms = dedup.story_terms(item)
    title = dedup.story_terms(replace(item, summary="", body=""))
    return Features(article_id, at, at, title, terms | title, dedup.signature(dedup.content_words(item)), story)


def test_the_index_forgets_articles_older_than_its_horizon() -> None:
    index = StoryIndex()
    old = _features(1, entry("Bundestag beschließt Heizungsgesetz", WIRE))
    index.add(old)
    assert index.prune(START + timedelta(days=8)) == 1
    assert len(index) == 0 and index.members(1) == []


def test_band_index_proposes_exactly_the_candidates_of_datasketch_lsh() -> None:
    import random

    from datasketch import MinHash, MinHashLSH

    from monitor.dedup.bands import Bands

    words = WIRE.split() + OTHER.split() + EDITED.split()
    rng = random.Random(7)
    texts = [WIRE.split(), EDITED.split(), OTHER.split()]
    for _ in range(300):  # variants sharing more or less of one another
        base = rng.choice(texts)
        texts.append([w if rng.random() > rng.choice((0.01, 0.05, 0.3)) else rng.choice(words) for w in base])
    signatures = [dedup.signature([w.casefold() for w in text]) for text in texts]
    bands, lsh = Bands(0.4, dedup.NUM_PERM), MinHashLSH(threshold=0.4, num_perm=dedup.NUM_PERM)
    for number, signature in enumerate(signatures):
        assert signature is not None
        sketch = MinHash(num_perm=dedup.NUM_PERM, hashvalues=unpack(pack(signature)),
                         permutations=dedup._permutations(), scheme=dedup.SCHEME)
        assert bands.query(unpack(pack(signature))) == set(lsh.query(sketch))
        bands.insert(number, signature)
        lsh.insert(number, sketch)
        if number % 7 == 0:
            bands.remove(number // 2)
            lsh.remove(number // 2)
    found = [len(bands.query(s)) for s in signatures if s is not None]
    assert max(found) >= 5  # the variants do find one another
