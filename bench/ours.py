"""newsmon itself, stage by stage and whole (``monitor.pipeline.ingest``), on a real config and database.

The stage calls are the ones ``ingest`` makes; the parse row runs ``monitor.feeds.parse.reader.parse`` with the
HTML-to-text step switched off so that cleaning is measured in its own row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.common import Raw, Text

NOW = datetime(2025, 10, 21, 8, 0, tzinfo=UTC)


def write_config(folder: Path, watchlists: dict[str, list[str]], feeds: int, *, feed_url: str = "http://127.0.0.1:9/f{n}.xml",
                 hook: str = "json://127.0.0.1:9/hook", interval: str = "5m") -> Path:
    """A newsmon config folder: SQLite in ``folder``, ``feeds`` feeds (``{n}`` in the URL numbers them), one
    OR-watchlist per entry of ``watchlists``."""
    (folder / "watchlists").mkdir(parents=True, exist_ok=True)
    lists = [{"name": name, "query": " OR ".join(terms), "notify": ["hook"]} for name, terms in watchlists.items()]
    (folder / "watchlists" / "bench.yaml").write_text(yaml.safe_dump({"watchlists": lists}, allow_unicode=True),
                                                      "utf-8")
    config = {
        "database": f"sqlite:///{folder / 'newsmon.db'}",
        "feeds": [{"name": f"feed-{n}", "url": feed_url.format(n=n), "interval": interval} for n in range(feeds)],
        "targets": {"hook": hook},
    }
    path = folder / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), "utf-8")
    return path


@dataclass(slots=True)
class Stored:
    article: Any


class OursPipeline:
    name = "newsmon"

    def __init__(self, folder: Path, watchlists: dict[str, list[str]], feeds: int,
                 clock: Callable[[], datetime] = lambda: NOW) -> None:
        from monitor.match import compile_matcher
        from monitor.pipeline import PollContext
        from monitor.settings import load
        from monitor.store import repo
        from monitor.store.db import open_database

        self.settings = load(write_config(folder, watchlists, feeds))
        self.db = open_database(self.settings.database_url, upgrade=True)
        self.matcher = compile_matcher(self.settings.watchlists, self.settings.entities)
        self.ctx = PollContext(self.settings, self.db, self.matcher, clock)
        with self.db.session() as session:
            repo.sync_feeds(session, self.settings.feeds, NOW)
        with self.db.session() as session:
            self.states = [repo.feed_state(session, f"feed-{n}") for n in range(feeds)]

    # --- stages -------------------------------------------------------------------------------------
    def parse(self, body: bytes, url: str) -> list[Raw]:
        import monitor.feeds.parse.reader

        with _no_cleaning(monitor.feeds.parse.reader):
            parsed = monitor.feeds.parse.reader.parse(body, url)
        return [Raw(e.title, e.summary, e.body, e.link, e.guid, e.published) for e in parsed.entries]

    def clean(self, raws: list[Raw]) -> list[Text]:
        from monitor.feeds.parse.html import html_to_text

        return [Text(html_to_text(r.title), html_to_text(r.summary), html_to_text(r.body), r.link, r.guid,
                     r.published) for r in raws]

    def dedup(self, items: list[Text], feed_id: int) -> list[Any]:
        from monitor.dedup.features import identity_keys
        from monitor.model import Entry
        from monitor.store.repo import Candidate

        entries = [Entry(title=i.title, link=i.link, guid=i.guid, summary=i.summary, body=i.body,
                         published=i.published) for i in items]
        return [Candidate(entry, identity_keys(entry, feed_id)) for entry in entries]

    def store(self, candidates: list[Any], feed_id: int) -> list[Any]:
        """The dedup stage as ``ingest`` runs it: keys, fingerprints, MinHash near-duplicates, stories."""
        dedup = self.ctx.dedup
        with dedup.stage(), self.db.session() as session:
            return list(dedup.store(session, self.states[feed_id], candidates, NOW))

    def match(self, stored: list[Any]) -> list[tuple[Any, list[Any]]]:
        return [(article, found) for article in stored
                if not article.repeat and (found := self.matcher.match(article.document))]

    def outbox(self, matched: list[tuple[Any, list[Any]]]) -> int:
        from monitor.alert import storyalerts as stories
        from monitor.alert.outbox import alert_rows
        from monitor.store import repo

        with self.db.session() as session:
            return sum(repo.add_alerts(session, stories.decide(session, article, found, [],
                                                               alert_rows(article, "feed", found, self.settings, NOW),
                                                               self.settings, NOW))
                       for article, found in matched)

    # --- whole --------------------------------------------------------------------------------------
    def ingest(self, body: bytes, url: str, feed_id: int) -> tuple[int, int, int]:
        from monitor.model import FetchResult
        from monitor.pipeline import ingest

        outcome = ingest(self.ctx, self.states[feed_id], FetchResult(url=url, body=body))
        return -1, outcome.new_articles, outcome.alerts

    def _id(self, feed_id: int) -> int:
        return int(self.states[feed_id].id)

    def close(self) -> None:
        self.db.dispose()


@contextmanager
def _no_cleaning(module: Any) -> Iterator[None]:
    saved = module.html_to_text
    module.html_to_text = lambda value: value
    try:
        yield
    finally:
        module.html_to_text = saved
