"""Retry a database step when the connection is lost, the server restarts, or a deadlock is broken.

Every step given to ``retrying`` is one or more whole transactions that are safe to run again: a
transaction either committed or left nothing behind, and the unique keys decide what is new, so a
step that committed just before the error finds its work done on the second run. The pool's
pre-ping replaces dead connections at checkout; this covers the connection that dies in the middle
of a step. After the last try the error becomes a ``StoreError`` (the daemon logs it and tries
again at its next tick; ``run --once`` exits 1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from monitor.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 8
FIRST_DELAY = 0.25
MAX_DELAY = 8.0  # 0.25 + 0.5 + … + 8 + 8: about 25 s, enough for a PostgreSQL restart


def transient(err: BaseException) -> bool:
    """A connection-level or concurrency failure that a new transaction can overcome."""
    if isinstance(err, OperationalError):  # lost connection, admin shutdown, deadlock, serialization
        return True
    return isinstance(err, DBAPIError) and bool(err.connection_invalidated)


def retrying(step: Callable[[], T], *, what: str, attempts: int = ATTEMPTS, first_delay: float = FIRST_DELAY,
             sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``step``; on a transient database error wait (doubling) and run it again."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except DBAPIError as err:
            if not transient(err):
                raise
            reason = str(err.orig or err).strip().splitlines()[0][:200]
            if attempt == attempts:
                raise StoreError(f"{what}: database unavailable after {attempts} tries: {reason}") from err
            log.warning("%s: database error (%s), try %d of %d in %.2fs", what, reason, attempt + 1, attempts,
                        delay)
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
    raise AssertionError("unreachable")
