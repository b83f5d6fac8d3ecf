"""The config models: ``monitor.yaml`` and watchlist files as frozen pydantic models (a leaf).

They import nothing of newsmon but errors and units; reading files, ``${ENV}`` substitution and
the cross-checks that need the matcher or the templates are ``monitor.settings``'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from monitor.units import cron_trigger, parse_duration, parse_size

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema({"type": ["string", "number"], "pattern": r"^\d+(\.\d+)?(ms|s|m|h|d|w)?$"}),
]
Size = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)?$"}),
]

DEFAULT_USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon; self-hosted news monitor)"
_QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_RATE = re.compile(r"^\d+/(second|minute|hour|day)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FeedConfig(_Strict):
    url: str = Field(min_length=1, description="http(s):// URL, file:// URL or local path of an RSS/Atom/JSON feed")
    name: str = Field(default="", description="display name of the outlet; defaults to the URL's host")
    interval: Duration | None = Field(default=None, description="poll interval of this feed (down to 1s)")
    fulltext: bool = Field(default=False, description="fetch each article page and extract its text")
    origin: Literal["config", "opml", "discovered"] = Field(
        default="config", description="where the URL came from: config (written by a person), opml (imported), "
        "discovered (found on a fetched page); feeds not from config must be http(s) and are fetched "
        "with the private-address guard")
    backlog: Literal["alert", "skip"] | None = Field(default=None, description="skip: store the entries of "
                                                     "this feed's first successful poll without alerting; "
                                                     "default poll.backlog")

    @model_validator(mode="after")
    def _interval_floor(self) -> FeedConfig:
        if self.interval is not None and self.interval < 1:
            raise ValueError("interval must be at least 1s")
        if self.origin != "config" and not web_url(self.url):
            raise ValueError(f"a feed from {self.origin} content must be an http(s) URL, not {self.url[:80]!r}; "
                             "local files and file:// are for feeds written into monitor.yaml")
        return self

    @property
    def guarded(self) -> bool:
        """True when the URL came from content (OPML, a fetched page), not from a person."""
        return self.origin != "config"


def web_url(url: str) -> bool:
    """An http(s) URL with a host: the only kind a feed may have when content, not a person, named it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


class TargetConfig(_Strict):
    url: str = Field(min_length=1, description="apprise URL (json://, mailto://, tgram://, matrix://, ntfy://, …)")
    format: Literal["text", "markdown", "html"] = "text"
    rate_limit: str | None = Field(default=None, description='at most N messages per unit, e.g. "3/hour"')
    quiet_hours: str | None = Field(default=None, description='hold alerts in this window, e.g. "22:00-07:00"')

    @model_validator(mode="after")
    def _shapes(self) -> TargetConfig:
        if self.rate_limit is not None and not _RATE.match(self.rate_limit):
            raise ValueError(f"rate_limit must look like 3/hour, got {self.rate_limit!r}")
        if self.quiet_hours is not None and not _QUIET.match(self.quiet_hours):
            raise ValueError(f"quiet_hours must look like 22:00-07:00, got {self.quiet_hours!r}")
        return self


def _target(value: object) -> object:
    return {"url": value} if isinstance(value, str) else value


_Target = Annotated[TargetConfig, BeforeValidator(_target, json_schema_input_type=str | TargetConfig)]


class DeliveryConfig(_Strict):
    backoff: Duration = Field(default=30.0, description="first retry delay, doubling each time")
    max_attempts: int = Field(default=8, ge=1, description="tries before an outbox row is dead")
    batch: int = Field(default=100, ge=1, description="outbox rows delivered per run of the delivery job")
    timezone: str = Field(default="Europe/Berlin", description="zone of quiet hours, digest schedules, times shown")
    max_age: Duration | None = Field(default=172800.0, description="an article published (or, without a date, "
                                     "first seen) longer ago is stored but never alerted; 0 or null: no limit")

    @model_validator(mode="after")
    def _zone(self) -> DeliveryConfig:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {self.timezone!r}") from err
        return self


class DigestConfig(_Strict):
    cron: str = Field(min_length=1, description='when the digest is sent, crontab syntax, e.g. "0 7 * * *"')
    targets: list[str] = Field(default_factory=list, description="targets of the digest; empty: the watchlists'")
    title: str | None = Field(default=None, description="title of the digest message")

    @model_validator(mode="after")
    def _cron(self) -> DigestConfig:
        try:
            cron_trigger(self.cron, "UTC")
        except ValueError as err:
            raise ValueError(f"cron must be five crontab fields like '0 7 * * *': {err}") from err
        return self


class AdminConfig(_Strict):
    target: str = Field(min_length=1, description="target that receives feed-health alerts")
    failures: int = Field(default=5, ge=1, description="failed polls in a row before a feed is reported")
    silence_factor: float = Field(default=4.0, gt=1, description="silent this many typical gaps: reported")
    min_silence: Duration = Field(default=6 * 3600.0, description="never report a silence shorter than this")


