"""The delivery run (``deliver_due``) and its two steps: plan alerts into messages, send messages.

Planning is one transaction per run and sends nothing. Sending leases a batch of messages, then
for each: read it, send it through apprise, commit the outcome. A process killed after the send
and before the commit leaves the message leased; when the lease runs out it is sent again: at
most that one message twice, never a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from monitor.alert.admin import check_feeds
from monitor.alert.deliver import Notifier
from monitor.alert.plan import DueAlert, plan_target
from monitor.alert.policy import QuietHours, RateLimit, Usage, next_digest
from monitor.alert.render import Renderer, renderer_for
from monitor.config import Settings
from monitor.errors import DeliveryError
from monitor.model import HoldReason, MessageKind, MessageState
from monitor.store import delivery, leases
from monitor.store.db import Database
from monitor.store.delivery import MessageJob
from monitor.store.leases import owner_id
from monitor.store.retry import retrying

log = logging.getLogger(__name__)



@dataclass
class DeliveryReport:
    """Messages sent, to retry and dead in one delivery run, and admin alerts queued."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    held: int = 0
    admin: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(db: Database, notifier: Notifier, settings: Settings, clock: Callable[[], datetime],
                *, owner: str | None = None, stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Plan due alerts into messages, check feed health, then send every due message once.

    ``stop`` is asked between messages: when it is true the leases of the messages not yet sent are
    given back (another daemon, or the next run, sends them at once) and the run ends."""
    report = DeliveryReport()
    report.held = retrying(partial(plan_due, db, settings, clock()), what="plan alerts")
    if settings.monitor.admin is not None:
        feeds = [feed.name for feed in settings.feeds]
        report.admin = retrying(partial(check_feeds, db, settings.monitor.admin, feeds, clock()),
                                what="check feed health")
    renderer = renderer_for(tuple(sorted(settings.templates.items())), settings.monitor.delivery.timezone)
    send_due(db, notifier, renderer, settings, clock, owner or owner_id(), report, stop)
    return report


def plan_due(db: Database, settings: Settings, now: datetime) -> int:
    """Turn due alerts into messages or holds; returns how many alerts were held for quiet hours or a
    rate limit (digest alerts waiting for their digest are not counted)."""
    targets = settings.monitor.targets
    urgent = {w.name for w in settings.watchlists if w.urgent}
    zone = settings.monitor.delivery.timezone
    digests = {name: partial(next_digest, digest.cron, zone) for name, digest in settings.monitor.digests.items()}
    waiting = 0
    with db.session() as session:
        leases.serialize(session, "plan-alerts")  # daemons sharing PostgreSQL plan one at a time: rate limits hold
        for target, alerts in delivery.plannable_by_target(session, now).items():
            config = targets.get(target)
            quiet = QuietHours.parse(config.quiet_hours, zone) if config and config.quiet_hours else None
            rate = RateLimit.parse(config.rate_limit) if config and config.rate_limit else None
            usage = Usage(*delivery.usage(session, target, now, rate.window)) if rate else None
            due = [DueAlert(a.id, a.mode, a.watchlist in urgent, a.hold_reason, a.created_at) for a in alerts]
            plan = plan_target(due, now, digests=digests, quiet=quiet, rate=rate, usage=usage)
            rows = {a.id: a for a in alerts}
            delivery.create_messages(session, target, [(p.kind, [rows[i] for i in p.alerts], p.digest)
                                                       for p in plan.messages], now)
            for ids, until, reason in plan.holds:
                delivery.hold([rows[i] for i in ids], until, reason, now)
                waiting += len(ids) if reason != HoldReason.DIGEST else 0
                if reason != HoldReason.DIGEST:
                    log.info("%d alerts held (%s) until %s", len(ids), reason, until.isoformat(),
                             extra={"target": target})
    return waiting


def send_due(db: Database, notifier: Notifier, renderer: Renderer, settings: Settings,
             clock: Callable[[], datetime], owner: str, report: DeliveryReport,
             stop: Callable[[], bool] = lambda: False) -> None:
    """Send every due message once; record sent, a retry time, or dead. Between messages ``stop``
    is asked; when true the remaining leases are released and sending ends."""
    batch, lease = settings.monitor.delivery.batch, timedelta(seconds=settings.monitor.lease)
    while True:
        claimed = retrying(partial(_claim, db, clock(), owner, lease, batch), what="claim messages")
        if not claimed:
            return
        for index, message_id in enumerate(claimed):
            if stop():
                rest = claimed[index:]
                retrying(partial(_release, db, rest, owner), what="release messages")
                log.info("stopping: %d messages left for the next run", len(rest))
                return
            _send_one(db, notifier, renderer, settings, message_id, clock, owner, report)


def _claim(db: Database, now: datetime, owner: str, lease: timedelta, batch: int) -> list[int]:
    with db.session() as session:
        return delivery.claim_messages(session, now, owner, lease, batch)


def _release(db: Database, message_ids: list[int], owner: str) -> int:
    with db.session() as session:
        return delivery.release_messages(session, message_ids, owner)


def _job(db: Database, message_id: int, owner: str, now: datetime) -> MessageJob | None:
    with db.session() as session:
        return delivery.message_job(session, message_id, owner, now)


def _finish(db: Database, message_id: int, now: datetime, error: str | None, retry_at: datetime | None,
            owner: str) -> str:
    with db.session() as session:
        return delivery.finish_message(session, message_id, now, error=error, retry_at=retry_at, owner=owner)


def _send_one(db: Database, notifier: Notifier, renderer: Renderer, settings: Settings, message_id: int,
              clock: Callable[[], datetime], owner: str, report: DeliveryReport) -> None:
    job = retrying(partial(_job, db, message_id, owner, clock()), what="read message")
    if job is None:
        return  # the lease ran out while earlier messages were sent; another daemon may have it now
    error: str | None = None
    try:
        title, body = render(job, renderer, settings, notifier.format_of(job.target))
        notifier.send(job.target, title, body)
    except DeliveryError as err:
        error = str(err)
    except Exception as err:  # a payload or plugin fault is this message's failed attempt
        log.exception("unexpected error while sending a message", extra={"target": job.target})
        error = f"{err.__class__.__name__}: {err}"
    cfg = settings.monitor.delivery
    retry_at = None
    if error is not None and job.attempts + 1 < cfg.max_attempts:
        retry_at = clock() + timedelta(seconds=cfg.backoff * 2**job.attempts)
    state = retrying(partial(_finish, db, message_id, clock(), error, retry_at, owner), what="record delivery")
    extra = {"alert": ",".join(str(a["id"]) for a in job.alerts) or None, "target": job.target,
             "watchlist": ",".join(sorted({str(a.get("watchlist")) for a in job.alerts})) or None}
    if state == MessageState.SENT:
        report.sent += 1
        log.info("%s message sent (%d alerts)", job.kind, len(job.alerts), extra=extra)
    elif state == MessageState.DEAD:
        report.dead += 1
        report.errors.append(f"{job.target}: {error}")
        log.error("%s message dead after %d attempts: %s", job.kind, job.attempts + 1, error, extra=extra)
    else:
        report.retried += 1
        report.errors.append(f"{job.target}: {error}")
        log.warning("%s message failed, retry at %s: %s", job.kind, retry_at, error, extra=extra)


def render(job: MessageJob, renderer: Renderer, settings: Settings, fmt: str) -> tuple[str, str]:
    """(title, body) of a message by its kind."""
    if job.kind == MessageKind.ADMIN:
        return renderer.admin(job.payload or {}, fmt)
    if job.kind == MessageKind.ALERT and len(job.alerts) == 1:
        return renderer.alert(job.alerts[0], fmt)
    if not job.alerts:
        raise DeliveryError(f"message {job.id} has no alerts left")
    heading, reason = None, None
    if job.kind == MessageKind.DIGEST:
        digest = settings.monitor.digests.get(job.digest or "")
        heading = (digest.title if digest else None) or f"Digest {job.digest}"
    target = settings.monitor.targets.get(job.target)
    if job.kind == MessageKind.SUMMARY and target is not None:
        reason = target.rate_limit
    elif job.kind == MessageKind.QUIET and target is not None:
        reason = target.quiet_hours
    return renderer.batch(job.kind, list(job.alerts), fmt, heading=heading, reason=reason)
