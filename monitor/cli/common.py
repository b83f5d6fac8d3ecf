"""What the commands share: the ``--config`` option (on the group and on every command)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from monitor.config import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(dict)
        ctx.find_root().ensure_object(dict)["config"] = value


def config_option(func: F) -> F:
    return click.option("--config", "config", metavar="PATH", expose_value=False, callback=_remember,
                        is_eager=True, help="monitor.yaml to use (default: $NEWSMON_CONFIG, "
                        "./config/monitor.yaml, /etc/newsmon/monitor.yaml).")(func)


def settings() -> Settings:
    """Load the config named by --config (group or command), $NEWSMON_CONFIG or the defaults."""
    from monitor import settings

    root = click.get_current_context().find_root()
    return settings.load((root.obj or {}).get("config"))


def echo_json(obj: Any) -> None:
    import json

    click.echo(json.dumps(obj, ensure_ascii=False, default=str))
