"""Polling as one of several daemons: claim a batch of due feeds, poll them, release, repeat.

The same loop serves ``run --once`` (until nothing is due), the daemon's poll job (every tick), one
process or many on one or several machines: the database hands out the work (``store.leases``).
Each database step is retried when the connection drops (``store.retry``); a fetch is never
repeated for that, the body in memory is stored on the next try.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial

from monitor.errors import StoreError
from monitor.model import FetchResult
from monitor.pipeline import PollContext, PollOutcome, ingest, record_failure
from monitor.store import leases
from monitor.store.leases import owner_id
from monitor.store.repo import FeedState
from monitor.store.retry import retrying

log = logging.getLogger(__name__)

CLAIM_BATCH = 20  # feeds leased at a time: small enough to share well, large enough to fetch in parallel


def poll_due(ctx: PollContext, *, owner: str | None = None, batch: int = CLAIM_BATCH,
             stop: Callable[[], bool] = lambda: False,
             after_batch: Callable[[list[PollOutcome]], None] | None = None) -> list[PollOutcome]:
    """Poll every due feed this process can claim, batch by batch; at most one round over the feeds.

    ``stop`` is asked between batches; ``after_batch`` hears each batch's outcomes (the daemon
    wakes its delivery job with it).
    """
    owner = owner or owner_id()
    names = [feed.name for feed in ctx.settings.feeds]
    lease = timedelta(seconds=ctx.settings.monitor.lease)
    outcomes: list[PollOutcome] = []
    while len(outcomes) < len(names) and not stop():
        claimed = retrying(partial(_claim, ctx, names, owner, lease, batch), what="claim feeds")
        if not claimed:
            break
        ids = [feed.id for feed in claimed]
        try:
            polled = poll_claimed(ctx, claimed, owner)
        except BaseException:
            _release_quietly(ctx, ids, owner)
            raise
        retrying(partial(_release, ctx, ids, owner), what="release feeds")
        outcomes.extend(polled)
        if after_batch is not None:
            after_batch(polled)
    return outcomes


def poll_claimed(ctx: PollContext, feeds: Sequence[FeedState], owner: str | None = None) -> list[PollOutcome]:
    """Fetch the leased feeds concurrently; store each as it arrives, retrying the store step.

    A batch that runs into a third of the lease renews the leases of the feeds still to come, so a
    slow batch that makes progress keeps them and only a dead or hung daemon loses them.
    """
    owner = owner or owner_id()
    lease = ctx.settings.monitor.lease
    by_id = {feed.id: feed for feed in feeds}
    pending = set(by_id)
    renewed = time.monotonic()
    jobs = [(feed.id, feed.url, feed.validators) for feed in feeds]
    outcomes: list[PollOutcome] = []
    guarded = {feed.id for feed in feeds if ctx.guarded(feed.name)}
    from monitor.feeds.fetcher import fetch_all  # here: a ``run --once`` with nothing due never needs HTTP

    for feed_id, result in fetch_all(jobs, ctx.settings.monitor.http, guarded=guarded):
        outcomes.append(_store(ctx, by_id[feed_id], result))
        pending.discard(feed_id)
        if pending and time.monotonic() - renewed > lease / 3:
            retrying(partial(_renew, ctx, sorted(pending), owner, lease), what="renew feed leases")
            renewed = time.monotonic()
    return outcomes


def _store(ctx: PollContext, feed: FeedState, result: FetchResult) -> PollOutcome:
    """Store one fetched feed; an error only this feed's data causes is that feed's ``last_error``.

    Its transaction was rolled back, so nothing of it is half stored; the database being down or
    damaged (``StoreError``) is not the feed's fault and ends the round as before.
    """
    try:
        return retrying(partial(ingest, ctx, feed, result), what=f"store {feed.name}")
    except StoreError:
        raise
    except Exception as err:  # one feed's data must never cost the other feeds their poll
        reason = " ".join(str(getattr(err, "orig", None) or err).split())
        error = f"store failed: {type(getattr(err, 'orig', None) or err).__name__}: {reason}"[:300]
        log.error("%s", error, exc_info=True, extra={"feed": feed.name, "url": feed.url})
        return retrying(partial(record_failure, ctx, feed, result, error), what=f"record {feed.name}")


def claim_one(ctx: PollContext, name: str, owner: str | None = None) -> FeedState | None:
    """Lease one named feed if it is due and free (for a poll of a single feed)."""
    lease = timedelta(seconds=ctx.settings.monitor.lease)
    claimed = retrying(partial(_claim, ctx, [name], owner or owner_id(), lease, 1), what="claim feed")
    return claimed[0] if claimed else None


def release(ctx: PollContext, feed_ids: Sequence[int], owner: str | None = None) -> None:
    retrying(partial(_release, ctx, feed_ids, owner or owner_id()), what="release feeds")


def _claim(ctx: PollContext, names: Sequence[str], owner: str, lease: timedelta, batch: int) -> list[FeedState]:
    with ctx.db.session() as session:
        return leases.claim_due_feeds(session, names, ctx.clock(), owner, lease, batch)


def _renew(ctx: PollContext, feed_ids: Sequence[int], owner: str, lease: float) -> None:
    with ctx.db.session() as session:
        leases.renew_feeds(session, feed_ids, owner, ctx.clock() + timedelta(seconds=lease))


def _release(ctx: PollContext, feed_ids: Sequence[int], owner: str) -> None:
    with ctx.db.session() as session:
        leases.release_feeds(session, feed_ids, owner)


def _release_quietly(ctx: PollContext, feed_ids: Sequence[int], owner: str) -> None:
    try:
        _release(ctx, feed_ids, owner)
    except Exception as err:  # the leases expire on their own
        log.warning("could not release %d feed leases (%s); they expire", len(feed_ids), err.__class__.__name__)
