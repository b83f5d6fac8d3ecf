"""Alembic, driven from code.

The migration scripts live in the checkout's top-level ``alembic/`` folder, which the built package
ships as ``monitor.migrations`` (see pyproject.toml), so a wheel or ``pipx install`` can migrate too.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from monitor.errors import StoreError
from monitor.store.locks import exclusive

CHECKOUT = Path(__file__).resolve().parents[2] / "alembic"


@cache
def scripts() -> Path:
    """The folder of ``env.py`` and ``versions/``: the installed package's, else the checkout's."""
    try:
        spec = importlib.util.find_spec("monitor.migrations")
    except ImportError:
        spec = None
    packaged = [Path(folder) for folder in (spec.submodule_search_locations or [])] if spec else []
    for folder in [*packaged, CHECKOUT]:
        if (folder / "env.py").is_file():
            return folder
    raise StoreError(f"migration scripts not found (neither the package's monitor/migrations nor {CHECKOUT}); "
                     "reinstall newsmon")


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


def check_current(engine: Engine) -> str | None:
    """None when the schema is at head, else a short description of how it is behind."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    return f"at {current or 'empty'}, head is {head}"
