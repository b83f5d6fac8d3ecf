"""Taking a feed's story snapshot from the database (``storysnapshot.Stored``; the queries are
``store.storyterms``'): two rounds of a few queries per feed, whatever the number of stored articles.

1. The frequencies of the terms of the entries that may be new, the horizon's article count, and the
   postings of the rarer terms in the buckets that the entries' windows touch.
2. The candidates, as each entry would find them if every entry before it were new (they raise the
   frequencies); the vectors of the candidates' stories, every article of them; their terms' frequencies.

``more`` fetches what a decision found missing (an entry that was not new after all changed them).
``refresh`` fills a process's ``LocalIndex`` (SQLite) with the rows stored since it last looked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from monitor.dedup.localindex import RELOAD_SLACK, LocalIndex
from monitor.dedup.storyindex import HORIZON, Features
from monitor.dedup.storysnapshot import SnapshotIndex, Stored, term_key, window_buckets
from monitor.dedup.termvectors import micros
from monitor.store import storyterms
from monitor.store.db import Session
from monitor.store.storyterms import ARTICLES, unpack_vector


def load(session: Session, fresh: Sequence[Features], since: datetime) -> Stored:
    """The snapshot for the feed's entries none of whose keys is stored (``fresh``, in the feed's order);
    ``since``: the horizon, articles first seen before it are no candidates."""
    keys = {term_key(term) for item in fresh for term in item.terms}
    df = storyterms.frequencies(session, keys | {ARTICLES})
    stored = Stored(df.pop(ARTICLES, 0), df)
    if not keys:
        return stored
    limit = stored.limit(len(fresh))  # the most that the feed's new articles can raise the limit to
    rare = [key for key in keys if 0 < df.get(key, 0) <= limit]
    ats = [micros(item.at) for item in fresh]
    stored.postings = storyterms.postings(session, rare, window_buckets(min(ats))[0], window_buckets(max(ats))[-1],
                                          since)
    ahead = SnapshotIndex(stored)
    wanted: set[int] = set()
    for item in fresh:
        wanted.update(ahead.candidates(item))
        ahead.count_in(item)
    more(session, stored, wanted)
    return stored


def refresh(session: Session, index: LocalIndex, now: datetime) -> int:
    """Add the articles stored since the index last looked (all of the horizon on first use); how many.

    Looks back ``RELOAD_SLACK`` before its last look, so articles that other processes committed late
    are not missed; the ones it holds are skipped by id. A count comes first: when the window holds as
    many rows as the index does, their ids are not fetched."""
    index.prune(now)
    since = now - HORIZON if index.looked is None else max(now - HORIZON, index.looked - RELOAD_SLACK)
    if index.looked is not None and storyterms.vectors_since(session, since) == index.seen_since(since):
        index.looked = max(index.looked, now)
        return 0
    unknown = storyterms.vector_ids_since(session, since) - index.seen.keys()
    for row in storyterms.vector_rows(session, unknown):
        index.add_stored(*row)
    index.looked = now if index.looked is None else max(index.looked, now)
    return len(unknown)


def more(session: Session, stored: Stored, article_ids: Iterable[int]) -> None:
    """Add the vectors of these articles' stories, every article of them, and their terms' frequencies."""
    wanted = set(article_ids)
    vectors, members = storyterms.story_vectors(session, wanted)
    stored.absent.update(wanted - vectors.keys())
    stored.vectors.update(vectors)
    stored.stories.update(members)
    known = stored.df
    keys = {key for _story, _at, data in vectors.values() for key in unpack_vector(data)[0].tolist()
            if key not in known}
    known.update(storyterms.frequencies(session, keys))
