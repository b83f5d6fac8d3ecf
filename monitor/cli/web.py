"""``newsmon web``: the local web view over the database (beside a running daemon, or for timer users)."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, settings


@click.command()
@config_option
@click.option("--listen", metavar="HOST:PORT", default=None,
              help="Where to serve (default: web.listen, else 127.0.0.1:8080); beyond loopback only with web.token.")
def web(listen: str | None) -> None:
    """Serve the web view: feeds, stories, watchlists, search, alerts, live watchlist preview."""
    from monitor.web import serve

    config = settings()
    serve(config, listen or config.monitor.web.listen or "127.0.0.1:8080")


COMMANDS = [web]
