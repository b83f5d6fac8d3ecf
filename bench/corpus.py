"""Benchmark input made at run time from ``../shared/realdata`` (never committed).

* ``capture_feeds``: the real German feed captures as they were served (RSS 2.0, RDF, Atom).
* ``article_pool``: real German articles (10kGNAD, fundus, feed items) as title + paragraphs.
* ``make_feed``: an RSS 2.0 feed of realistic size from pool articles: a short HTML description and
  the full text as ``content:encoded`` with links and emphasis, like Deutschlandfunk or SPIEGEL.
* ``synthetic``: any number of distinct articles, recombined from real sentences (seeded), for
  the scaling runs (a growing database, 1,000 feeds).
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
CAPTURES = ("corss-dec2024-snapshot", "news-homereader-feeds", "fast-news-reader-feeds", "sz-feed")
START = datetime(2025, 10, 21, 6, 0, tzinfo=UTC)
BASE_TERMS = ["Ukraine", "Trump", "Gipfel", "Bundesregierung", "Nato", "Selenskyj", "Tomahawk", "Pandemie",
              "Lawrow", "Budapest"]  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])")


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]
    topic: str = ""


def capture_feeds(root: Path = REALDATA) -> list[tuple[str, bytes]]:
    """(name, body) of every real German feed capture (English control feeds left out)."""
    found: list[tuple[str, bytes]] = []
    for folder in CAPTURES:
        for path in sorted((root / folder).glob("*.xml")):
            if path.name != "bbc.xml":
                found.append((f"{folder}/{path.name}", path.read_bytes()))
    return found


def full_articles(root: Path = REALDATA) -> list[Article]:
    """The real full-length German articles: 10kGNAD's test set, then the fundus articles."""
    pool: list[Article] = []
    with (root / "10kGNAD" / "test.csv").open(encoding="utf-8") as lines:
        for line in lines:
            topic, _, text = line.partition(";")
            text = text.strip().strip("'")
            sentences = _SENTENCE.split(text)
            if len(sentences) > 2:
                pool.append(Article(sentences[0], _paragraphs(sentences[1:]), topic))
    with (root / "fundus-german-articles" / "articles_flat.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            paragraphs = tuple(p.strip() for p in (item.get("text") or "").split("\n") if p.strip())
            if item.get("title") and paragraphs:
                pool.append(Article(item["title"], paragraphs, item.get("publisher") or ""))
    return pool


def article_pool(root: Path = REALDATA) -> list[Article]:
    """Every real German article of the data set, as title and paragraphs."""
    pool = full_articles(root)
    with (root / "german_feed_items.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            if row["title"] and row["summary"].strip():
                pool.append(Article(row["title"], (row["summary"].strip(),), row["file"]))
    return pool


def _paragraphs(sentences: list[str], per: int = 3) -> tuple[str, ...]:
    return tuple(" ".join(sentences[i:i + per]) for i in range(0, len(sentences), per))


def _html(paragraphs: tuple[str, ...], rng: random.Random) -> str:
    out = []
    for number, paragraph in enumerate(paragraphs):
        words = paragraph.split(" ")
        if len(words) > 8 and rng.random() < 0.5:
            at = rng.randrange(1, len(words) - 3)
            words[at] = f'<a href="/thema/{number}">{escape(words[at])}</a>'
            words[at + 1] = f"<strong>{escape(words[at + 1])}</strong>"
            body = " ".join(w if w.startswith("<") else escape(w) for w in words)
        else:
            body = escape(paragraph)
        out.append(f"<p>{body}</p>")
    return "\n".join(out)


def make_feed(articles: list[Article], site: str, seed: int, *, start: datetime = START,
              full_description: bool = False) -> bytes:
    """RSS 2.0 with ``content:encoded``, as a German outlet serves it; links unique per article.
    ``full_description``: the whole text as the description and no ``content:encoded`` (feeds that
    carry the article in the teaser field)."""
    rng = random.Random(seed)
    items = []
    for number, article in enumerate(articles):
        slug = re.sub(r"[^a-z0-9]+", "-", article.title.lower())[:60].strip("-") or "artikel"
        link = f"https://{site}/{slug}-{seed}-{number}.html"
        teaser = escape(article.paragraphs[0][:280])
        if full_description:
            teaser = escape("</p><p>".join(escape(p) for p in article.paragraphs))
        when = format_datetime(start - timedelta(minutes=7 * number))
        items.append(
            f"<item><title>{escape(article.title)}</title><link>{link}?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">{site}-{seed}-{number}</guid><pubDate>{when}</pubDate>'
            f"<description>&lt;p&gt;{teaser}&lt;/p&gt;</description>"
            + ("" if full_description else f"<content:encoded><![CDATA[{_html(article.paragraphs, rng)}]]>"
                                           "</content:encoded>")
            + f"<dc:creator>Redaktion</dc:creator><category>{escape(article.topic[:40])}</category></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{site}</title><link>https://{site}/</link><description>Nachrichten</description>"
            f"<language>de</language>{''.join(items)}</channel></rss>").encode()


def generated_feeds(pool: list[Article], count: int, per_feed: int = 50, seed: int = 1) -> list[tuple[str, bytes]]:
    """``count`` feeds of ``per_feed`` real articles each (drawn in order, wrapping around the pool)."""
    feeds = []
    for number in range(count):
        first = (number * per_feed) % max(len(pool) - per_feed, 1)
        site = f"nachrichten-{number}.example.de"
        feeds.append((site, make_feed(pool[first:first + per_feed], site, seed * 1000 + number)))
    return feeds


class Synthetic:
    """Distinct articles recombined from real sentences (seeded): as many as a scaling run needs."""

    def __init__(self, pool: list[Article], seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.titles = [a.title for a in pool]
        self.sentences = [s for a in pool for p in a.paragraphs for s in _SENTENCE.split(p) if len(s) > 40]

    def article(self) -> Article:
        pick = self.rng.sample(self.sentences, 12)
        title = f"{self.rng.choice(self.titles)} ({self.rng.randrange(10**6)})"
        return Article(title, _paragraphs(pick, 4), "synthetisch")

    def feeds(self, count: int, per_feed: int, tag: str, start: datetime = START) -> list[tuple[str, bytes]]:
        """``count`` feeds of ``per_feed`` new articles, the newest published at ``start``."""
        out = []
        for number in range(count):
            site = f"{tag}-{number}.example.de"
            seed = self.rng.randrange(10**9)
            out.append((site, make_feed([self.article() for _ in range(per_feed)], site, seed, start=start)))
        return out


def vocabulary_terms(pool: list[Article], count: int, seed: int = 3) -> list[str]:
    """``count`` watch terms: the ten usual ones, then capitalised words of the corpus (nouns and
    names) drawn at random past its 300 most frequent: many of them occur, the hard case."""
    counts: Counter[str] = Counter()
    for article in pool:
        for text in (article.title, *article.paragraphs):
            counts.update(re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b", text))
    words = [w for w, _ in counts.most_common()[300:] if w not in BASE_TERMS]
    random.Random(seed).shuffle(words)
    return (BASE_TERMS + words)[:count]
