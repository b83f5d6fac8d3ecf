"""Alembic, driven from code.

The migration scripts live in the checkout's top-level ``alembic/`` folder, which the built package
ships as ``monitor.migrations`` (see pyproject.toml), so a wheel or ``pipx install`` can migrate too.
"""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from monitor.store.locks import exclusive
from monitor.store.schemaversion import scripts


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts()))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    with exclusive(engine, "migrate"):  # daemons starting together upgrade one after the other
        command.upgrade(alembic_config(engine), "head")


def head_of_scripts(engine: Engine) -> str | None:
    """The head revision as alembic reads the scripts (``schemaversion.head_revision`` reads them without it)."""
    head: str | None = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    return head


def current_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        current: str | None = MigrationContext.configure(conn).get_current_revision()
    return current

