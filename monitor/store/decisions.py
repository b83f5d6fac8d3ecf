"""What the dedup stage decides for each entry of a feed, and what storage knows when it decides.

``monitor.dedup.decide`` turns a feed's entries into one decision each against a ``Known``
snapshot that storage hands it (``store.known``); ``store.dedupwrites.carry_out`` writes the
decisions. The types live here, below both, because storage is what carries them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from monitor.model import Document, Entry


class Kind(StrEnum):
    """What an entry is, measured against what is stored."""

    NEW = "new"  # an article not seen before
    REPEAT = "repeat"  # a version seen before, from a feed already a source: at most missing keys are remembered
    NEW_SOURCE = "new source"  # a known text from one more feed: its keys and the source are recorded
    UPDATE = "update"  # a version not seen before under the entry's own URL or GUID: it becomes the article's text
    REVISION = "revision"  # an earlier text of an article, found by its fingerprint: recorded and made current
    NEAR_DUPLICATE = "near-duplicate"  # a lightly edited copy under another identity: a revision, the text stays


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """A stored article as the decisions need it."""

    id: int
    feed_id: int  # the feed that first stored it
    title: str
    summary: str
    body: str | None
    content_hash: str | None  # None: the article has no features row
    revision: int | None  # likewise
    story_id: int | None
    sourced: bool  # the deciding feed is already one of its sources


@dataclass(frozen=True, slots=True)
class Known:
    """What storage knows of one feed's entries before they are decided."""

    keys: Mapping[str, int]  # every identity, fingerprint and version key of the entries that is stored: its article
    articles: Mapping[int, KnownArticle]  # the articles those keys name, and the near-duplicate candidates
    article_ids: tuple[int, ...]  # ids reserved for the feed's new articles …
    story_ids: tuple[int, ...]  # … and for the stories they may start


@dataclass(frozen=True, slots=True)
class FeatureValues:
    """The ``article_features`` row of a new article."""

    title_terms: tuple[str, ...]
    text_terms: tuple[str, ...]  # story terms of the lead that are not in the title
    signature: bytes | None
    bands: tuple[int, ...]  # the signature's LSH band keys (``article_bands``)
    at: datetime  # the story clock
    seen: datetime
    content_hash: str
    story_terms: tuple[int, ...] = ()  # the terms' keys (``story_postings``, ``story_df``) …
    vector: bytes = b""  # … and packed with their title flags (``story_vectors``)


@dataclass(frozen=True, slots=True)
class New:
    """A new article, its keys, this feed as its source, its features and its story."""

    entry: Entry
    article_id: int
    keys: tuple[str, ...]
    outlet: str
    story_id: int
    starts_story: bool  # ``story_id`` is a story this article starts
    features: FeatureValues

    @property
    def kind(self) -> Kind:
        return Kind.NEW


@dataclass(frozen=True, slots=True)
class Link:
    """A known version: the keys it adds to the article and, with ``new_source``, this feed as a source."""

    kind: Kind  # REPEAT or NEW_SOURCE
    entry: Entry
    article_id: int
    keys: tuple[str, ...]
    outlet: str
    story_id: int | None
    new_source: bool


@dataclass(frozen=True, slots=True)
class Revise:
    """A version not seen before of a known article: its keys and source as ``Link``, and a revision."""

    kind: Kind  # UPDATE, REVISION or NEAR_DUPLICATE
    entry: Entry
    article_id: int
    article_feed_id: int
    keys: tuple[str, ...]
    outlet: str
    story_id: int | None
    new_source: bool
    revision: int
    previous: Document  # the article's text before this version
    content_hash: str

    @property
    def replaces_text(self) -> bool:
        """A near-duplicate is kept beside the article; any other new version becomes the article's text."""
        return self.kind is not Kind.NEAR_DUPLICATE


Decision = New | Link | Revise
