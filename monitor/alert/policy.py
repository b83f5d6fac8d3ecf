"""When a target may receive a message: quiet hours, rate limits and digest schedules (pure, no I/O).

Times of day (quiet hours, digest crontabs) are read in ``delivery.timezone`` (Europe/Berlin by
default), so "22:00-07:00" keeps meaning local night across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.units import cron_trigger

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
