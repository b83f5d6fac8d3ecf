"""When a target may receive a message: quiet hours, rate limits and digest schedules (pure, no I/O).

Times of day (quiet hours, digest crontabs) are read in ``delivery.timezone`` (Europe/Berlin by
default), so "22:00-07:00" keeps meaning local night across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window in local time; ``start > end`` wraps past midnight; ``start == end`` is empty."""

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> QuietHours:
        first, second = text.split("-")
        return cls(time.fromisoformat(first), time.fromisoformat(second), ZoneInfo(zone))

    def active(self, now: datetime) -> bool:
        local = now.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, now: datetime) -> datetime:
        """The first end of the window after ``now`` (UTC)."""
        local = now.astimezone(self.zone)
        candidate = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.zone)
        return candidate.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``count`` messages in any sliding window of ``window`` seconds."""

    count: int
    window: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        count, unit = text.split("/")
        return cls(int(count), _UNITS[unit])


@dataclass(frozen=True, slots=True)
class Usage:
    """How much of a target's rate limit is taken: messages sent in the window or still in flight."""

    count: int
    oldest_sent: datetime | None

    def free(self, limit: RateLimit) -> int:
        return max(limit.count - self.count, 0)

    def next_slot(self, limit: RateLimit, now: datetime) -> datetime:
        """When the next slot frees up: the oldest send in the window leaves it."""
        if self.oldest_sent is not None:
            return max(self.oldest_sent + timedelta(seconds=limit.window), now + timedelta(seconds=1))
        return now + timedelta(seconds=limit.window / max(limit.count, 1))


def next_digest(cron: str, zone: str, after: datetime) -> datetime:
    """The first time at or after ``after`` that the crontab ``cron`` (read in ``zone``) fires, in UTC."""
    fire = cron_trigger(cron, zone).get_next_fire_time(None, after)
    if fire is None:  # a crontab that never fires again (impossible for five-field crontabs)
        return after + timedelta(days=366)
    return fire.astimezone(UTC)  # type: ignore[no-any-return]


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(cron: str, zone: str) -> Any:
    """APScheduler's CronTrigger for a standard five-field crontab.

    APScheduler 3 counts weekdays from Monday = 0, crontab from Sunday = 0 (7 is Sunday too), so
    a numeric weekday field is rewritten to day names first: "1-5" means Monday to Friday.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"expected five fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday),
                       timezone=zone)


def _weekdays(field: str) -> str:
    if field == "*" or not any(ch.isdigit() for ch in field):
        return field
    days: list[int] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (_day(x) for x in span.split("-", 1))
        else:
            first = last = _day(span)
        if last < first:
            last += 7
        days.extend(d % 7 for d in range(first, last + 1, int(step) if step else 1))
    return ",".join(_DAYS[d] for d in dict.fromkeys(days))


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit():
        if int(token) > 7:
            raise ValueError(f"weekday {token} is out of range 0-7")
        return int(token) % 7
    if token[:3] in _DAYS:
        return _DAYS.index(token[:3])
    raise ValueError(f"unknown weekday {token!r}")
