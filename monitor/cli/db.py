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
    """Apply every pending migration (also done at daemon start); initialises an empty (0-byte) file."""
    from monitor.store.db import open_database

    cfg = settings()
    database = open_database(cfg.database_url, upgrade=True, initialise_empty=True)
    database.dispose()
    if database.note:
        click.echo(database.note)
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


COMMANDS = [db]
