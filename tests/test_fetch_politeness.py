"""next_poll: jitter, exponential backoff, Retry-After (pure, injected clock and random source)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from monitor.feeds.schedule import MAX_BACKOFF, next_poll
from monitor.model import FetchResult

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
OK = FetchResult(url="https://example.org/feed")


def seconds(when: datetime) -> float:
    return (when - NOW).total_seconds()


def test_healthy_feed_polls_about_every_interval_with_spread() -> None:
    rng = random.Random(1)
    delays = [seconds(next_poll(NOW, 300, OK, 0, rng)) for _ in range(200)]
    assert all(270 <= d <= 330 for d in delays)
    assert max(delays) - min(delays) > 30  # feeds added together drift apart


def test_failures_back_off_exponentially_up_to_a_cap() -> None:
    rng = random.Random(2)
    failed = FetchResult(url="u", status=500, error="HTTP 500")
    delays = [seconds(next_poll(NOW, 60, failed, n, rng)) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        assert 60 * 2**n * 0.9 <= delay <= 60 * 2**n * 1.1
    capped = seconds(next_poll(NOW, 60, failed, 40, rng))
    assert MAX_BACKOFF * 0.9 <= capped <= MAX_BACKOFF * 1.1


def test_429_with_retry_after_is_not_asked_again_within_the_hour() -> None:
    limited = FetchResult(url="u", status=429, retry_after=3600, error="HTTP 429")
    for seed in range(50):
        when = next_poll(NOW, 60, limited, 1, random.Random(seed))
        assert when >= NOW + timedelta(seconds=3600)


def test_long_interval_is_never_shortened_by_backoff_cap() -> None:
    failed = FetchResult(url="u", status=500, error="HTTP 500")
    when = next_poll(NOW, 86400, failed, 3, random.Random(3))
    assert seconds(when) >= 86400 * 0.9
