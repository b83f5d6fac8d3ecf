"""The ``newsmon`` command: a click group; each command parses arguments, calls a service, prints."""

from __future__ import annotations

import sys
from typing import Any

import click

from monitor.cli.common import config_option
from monitor.errors import MonitorError


class _Group(click.Group):
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

    logs.setup(verbose)


def _register() -> None:
    """Every module of this package that lists ``COMMANDS`` adds them to the group."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()
