"""The dedup stage: decide for each parsed entry whether it is a new article, a repeat, or a new
version of a known one, and which story it belongs to; then have storage write the decisions
(docs/architecture.md §4).

For one feed: the entries are prepared (keys, version, words, content hash), storage is asked what
it knows of them (``store.known.snapshot``: the stored keys, the articles they name and the
near-duplicate candidates that share a band key, ids for the new articles), ``dedup.decide`` decides
every entry, and ``store.dedupwrites.carry_out`` writes the decisions, a table at a time. When a
concurrent writer stored one of the keys first, nothing of the feed is written and the feed is
decided again on what is stored now.

Near-duplicate band keys (``dedup/nearindex.py``) and the story postings, vectors and term
frequencies (``dedup/storysnapshot.py``) are rows. On PostgreSQL they are read per feed, so a
restart loads nothing and daemons on one database share them; on SQLite the process keeps the
story state in a compact ``LocalIndex`` filled from the rows, dropped when a transaction fails
(it is filled again on the next use). The stage runs under the ``Deduplicator``'s lock. Only new
articles and revisions flow on to matching, and known texts that a story counts at one more outlet
(its trending may change).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from monitor.dedup import features as dedup
from monitor.dedup import storyload
from monitor.dedup.decide import NEAR_CHECKS, Prepared, decide, prepare
from monitor.dedup.localindex import LocalIndex
from monitor.dedup.nearindex import band_keys, ranked
from monitor.dedup.storyindex import HORIZON, features, unpack
from monitor.dedup.storysnapshot import SnapshotIndex
from monitor.errors import StoreError
from monitor.store import bandrows, storyterms
from monitor.store.batch import known_keys
from monitor.store.db import Session
from monitor.store.decisions import Decision, Known
from monitor.store.dedupwrites import carry_out
from monitor.store.known import snapshot
from monitor.store.repo import Candidate, FeedState, StoredArticle

OUTLET_CHARS = 200  # the width of the outlet columns (``article_sources``, ``story_outlets``)
ATTEMPTS = 5  # decisions of one feed made again after concurrent writers won a key, before giving up


def outlet_of(link: str | None, feed_name: str) -> str:
    """The outlet behind a link: its host without ``www.``; the feed's name when there is no link."""
    host = (urlsplit(link).hostname or "") if link else ""
    host = host.removeprefix("www.")
    return (host or feed_name)[:OUTLET_CHARS]


class Deduplicator:
    """The dedup stage of one process: one feed at a time (its lock); between feeds it keeps only SQLite's
    story index."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.local: LocalIndex | None = None  # SQLite's story state, kept in the process

    @contextmanager
    def stage(self) -> Iterator[Deduplicator]:
        with self.lock:
            try:
                yield self
            except BaseException:
                self.local = None  # it may hold rows that were rolled back
                raise

    def store(self, session: Session, feed: FeedState, candidates: Iterable[Candidate],
              now: datetime) -> list[StoredArticle]:
        """New articles and new versions of known ones; repeats only gain a source."""
        items = [prepare(c.entry, c.keys, outlet_of(c.entry.link, feed.name)) for c in candidates if c.keys]
        for _attempt in range(ATTEMPTS):
            known = self._known(session, feed, items, now)
            stored = carry_out(session, feed.id, now, self._decide(session, items, known, feed.id, now))
            if stored is not None:
                return stored
            self.local = None  # it holds the articles that were rolled back
        raise StoreError(f"feed {feed.name!r}: other writers kept storing its entries first; tried {ATTEMPTS} times")

    def _decide(self, session: Session, items: list[Prepared], known: Known, feed_id: int,
                now: datetime) -> list[Decision]:
        """The feed's decisions on the process's index (SQLite) or on the feed's story snapshot, decided
        again with what a decision found missing."""
        if storyterms.kept_in_process(session):
            if self.local is None:
                self.local = LocalIndex()
            storyload.refresh(session, self.local, now)
            return decide(items, known, self.local, feed_id, now)
        fresh = [features(0, item.entry, now) for item in items
                 if not any(key in known.keys for key in (item.version, *item.keys))]
        stored = storyload.load(session, fresh, now - HORIZON)
        while True:
            index = SnapshotIndex(stored)
            decisions = decide(items, known, index, feed_id, now)
            if not index.missing:
                return decisions
            storyload.more(session, stored, index.missing)

    def _known(self, session: Session, feed: FeedState, items: list[Prepared], now: datetime) -> Known:
        """The snapshot of the feed's entries. Entries none of whose keys is stored get their signatures,
        band keys and the stored articles sharing a band (kept in ``items``), and bring the texts of
        their most similar candidates into the snapshot."""
        keys = known_keys(session, (key for item in items for key in (*item.keys, item.version)))
        unknown = [n for n, item in enumerate(items) if not any(key in keys for key in (item.version, *item.keys))]
        for n in unknown:
            signature = dedup.signature(items[n].tokens)
            items[n] = replace(items[n], signature=signature, bands=band_keys(signature))
        sharing = bandrows.sharing(session, {key for n in unknown for key in items[n].bands}, now - HORIZON)
        stored = {article_id: unpack(data) for article_id, data in
                  bandrows.signatures(session, {a for found in sharing.values() for a in found}).items()}
        candidates: set[int] = set()
        for n in unknown:
            item = items[n]
            if item.signature is None:
                continue
            found = {article_id for key in item.bands for article_id in sharing.get(key, ())}
            near = sorted(ranked(item.signature, ((a, s) for a in found if (s := stored.get(a)) is not None)),
                          reverse=True)[:NEAR_CHECKS]
            items[n] = replace(item, near=tuple(near))
            candidates.update(article_id for _similarity, article_id in near)
        return snapshot(session, feed.id, keys, candidates, len(unknown))
