"""Alembic, driven from code: the migration scripts live in the project's ``alembic/`` folder."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from monitor.errors import StoreError

SCRIPTS = Path(__file__).resolve().parents[2] / "alembic"


def alembic_config(engine: Engine) -> Config:
    if not (SCRIPTS / "env.py").is_file():
        raise StoreError(f"migration scripts not found at {SCRIPTS}; install newsmon from its checkout")
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    from monitor.store.leases import exclusive

    with exclusive(engine, "migrate"):  # daemons starting together upgrade one after the other
        command.upgrade(alembic_config(engine), "head")


def check_current(engine: Engine) -> str | None:
    """None when the schema is at head, else a short description of how it is behind."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    return f"at {current or 'empty'}, head is {head}"
