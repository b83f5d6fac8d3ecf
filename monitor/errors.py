"""The one exception tree of newsmon.

Expected outcomes (a feed answering 304, an article already stored, a target that is down) are
return values or outbox states, never exceptions. Exceptions are for what a user must fix or what
stops a command::

    MonitorError                 base; the CLI turns it into a message and an exit code
    ├── ConfigError              a config or watchlist file is wrong (exit 2); names file and key
    │   └── QueryError           a query does not parse; carries the column
    ├── FetchError               a feed could not be fetched (recorded on the feed, never escapes a cycle)
    ├── ParseError               a feed body is not a feed (recorded on the feed likewise)
    ├── StoreError               the database is unreachable or its schema is not current
    │   └── DamagedDatabase      the SQLite file is damaged (not a database, malformed pages)
    ├── DeliveryError            apprise could not deliver to a target (the outbox row is retried)
    │   └── RenderError          a message template failed while rendering (retried likewise)
    └── NotFoundError            a stored article or watchlist asked for does not exist
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error newsmon raises on purpose."""

    exit_code = 1


class ConfigError(MonitorError):
    """A config or watchlist file is wrong: says which file, which key and what was expected."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        self.detail = message
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class QueryError(ConfigError):
    """A query does not parse; ``column`` is 1-based and points at the offending character."""

    def __init__(self, message: str, *, query: str, column: int) -> None:
        self.query = query
        self.column = column
        pointer = " " * (column - 1) + "^"
        super().__init__(f"{message} at column {column}\n    {query}\n    {pointer}")


class FetchError(MonitorError):
    """A feed could not be fetched; ``reason`` is short and shown in ``newsmon status``."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{url}: {reason}" if url else reason)


class ParseError(MonitorError):
    """A fetched body is not a feed newsmon can read; the message begins with "not a feed"."""


class StoreError(MonitorError):
    """The database cannot be used (unreachable, or its schema is behind: run ``newsmon db upgrade``)."""


class DamagedDatabase(StoreError):
    """The SQLite file is damaged; the message names it and says how to restore or recover it."""


class DeliveryError(MonitorError):
    """A target refused or could not take a message; the outbox row is retried with backoff."""


class RenderError(DeliveryError):
    """A message template failed while rendering (any exception inside it); ``template`` names it.
    Like a refused send, it costs the message one attempt."""

    def __init__(self, message: str, *, template: str) -> None:
        self.template = template
        super().__init__(message)


class NotFoundError(MonitorError):
    """A stored article or a watchlist asked for by name or link does not exist."""
