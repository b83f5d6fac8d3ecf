"""JSON Schema of ``monitor.yaml`` and of watchlist files, exported from the pydantic models.

Editors that speak JSON Schema (VS Code with the YAML extension, JetBrains, Neovim with
yaml-language-server) then complete keys and flag mistakes as you type. Durations and sizes keep
their written form in the schema's defaults (``5m``, not 300.0).
"""

from __future__ import annotations

from typing import Any

from monitor.config import MonitorConfig, WatchlistFile
from monitor.units import format_duration

DRAFT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("monitor", "watchlist")
_DURATION_MARK = "(ms|s|m|h|d|w)"
_SIZE_MARK = "(B|KB|KiB|MB|MiB|GB|GiB)"


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``monitor`` (monitor.yaml) or ``watchlist`` (a watchlists/*.yaml file)."""
    if kind == "monitor":
        model: type[MonitorConfig | WatchlistFile] = MonitorConfig
        title, about = "newsmon monitor.yaml", "newsmon's main config file (README: Config reference)"
    elif kind == "watchlist":
        model = WatchlistFile
        title, about = "newsmon watchlist file", "entities and watchlists; the files of the watchlists folder merge"
    else:
        raise ValueError(f"unknown schema kind {kind!r}; one of {KINDS}")
    found = model.model_json_schema(mode="validation")
    _written_defaults(found)
    return {"$schema": DRAFT, **found, "title": title, "description": about}


def _written_defaults(node: Any) -> None:
    """Defaults of duration and size fields as a user writes them."""
    if isinstance(node, dict):
        pattern = _pattern_of(node)
        default = node.get("default")
        if isinstance(default, int | float) and not isinstance(default, bool) and pattern:
            if _DURATION_MARK in pattern:
                node["default"] = format_duration(float(default))
            elif _SIZE_MARK in pattern:
                node["default"] = _size(int(default))
        for value in node.values():
            _written_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _written_defaults(value)


def _pattern_of(node: dict[str, Any]) -> str | None:
    if isinstance(node.get("pattern"), str):
        return str(node["pattern"])
    for option in node.get("anyOf", ()):
        if isinstance(option, dict) and isinstance(option.get("pattern"), str):
            return str(option["pattern"])
    return None


def _size(value: int) -> str:
    for unit, size in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}B"
