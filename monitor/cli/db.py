"""``newsmon db upgrade``."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, settings


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
@config_option
def upgrade() -> None:
    """Apply every pending migration (also done at daemon start)."""
    from monitor.store.db import open_database

    cfg = settings()
    database = open_database(cfg.database_url, upgrade=True)
    database.dispose()
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


COMMANDS = [db]