class HttpConfig(_Strict):
    timeout: Duration = Field(default=20.0, description="bound on a whole request")
    max_bytes: Size = Field(default=10_000_000, description="cap on a body, also after decompression")
    user_agent: str = DEFAULT_USER_AGENT
    fulltext_timeout: Duration = Field(default=15.0, description="bound on fetching one article page (fulltext)")
    fulltext_max_bytes: Size = Field(default=5_000_000, description="cap on one article page (fulltext)")
    allow_private: bool = Field(default=False, description="let article pages (fulltext) and feeds named by "
                                "content (OPML, discovered) be fetched from loopback, private or link-local "
                                "addresses; only for local setups")
    ca_bundle: str | None = Field(default=None, description="PEM file of CA certificates trusted for https "
                                  "feeds and article pages besides the default ones (relative to the config file)")


class PollConfig(_Strict):
    interval: Duration = Field(default=300.0, description="default per-feed poll interval")
    backlog: Literal["alert", "skip"] = Field(default="alert", description="what a feed's first successful poll "
                                              "does with its entries: alert (within delivery.max_age) or skip")


class EntityConfig(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    fuzzy: bool = False


class TrendingConfig(_Strict):
    outlets: int = Field(ge=2, description="alert when a matching story reaches this many outlets")
    within: Duration = Field(default=3600.0, description="… within this time (e.g. 60m)")


class WatchlistConfig(_Strict):
    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    exclude: str | None = None
    notify: list[str] = Field(default_factory=list, description="target names; empty means the default target")
    per: Literal["article", "story"] = "article"
    mode: str = Field(default="instant", pattern=r"^(instant|digest:[A-Za-z0-9_.-]+)$")
    urgent: bool = Field(default=False, description="bypass quiet hours")
    followups: Duration = Field(default=1800.0, ge=0, description="per: story: later articles of an alerted "
                                "story go out as one follow-up message after this delay; 0: listed only")
    trending: TrendingConfig | None = Field(default=None, description="alert once when a matching story "
                                            "reaches N outlets within T, e.g. {outlets: 5, within: 60m}")


class WatchlistFile(_Strict):
    entities: dict[str, EntityConfig] = Field(default_factory=dict)
    watchlists: list[WatchlistConfig] = Field(default_factory=list)


class MetricsConfig(_Strict):
    listen: str | None = Field(default=None, pattern=r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$",
                               description='serve Prometheus metrics at HOST:PORT, e.g. "127.0.0.1:9464"')


class WebConfig(_Strict):
    listen: str | None = Field(default=None, pattern=r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$",
                               description='the daemon also serves the web view at HOST:PORT, e.g. "127.0.0.1:8080"')
    token: str | None = Field(default=None, min_length=16, description="password the web view asks for (HTTP "
                              "basic auth, any user name, or a Bearer token); required to listen beyond loopback")


class RetentionConfig(_Strict):
    bodies: Duration | None = Field(default=None, description="drop article bodies (and revision texts) older "
                                    "than this; kept when unset")
    features: Duration | None = Field(default=14 * 86400.0, description="drop the MinHash signature and story "
                                      "terms of articles older than this (dedup looks back 7 days); null: keep")
    stories: Duration | None = Field(default=90 * 86400.0, description="delete stories (and their outlets) last "
                                     "seen longer ago than this; null: keep")
    messages: Duration | None = Field(default=90 * 86400.0, description="delete messages sent longer ago than "
                                      "this (their alerts stay); null: keep")
    every: Duration = Field(default=21600.0, description="how often retention and ANALYZE run")
    vacuum: Duration | None = Field(default=604800.0, description="how often SQLite is VACUUMed; never when unset")


class MonitorConfig(_Strict):
    database: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in the state dir")
    feeds: list[FeedConfig] = Field(default_factory=list)
    feeds_opml: str | None = None
    watchlists: str = "watchlists/"
    targets: dict[str, _Target] = Field(default_factory=dict)
    default_target: str | None = Field(default=None, description="target for watchlists without notify")
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    digests: dict[str, DigestConfig] = Field(default_factory=dict)
    admin: AdminConfig | None = None
    templates: str | None = Field(default=None, description="folder of templates replacing the bundled ones")
    http: HttpConfig = Field(default_factory=HttpConfig)
    poll: PollConfig = Field(default_factory=PollConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    workers: int = Field(default=1, ge=1, le=64, description="daemon processes sharing the database (PostgreSQL)")
    worker_watchdog: Duration = Field(default=60.0, ge=1.0, description="workers: N: a worker that shows no "
                                      "progress for this long is killed and started again")
    lease: Duration = Field(default=6.0, ge=1.0, description="how long a claimed feed or outbox message stays "
                            "with a daemon that died; a living one renews it every quarter of this")


class Settings(BaseModel):
    """Everything a command needs, validated and frozen."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: Path
    monitor: MonitorConfig
    feeds: tuple[FeedConfig, ...]
    entities: Mapping[str, EntityConfig]
    watchlists: tuple[WatchlistConfig, ...]
    database_url: str
    state_dir: Path
    templates: Mapping[str, str] = Field(default_factory=dict)

    def targets_of(self, watchlist: WatchlistConfig) -> list[str]:
        if watchlist.notify:
            return list(watchlist.notify)
        return [self.monitor.default_target] if self.monitor.default_target else []
