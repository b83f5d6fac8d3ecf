"""Durations (``30s``, ``5m``, ``2h``, ``30d``) and sizes (``512KB``, ``10MB``) as written in config."""

from __future__ import annotations

import re

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
