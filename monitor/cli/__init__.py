"""The ``newsmon`` command: a click group; each command parses arguments, calls a service, prints."""

from __future__ import annotations

import sys
from typing import Any

import click

from monitor.cli.common import config_option
from monitor.errors import MonitorError

# Each command and the module of this package that defines it: a command's module (and what it
# imports) loads only when that command runs; ``--help`` loads them all to list them.
# ``tests/test_startup.py`` checks this against every module's ``COMMANDS``.
COMMAND_MODULES = {
    "alerts": "alerts", "backtest": "search", "check": "inspect", "db": "db", "demo": "run", "feeds": "feeds",
    "match": "inspect", "run": "run", "schema": "schema", "search": "search", "status": "inspect",
    "stories": "stories", "watchlists": "watchlists", "web": "web", "why": "why",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            import importlib

            for command in importlib.import_module(f"{__name__}.{module}").COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as err:
            from monitor import redact

            click.echo(f"newsmon: error: {redact.text(str(err))}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@config_option
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name="newsmon")
def main(verbose: bool) -> None:
    """newsmon: a self-hosted monitor for German-language news."""
    from monitor import logs
    from monitor.settings import cache_dirs
    from monitor.text import configure_lexicon

    logs.setup(verbose)
    configure_lexicon(cache_dirs())

