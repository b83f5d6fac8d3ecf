"""Config: the only module that reads config files and the environment.

``load()`` reads ``monitor.yaml``, substitutes ``${ENV}`` references, merges every watchlist
file of the watchlist folder, validates everything with pydantic and returns frozen
``Settings``. Every problem becomes one ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from monitor.errors import ConfigError, QueryError
from monitor.units import parse_duration, parse_size

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
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_RATE = re.compile(r"^\d+/(second|minute|hour|day)$")
_M = TypeVar("_M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Strict):
    url: str = Field(min_length=1, description="http(s):// URL, file:// URL or local path of an RSS/Atom/JSON feed")
    name: str = Field(default="", description="display name of the outlet; defaults to the URL's host")
    interval: Duration | None = Field(default=None, description="poll interval of this feed (down to 1s)")
    fulltext: bool = Field(default=False, description="fetch each article page and extract its text")

    @model_validator(mode="after")
    def _interval_floor(self) -> FeedConfig:
        if self.interval is not None and self.interval < 1:
            raise ValueError("interval must be at least 1s")
        return self


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
        from monitor.alert.policy import cron_trigger

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
    allow_private: bool = Field(default=False, description="let article pages (fulltext) be fetched from "
                                "loopback, private or link-local addresses; only for local setups")


class PollConfig(_Strict):
    interval: Duration = Field(default=300.0, description="default per-feed poll interval")


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


class RetentionConfig(_Strict):
    bodies: Duration | None = Field(default=None, description="drop article bodies older than this; kept when unset")
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
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    workers: int = Field(default=1, ge=1, le=64, description="daemon processes sharing the database (PostgreSQL)")
    lease: Duration = Field(default=120.0, ge=1.0, description="how long a claimed feed or outbox row stays "
                            "with a daemon that stopped answering")


class Settings(BaseModel):
    """Everything a command needs, validated and frozen."""

    model_config = ConfigDict(frozen=True)

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


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$NEWSMON_CONFIG``, else ``./config/monitor.yaml``, else ``/etc/newsmon``."""
    if explicit:
        return Path(explicit)
    if os.environ.get("NEWSMON_CONFIG"):
        return Path(os.environ["NEWSMON_CONFIG"])
    local = Path("config/monitor.yaml")
    return local if local.exists() else Path("/etc/newsmon/monitor.yaml")


