"""Filling a process's story index from the database: all of the horizon on first use, then what
other processes stored since the index last looked (the queries are ``store.storyrows``')."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.dedup.storyindex import HORIZON, Features, StoryIndex
from monitor.store import storyrows
from monitor.store.db import Session

RELOAD_SLACK = timedelta(minutes=10)


def load_index(session: Session, index: StoryIndex, now: datetime) -> int:
    """Add the features stored since the index last looked (all of the horizon on first use).

    Looks back ``RELOAD_SLACK`` before its last look, so articles that other daemons committed late
    (their transaction began earlier) are not missed; the ones it knows are skipped by id. A count
    comes first: when the window holds as many rows as the index does, their ids are not fetched
    (with a poll cycle of many feeds, fetching them for every feed grew with the square of the feeds)."""
    index.prune(now)
    since = now - HORIZON if index.looked is None else max(now - HORIZON, index.looked - RELOAD_SLACK)
    if index.looked is not None and storyrows.features_since(session, since) == index.seen_since(since):
        index.looked = max(index.looked, now)  # as many rows as the index holds of the window: nothing new
        return 0
    unknown = storyrows.feature_ids_since(session, since) - index.items.keys()
    for row in storyrows.feature_rows(session, unknown):
        index.add(Features(row.article_id, row.at, row.seen, row.title_terms, row.terms, None, row.story_id))
    index.looked = now if index.looked is None else max(index.looked, now)
    return len(unknown)
