"""When to poll a feed next: interval with jitter, exponential backoff on failures, Retry-After.

Pure (clock and random source are passed in), so the schedule is tested without waiting.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.model import FetchResult

JITTER = 0.1  # each poll lands up to ±10 % of the interval away, so feeds don't fire together
MAX_BACKOFF = 6 * 3600.0  # a failing feed is still tried every 6 hours (or its interval if longer)
MAX_RETRY_AFTER = 7 * 86400.0  # a server cannot park a feed for more than a week


def next_poll(now: datetime, interval: float, result: FetchResult | None, failures: int,
              rng: random.Random) -> datetime:
    """The earliest time to poll again.

    ``failures`` counts consecutive failed polls including ``result``. Backoff doubles the interval
    per failure up to ``MAX_BACKOFF``; a ``Retry-After`` (429/503) is a floor that jitter never undercuts.
    """
    interval = max(interval, 0.0)
    delay = interval
    if failures > 0:
        cap = max(MAX_BACKOFF, interval)
        delay = min(interval * 2.0 ** min(failures, 32), cap)
    delay *= 1.0 + rng.uniform(-JITTER, JITTER)
    if result is not None and result.retry_after is not None:
        floor = min(max(result.retry_after, 0.0), MAX_RETRY_AFTER)
        delay = max(delay, floor * (1.0 + rng.uniform(0.0, JITTER)))
    return now + timedelta(seconds=delay)