def state_dir() -> Path:
    for var in ("NEWSMON_STATE_DIR", "STATE_DIRECTORY"):
        if os.environ.get(var):
            return Path(os.environ[var].split(":")[0])
    return Path.home() / ".local" / "state" / "newsmon"


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read, substitute, merge and validate; raise ``ConfigError`` naming file and key."""
    cfg_path = config_path(path)
    raw = _read_yaml(cfg_path)
    monitor = _validate(MonitorConfig, raw, cfg_path)
    base = cfg_path.parent
    entities: dict[str, EntityConfig] = {}
    watchlists: list[WatchlistConfig] = []
    owner: dict[str, Path] = {}
    entity_owner: dict[str, Path] = {}
    for file in _watchlist_files(base / monitor.watchlists, cfg_path):
        part = _validate(WatchlistFile, _read_yaml(file), file)
        for key, entity in part.entities.items():
            if key in entities:
                raise ConfigError(f"entity {key!r} is already defined in {entity_owner[key]}", file=str(file),
                                  key=f"entities.{key}")
            entities[key], entity_owner[key] = entity, file
        for index, watchlist in enumerate(part.watchlists):
            if watchlist.name in owner:
                raise ConfigError(
                    f"watchlist name {watchlist.name!r} is already used in {owner[watchlist.name]}",
                    file=str(file), key=f"watchlists[{index}].name")
            owner[watchlist.name] = file
            watchlists.append(watchlist)
    feeds = list(monitor.feeds)
    if monitor.feeds_opml:
        feeds.extend(_opml_feeds(base / monitor.feeds_opml))
    settings = Settings(
        path=cfg_path,
        monitor=monitor,
        feeds=tuple(_resolve_feed(feed, base) for feed in feeds),
        entities=entities,
        watchlists=tuple(watchlists),
        database_url=monitor.database or f"sqlite:///{state_dir() / 'newsmon.db'}",
        state_dir=state_dir(),
        templates=_templates(base / monitor.templates, cfg_path) if monitor.templates else {},
    )
    _check_references(settings, owner)
    return settings


def load_watchlists(path: str | os.PathLike[str], known: Mapping[str, EntityConfig] | None = None,
                    ) -> tuple[dict[str, EntityConfig], list[WatchlistConfig]]:
    """Only watchlists and entities (for ``match`` and ``backtest --watchlists``); ``known`` entities
    (e.g. the running config's) can be referenced too, the file's own win."""
    entities: dict[str, EntityConfig] = dict(known or {})
    watchlists: list[WatchlistConfig] = []
    for file in _watchlist_files(Path(path), Path(path)):
        part = _validate(WatchlistFile, _read_yaml(file), file)
        entities.update(part.entities)
        watchlists.extend(part.watchlists)
    for index, watchlist in enumerate(watchlists):
        _check_queries(watchlist, entities, Path(path), index)
    return entities, watchlists


def _check_references(settings: Settings, owner: Mapping[str, Path]) -> None:
    targets = settings.monitor.targets
    if settings.monitor.workers > 1 and settings.database_url.startswith("sqlite"):
        raise ConfigError("several workers share a PostgreSQL database; SQLite runs one process",
                          file=str(settings.path), key="workers")
    if settings.monitor.default_target and settings.monitor.default_target not in targets:
        raise ConfigError(f"unknown target {settings.monitor.default_target!r}; known: {sorted(targets)}",
                          file=str(settings.path), key="default_target")
    _check_delivery_references(settings)
    names = [feed.name for feed in settings.feeds]
    for index, feed in enumerate(settings.feeds):
        if names.count(feed.name) > 1:
            raise ConfigError(f"feed name {feed.name!r} is used twice", file=str(settings.path),
                              key=f"feeds[{index}].name")
    for index, watchlist in enumerate(settings.watchlists):
        file = owner[watchlist.name]
        for target in watchlist.notify:
            if target not in targets:
                raise ConfigError(f"unknown target {target!r} in watchlist {watchlist.name!r}; "
                                  f"known: {sorted(targets)}", file=str(file), key=f"{watchlist.name}.notify")
        digest = watchlist.mode.removeprefix("digest:")
        if watchlist.mode.startswith("digest:") and digest not in settings.monitor.digests:
            raise ConfigError(f"unknown digest {digest!r}; known: {sorted(settings.monitor.digests)}",
                              file=str(file), key=f"{watchlist.name}.mode")
        _check_queries(watchlist, settings.entities, file, index)


def _check_delivery_references(settings: Settings) -> None:
    targets = settings.monitor.targets
    for name, digest in settings.monitor.digests.items():
        for target in digest.targets:
            if target not in targets:
                raise ConfigError(f"unknown target {target!r}; known: {sorted(targets)}", file=str(settings.path),
                                  key=f"digests.{name}.targets")
    admin = settings.monitor.admin
    if admin is not None and admin.target not in targets:
        raise ConfigError(f"unknown target {admin.target!r}; known: {sorted(targets)}", file=str(settings.path),
                          key="admin.target")


def _templates(folder: Path, cfg_path: Path) -> dict[str, str]:
    """Every ``*.j2`` file of the template folder by name; each must replace a bundled template."""
    from monitor.alert.render import check_template

    if not folder.is_dir():
        raise ConfigError(f"no template folder at {folder}", file=str(cfg_path), key="templates")
    found: dict[str, str] = {}
    for file in sorted(folder.glob("*.j2")):
        try:
            source = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"cannot read: {err}", file=str(file)) from err
        check_template(file.name, source, str(file))
        found[file.name] = source
    return found


def _check_queries(watchlist: WatchlistConfig, entities: Mapping[str, EntityConfig], file: Path,
                   index: int) -> None:
    from monitor.match import validate_query

    for key in ("query", "exclude"):
        text = getattr(watchlist, key)
        if text is None:
            continue
        try:
            validate_query(text, entities)
        except QueryError as err:
            raise ConfigError(f"query does not parse: {err}", file=str(file),
                              key=f"{watchlist.name}.{key}") from err


def _resolve_feed(feed: FeedConfig, base: Path) -> FeedConfig:
    url = feed.url
    if "://" not in url:
        local = Path(url).expanduser()
        url = str(local if local.is_absolute() else (base / local).resolve())
    name = feed.name or _host_of(url)
    return feed.model_copy(update={"url": url, "name": name})


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or Path(url).stem


def _opml_feeds(path: Path) -> list[FeedConfig]:
    from monitor.opml import read_opml

    try:
        return [FeedConfig(url=url, name=title) for title, url in read_opml(path.read_bytes())]
    except OSError as err:
        raise ConfigError(f"cannot read OPML file: {err.strerror}", file=str(path), key="feeds_opml") from err


def _watchlist_files(target: Path, cfg_path: Path) -> list[Path]:
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if target.is_file():
        return [target]
    raise ConfigError(f"no watchlist file or folder at {target}", file=str(cfg_path), key="watchlists")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError("file not found", file=str(path)) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read: {err}", file=str(path)) from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"not valid YAML: {problem}", file=str(path), key=where) from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping at the top, got {type(data).__name__}", file=str(path))
    return _substitute(data, path, "")  # type: ignore[no-any-return]


def _substitute(value: Any, path: Path, key: str) -> Any:
    if isinstance(value, str):
        def replace(found: re.Match[str]) -> str:
            name, default = found.group(1), found.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable ${{{name}}} is not set", file=str(path), key=key or None)

        return _ENV_REF.sub(replace, value)
    if isinstance(value, dict):
        return {k: _substitute(v, path, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, path, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def _validate(model: type[_M], data: dict[str, Any], path: Path) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        key = _key_path(first["loc"], data)
        raise ConfigError(_describe(first), file=str(path), key=key or None) from err


def _key_path(loc: tuple[int | str, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict) and "name" in node[part]:
                label = f"[{part}] ({node[part]['name']})"
            parts.append(label)
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif part.startswith("function-") or (part in ("url",) and not isinstance(node, dict)):
            continue
        else:
            parts.append(("." if parts else "") + part)
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts)


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
