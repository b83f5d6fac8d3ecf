"""Settings: the only module that reads config files and the environment.

``load()`` reads ``monitor.yaml``, substitutes ``${ENV}`` references, merges every watchlist
file of the watchlist folder, validates everything with the models of ``monitor.config`` and
returns frozen ``Settings``. Every problem becomes one ``ConfigError`` naming the file and the key.
The cross-checks that need the matcher, the templates or OPML live here, so the models stay a leaf.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from monitor import safeyaml
from monitor.config import EntityConfig, FeedConfig, MonitorConfig, Settings, WatchlistConfig, WatchlistFile
from monitor.errors import ConfigError, QueryError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_M = TypeVar("_M", bound=BaseModel)


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


def cache_dirs() -> list[Path]:
    """Where derived files (the German lexicon's tries) may be cached, best first: systemd's
    ``$CACHE_DIRECTORY``, ``$XDG_CACHE_HOME/newsmon`` (else ``~/.cache/newsmon``), then ``cache/``
    in the state directory (a sandboxed service may see no home directory)."""
    found: list[Path] = []
    if os.environ.get("CACHE_DIRECTORY"):
        found.append(Path(os.environ["CACHE_DIRECTORY"].split(":")[0]))
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        found.append(Path(xdg) / "newsmon")
    else:
        with contextlib.suppress(RuntimeError):  # no home directory (a service user without one)
            found.append(Path.home() / ".cache" / "newsmon")
    with contextlib.suppress(RuntimeError):
        found.append(state_dir() / "cache")
    return found


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read, substitute, merge and validate; raise ``ConfigError`` naming file and key."""
    cfg_path = config_path(path)
    raw = _read_yaml(cfg_path)
    monitor = _ca_bundle(_validate(MonitorConfig, raw, cfg_path), cfg_path)
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


def written_feed_urls(path: Path) -> list[str | None]:
    """The ``url`` of each entry of ``feeds:`` in monitor.yaml as written, before ``${ENV}``
    substitution (for exports that must not contain the secrets)."""
    try:
        raw = safeyaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    entries = raw.get("feeds") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return []
    return [str(entry["url"]) if isinstance(entry, dict) and "url" in entry else None for entry in entries]


def _check_references(settings: Settings, owner: Mapping[str, Path]) -> None:
    targets = settings.monitor.targets
    if settings.monitor.workers > 1 and settings.database_url.startswith("sqlite"):
        raise ConfigError("several workers share a PostgreSQL database; SQLite runs one process",
                          file=str(settings.path), key="workers")
    if settings.monitor.default_target and settings.monitor.default_target not in targets:
        raise ConfigError(f"unknown target {settings.monitor.default_target!r}; known: {sorted(targets)}",
                          file=str(settings.path), key="default_target")
    _check_delivery_references(settings)
    if settings.monitor.web.listen:
        check_web_listen(settings.monitor.web.listen, settings.monitor.web.token, file=str(settings.path),
                         key="web.listen")
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


def check_web_listen(listen: str, token: str | None, *, file: str | None = None, key: str | None = None) -> None:
    """The web view shows everything newsmon knows: beyond loopback only behind a token."""
    import ipaddress

    host = listen.rpartition(":")[0].strip("[]")
    if token:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ConfigError(f"web view on {listen} would be reachable beyond this machine: set web.token, "
                          "or listen on 127.0.0.1", file=file, key=key or "web.token")


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
    from monitor.alert.render import check_rendering, check_template

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
    check_rendering(found, str(folder))
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


def _ca_bundle(monitor: MonitorConfig, cfg_path: Path) -> MonitorConfig:
    """``http.ca_bundle`` as an absolute path to a PEM file that loads."""
    import ssl

    given = monitor.http.ca_bundle
    if not given:
        return monitor
    path = Path(given).expanduser()
    path = path if path.is_absolute() else (cfg_path.parent / path).resolve()
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except (OSError, ssl.SSLError) as err:
        raise ConfigError(f"cannot load CA certificates from {path}: {err}", file=str(cfg_path),
                          key="http.ca_bundle") from err
    http = monitor.http.model_copy(update={"ca_bundle": str(path)})
    return monitor.model_copy(update={"http": http})


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
    from monitor.config import web_url
    from monitor.feeds.opml import read_opml

    try:
        outlines = read_opml(path.read_bytes(), str(path), "feeds_opml")
    except OSError as err:
        raise ConfigError(f"cannot read OPML file: {err.strerror}", file=str(path), key="feeds_opml") from err
    for title, url in outlines:
        if not web_url(url):
            raise ConfigError(f"feeds from OPML must be http(s) URLs, not {url[:80]!r} (local files and file:// "
                              "are for feeds written into monitor.yaml)", file=str(path), key=f"outline {title!r}")
    return [FeedConfig(url=url, name=title, origin="opml") for title, url in outlines]


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
        data = safeyaml.load(text)
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
