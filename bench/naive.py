"""The naive pipeline, as a first version usually looks: feedparser with its defaults, BeautifulSoup
for the text, the link as the identity looked up article by article through the ORM, one
``re.search`` per term, and the ORM's ``add_all`` for articles and alerts.

It does less than newsmon: no URL canonicalisation, no GUID keys, no second source, no stories.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Raw, Text

_TERMS_CACHE: dict[str, re.Pattern[str]] = {}


@dataclass(slots=True)
class NaiveMatch:
    item: Text
    article_id: int
    watchlists: list[tuple[str, list[str]]]


class NaivePipeline:
    name = "naive"

    def __init__(self, db_path: Path, watchlists: dict[str, list[str]]) -> None:
        from sqlalchemy import JSON, Column, DateTime, Integer, String, create_engine
        from sqlalchemy import Text as SText
        from sqlalchemy.orm import declarative_base, sessionmaker

        Base: Any = declarative_base()

        class Article(Base):
            __tablename__ = "articles"
            id = Column(Integer, primary_key=True)
            link = Column(String(2000), unique=True)
            title = Column(SText)
            summary = Column(SText)
            body = Column(SText)
            published = Column(String(100), nullable=True)
            first_seen = Column(DateTime)

        class Alert(Base):
            __tablename__ = "alerts"
            id = Column(Integer, primary_key=True)
            article_id = Column(Integer)
            watchlist = Column(String(200))
            payload = Column(JSON)
            state = Column(String(16), default="pending")

        self.engine = create_engine(f"sqlite:///{db_path}")
        Base.metadata.create_all(self.engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.Article, self.Alert = Article, Alert
        self.watchlists = watchlists

    def parse(self, body: bytes, url: str) -> list[Raw]:
        import feedparser

        result: Any = feedparser.parse(body)
        out = []
        for entry in result.entries:
            content = entry.get("content") or []
            out.append(Raw(entry.get("title", ""), entry.get("summary", ""),
                           content[0].get("value", "") if content else "", entry.get("link"), entry.get("id"),
                           entry.get("published")))
        return out

    def clean(self, raws: list[Raw]) -> list[Text]:
        from bs4 import BeautifulSoup

        def text(html: str) -> str:
            return BeautifulSoup(html, "html.parser").get_text(" ", strip=True) if html else ""

        return [Text(text(r.title), text(r.summary), text(r.body), r.link, r.guid, r.published) for r in raws]

    def dedup(self, items: list[Text], feed_id: int) -> list[tuple[Text, str]]:
        return [(item, item.link) for item in items if item.link]

    def store(self, keyed: list[tuple[Text, str]], feed_id: int, session: Any = None) -> list[tuple[Text, int]]:
        own = session is None
        session = session or self.Session()
        new_rows = []
        seen: set[str] = set()
        for item, link in keyed:
            if link in seen or session.query(self.Article).filter_by(link=link).first() is not None:
                continue
            seen.add(link)
            new_rows.append((item, self.Article(link=link, title=item.title, summary=item.summary, body=item.body,
                                                published=item.published, first_seen=datetime.now(UTC))))
        session.add_all(row for _, row in new_rows)
        session.flush()
        if own:
            session.commit()
            session.close()
        return [(item, row.id) for item, row in new_rows]

    def match(self, stored: list[tuple[Text, int]]) -> list[NaiveMatch]:
        out = []
        for item, article_id in stored:
            text = f"{item.title}\n{item.summary}\n{item.body}"
            found = []
            for name, terms in self.watchlists.items():
                hits = [t for t in terms if _search(t, text)]
                if hits:
                    found.append((name, hits))
            if found:
                out.append(NaiveMatch(item, article_id, found))
        return out

    def outbox(self, matches: list[NaiveMatch], session: Any = None) -> int:
        own = session is None
        session = session or self.Session()
        rows = [self.Alert(article_id=m.article_id, watchlist=name, state="pending",
                           payload=json.loads(json.dumps({"title": m.item.title, "link": m.item.link, "terms": hits})))
                for m in matches for name, hits in m.watchlists]
        session.add_all(rows)
        if own:
            session.commit()
            session.close()
        return len(rows)

    def ingest(self, body: bytes, url: str, feed_id: int) -> tuple[int, int, int]:
        items = self.clean(self.parse(body, url))
        with self.Session() as session:
            stored = self.store(self.dedup(items, feed_id), feed_id, session)
            alerts = self.outbox(self.match(stored), session)
            session.commit()
        return len(items), len(stored), alerts

    def close(self) -> None:
        self.engine.dispose()


def _search(term: str, text: str) -> bool:
    return re.search(r"\b" + re.escape(term) + r"\b", text, re.IGNORECASE) is not None
