"""Which schema revision a database carries and which the installed migrations end at, read without
importing alembic (its import is some 11 MB and a tenth of a second that every command opening the
database would pay only to learn that nothing is to be done).

The head is read from the migration scripts' ``revision``/``down_revision`` lines; a test checks it
against alembic's own ``ScriptDirectory``.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from monitor.errors import StoreError

CHECKOUT = Path(__file__).resolve().parents[2] / "alembic"
_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]*)['"]|None)""", re.M)


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


@cache
def head_revision() -> str:
    """The one revision no other script names as its ``down_revision``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((scripts() / "versions").glob("*.py")):
        found = dict((key, value) for key, value in _REVISION.findall(path.read_text("utf-8")))
        if "revision" not in found:
            continue
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"the migration scripts in {scripts() / 'versions'} have {len(heads)} heads: "
                         f"{sorted(heads)}; reinstall newsmon")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database's ``alembic_version`` table; None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def behind(engine: Engine) -> str | None:
    """None when the schema is at head, else a short description of how it is behind."""
    head = head_revision()
    current = current_revision(engine)
    return None if current == head else f"at {current or 'empty'}, head is {head}"
