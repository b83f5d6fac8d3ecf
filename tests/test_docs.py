"""Every config key and every command is documented in README.md (as sqlite-utils' test_docs does).

Config keys are walked from the pydantic models: ``poll.interval``, ``feeds[].url`` for list items,
``targets.<name>.url`` for mapping values (any ``<placeholder>``). Commands are walked from the click
group, subcommands included (``newsmon db upgrade``). A key or command that appears in README.md
between backticks counts as documented.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from monitor.cli import main
from monitor.config import MonitorConfig, WatchlistFile

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
CODE = {re.sub(r"<[^>]*>", "<>", span) for span in re.findall(r"`([^`\n]+)`", README)}


def _inner(annotation: object) -> tuple[type[BaseModel], str] | None:
    """The model inside a field's type and how its keys are written below the field."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _inner(args[0])
    if origin in (typing.Union, types.UnionType):
        found = [inner for arg in args if (inner := _inner(arg))]
        return found[0] if found else None
    if origin in (list, tuple) and args:
        inner = _inner(args[0])
        return (inner[0], "[]" + inner[1]) if inner else None
    if origin is dict and len(args) == 2:
        inner = _inner(args[1])
        return (inner[0], ".<>" + inner[1]) if inner else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    return None


def keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = prefix + name
        inner = _inner(field.annotation)
        if inner is None:
            yield path
        else:
            yield from keys(inner[0], f"{path}{inner[1]}.")


def commands(group: click.Group = main, prefix: str = "newsmon") -> Iterator[str]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the CLI's group loads a command's module when asked for it
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def test_the_walk_sees_nested_list_and_mapping_keys() -> None:
    found = set(keys(MonitorConfig))
    assert {"poll.interval", "feeds[].url", "targets.<>.format", "database"} <= found
    assert {"entities.<>.aliases", "watchlists[].query"} <= set(keys(WatchlistFile))
    assert "newsmon db upgrade" in set(commands())


@pytest.mark.parametrize("key", sorted(keys(MonitorConfig)))
def test_monitor_yaml_key_is_documented(key: str) -> None:
    assert key in CODE, f"monitor.yaml key `{key}` is missing from README.md (Config reference)"


@pytest.mark.parametrize("key", sorted(keys(WatchlistFile)))
def test_watchlist_key_is_documented(key: str) -> None:
    assert key in CODE, f"watchlist key `{key}` is missing from README.md (Watchlists)"


@pytest.mark.parametrize("command", sorted(commands()))
def test_command_is_documented(command: str) -> None:
    assert any(span == command or span.startswith(command + " ") for span in CODE), \
        f"`{command}` is missing from README.md (Commands)"
