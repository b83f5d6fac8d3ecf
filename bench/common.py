"""What the three pipelines share: plain records between stages, timing, peak memory, the machine."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Raw:
    """An entry as the parser gives it: fields still HTML."""

    title: str
    summary: str
    body: str
    link: str | None
    guid: str | None
    published: Any


@dataclass(frozen=True, slots=True)
class Text:
    """An entry with plain-text fields."""

    title: str
    summary: str
    body: str
    link: str | None
    guid: str | None
    published: Any


def median_time(run: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    """Median CPU time (of this process) of ``repeat`` calls of ``run`` (``setup`` before each, not timed).
    CPU time rather than wall time: the benchmark machine is shared, and every stage here is CPU-bound."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """Peak resident set size (VmHWM) of this process since the last ``reset_peak``, in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (f"{cpu}, {os.cpu_count()} cores (shared), {memory:.0f} GB RAM, {platform.system()} "
            f"{platform.release().split('-')[0]}, Python {sys.version.split()[0]}")


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("feedparser", "fastfeedparser", "lxml", "beautifulsoup4", "selectolax", "pyahocorasick",
                 "SQLAlchemy", "datasketch", "httpx"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found
