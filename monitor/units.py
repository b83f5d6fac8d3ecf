"""Durations (``30s``, ``5m``, ``2h``, ``30d``), sizes (``512KB``, ``10MB``) and crontab schedules as written
in config."""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KIB|MB|MIB|GB|GIB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "B": 1,
    "KB": 1000,
    "KIB": 1024,
    "MB": 1000**2,
    "MIB": 1024**2,
    "GB": 1000**3,
    "GIB": 1024**3,
}


def parse_duration(value: object) -> float:
    """Seconds in a duration: a number is seconds, a string carries a unit (``90s``, ``5m``)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 5m, 2h or 30d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        found = _DURATION.match(str(value))
        if not found:
            raise ValueError(f"expected a duration such as 30s, 5m, 2h or 30d, got {value!r}")
        seconds = float(found.group(1)) * _DURATION_UNITS[found.group(2) or "s"]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def parse_size(value: object) -> int:
    """Bytes in a size: a number is bytes, a string carries a unit (``512KB``, ``10MB``)."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 512KB or 10MB")
    if isinstance(value, int):
        return value
    found = _SIZE.match(str(value))
    if not found:
        raise ValueError(f"expected a size such as 512KB or 10MB, got {value!r}")
    return int(float(found.group(1)) * _SIZE_UNITS[(found.group(2) or "B").upper()])


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration, for messages."""
    for unit in ("d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


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
