"""Plain values that flow between the stages of the pipeline (no I/O, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TypedDict

Field = Literal["title", "summary", "body"]
FIELDS: tuple[Field, ...] = ("title", "summary", "body")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a parsed feed, text already cleaned of HTML."""

    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    body: str = ""
    published: datetime | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What ``parse.parse`` makes of a body: the feed's title, link and entries."""

    title: str
    link: str | None
    entries: tuple[Entry, ...]
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last successful fetch of a feed left for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Outcome of one fetch; expected outcomes (304, unchanged body) are values, not exceptions."""

    url: str
    status: int = 200
    body: bytes | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    permanent_url: str | None = None
    retry_after: float | None = None
    gone: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.gone


@dataclass(frozen=True, slots=True)
class Document:
    """The matchable text of one article, field by field."""

    title: str
    summary: str = ""
    body: str = ""

    def field(self, name: Field) -> str:
        return {"title": self.title, "summary": self.summary, "body": self.body}[name]


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query term: offsets point into the field's text as written."""

    term: str
    field: Field
    start: int
    end: int
    text: str


class _HitDraft:
    """Hit's slots without the frozen guard (see ``hit_of``)."""

    __slots__ = Hit.__slots__
    term: str
    field: Field
    start: int
    end: int
    text: str


def hit_of(term: str, field: Field, start: int, end: int, text: str) -> Hit:
    """``Hit(term, field, start, end, text)`` at less than half the cost (a frozen dataclass's
    ``__init__`` calls ``object.__setattr__`` per field), for the matcher's one Hit per occurrence it
    explains: a draft with Hit's very slots is filled by plain stores and then becomes a Hit (same
    layout, so Python allows the change of class); the result is an ordinary, frozen Hit."""
    hit = _HitDraft()
    hit.term, hit.field, hit.start, hit.end, hit.text = term, field, start, end, text
    hit.__class__ = Hit  # type: ignore[assignment]
    return hit  # type: ignore[return-value]


def hits_json(hits: tuple[Hit, ...]) -> list[dict[str, Any]]:
    return [{"term": h.term, "field": h.field, "start": h.start, "end": h.end, "text": h.text} for h in hits]


def match_json(match: Match, *, title: str, link: str | None, guid: str | None, published: datetime | None,
               story: int | None) -> dict[str, Any]:
    """One (article, watchlist) match in the fixed ``--json`` shape of match, backtest, search (architecture §7)."""
    return {"watchlist": match.watchlist, "title": title, "link": link, "guid": guid,
            "published": published.isoformat() if published else None, "score": match.score, "story": story,
            "hits": hits_json(match.hits)}


@dataclass(frozen=True, slots=True)
class Match:
    """A watchlist that matched a document, with the hits that explain why."""

    watchlist: str
    score: float
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    @property
    def terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for hit in self.hits:
            seen.setdefault(hit.text, None)
        return list(seen)



class _MatchDraft:
    """Match's slots without the frozen guard (see ``match_of``)."""

    __slots__ = Match.__slots__
    watchlist: str
    score: float
    hits: tuple[Hit, ...]


def match_of(watchlist: str, score: float, hits: tuple[Hit, ...]) -> Match:
    """``Match(watchlist, score, hits)`` the way ``hit_of`` makes a Hit."""
    match = _MatchDraft()
    match.watchlist, match.score, match.hits = watchlist, score, hits
    match.__class__ = Match  # type: ignore[assignment]
    return match  # type: ignore[return-value]


class AlertState(StrEnum):
    """Where an outbox alert row is: waiting to be planned, held (quiet hours, a rate limit, its digest),
    queued in a message, sent, or dead after ``delivery.max_attempts`` failed tries."""

    PENDING = "pending"
    HELD = "held"
    QUEUED = "queued"
    SENT = "sent"
    DEAD = "dead"


class MessageState(StrEnum):
    """A message (the unit of sending): pending until sent or dead; a retry stays pending."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class MessageKind(StrEnum):
    """What a message carries: one alert, a digest, a rate-limit summary, what quiet hours held, an admin report."""

    ALERT = "alert"
    DIGEST = "digest"
    SUMMARY = "summary"
    QUIET = "quiet"
    ADMIN = "admin"


class AlertKind(StrEnum):
    """Why an alert row exists. An update of an alerted article is ``update-<revision>`` (``update_kind``),
    so that each revision alerts at most once."""

    ARTICLE = "article"
    FOLLOWUP = "followup"
    TRENDING = "trending"


def update_kind(revision: int) -> str:
    return f"update-{revision}"


class HoldReason(StrEnum):
    """Why a held alert waits: quiet hours, a full rate limit, or its digest's time."""

    QUIET = "quiet"
    RATE = "rate"
    DIGEST = "digest"


class HeldReason(StrEnum):
    """Why a matching article did not alert a watchlist, or not at once (``newsmon watchlists``)."""

    DUPLICATE = "duplicate"
    STORY = "story"
    EXCLUDE = "exclude"
    MAX_AGE = "max_age"
    BACKLOG = "backlog"
    RATE = "rate"
    QUIET = "quiet"


class AlertPayload(TypedDict, total=False):
    """The JSON an alert row carries to rendering: what the message shows. Follow-ups, updates and
    trending alerts add their own keys."""

    watchlist: str
    kind: str
    title: str
    link: str | None
    source: str | None
    published: str | None
    score: float
    terms: list[str]
    hits: list[dict[str, Any]]
    snippet: str
    snippet_spans: list[list[int]]
    story: int | None
    story_title: str
    revision: int
    new_terms: list[str]
    followups: list[dict[str, Any]]
    outlets: int


class AlertRow(TypedDict, total=False):
    """An outbox alert row about to be inserted (the columns of ``alerts``)."""

    article_id: int
    watchlist: str
    target: str
    kind: str
    state: AlertState
    mode: str
    attempts: int
    next_attempt_at: datetime
    hold_reason: HoldReason | None
    payload: AlertPayload
    created_at: datetime
