"""Plain values that flow between the stages of the pipeline (no I/O, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
    """One (article, watchlist) match in the fixed ``--json`` shape of DESIGN.md §9 (match, backtest, search)."""
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

