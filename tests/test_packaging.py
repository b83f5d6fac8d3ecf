"""The built package carries every subpackage of monitor/ and the migrations.

pyproject.toml lists the packages by name (the migrations are mapped in from the top-level alembic/
folder, which ``packages.find`` cannot do), so a new subpackage left out of the list would be missing
from every wheel: this test fails first. ``.ci/run`` builds the wheel and runs it from a clean venv.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from monitor.store.schemaversion import scripts

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_every_subpackage_of_monitor_is_listed_for_the_wheel() -> None:
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "monitor").rglob("__init__.py")}
    listed = set(PROJECT["tool"]["setuptools"]["packages"])
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {"monitor.migrations", "monitor.migrations.versions"} <= listed


def test_the_migrations_are_mapped_from_the_top_level_alembic_folder() -> None:
    mapped = PROJECT["tool"]["setuptools"]["package-dir"]
    assert (ROOT / mapped["monitor.migrations"] / "env.py").is_file()
    assert sorted((ROOT / mapped["monitor.migrations.versions"]).glob("0*.py"))
    assert (scripts() / "env.py").is_file()


def test_migration_files_are_named_in_chain_order() -> None:
    chain: dict[str | None, str] = {}
    names: dict[str, str] = {}
    for file in sorted((ROOT / "alembic" / "versions").glob("0*.py")):
        scope: dict[str, object] = {}
        exec(compile(file.read_text("utf-8"), str(file), "exec"), scope)  # only module-level assignments run
        chain[scope["down_revision"]] = str(scope["revision"])  # type: ignore[index]
        names[str(scope["revision"])] = file.name
    order, revision = [], chain.get(None)
    while revision:
        order.append(names[revision])
        revision = chain.get(revision)
    assert order == sorted(names.values())


def test_each_stage_package_face_names_its_functions_and_types() -> None:
    import importlib
    import types

    for name in ("feeds", "feeds.parse", "dedup", "daemon", "reports", "alert", "text", "match"):
        package = importlib.import_module(f"monitor.{name}")
        assert package.__all__, name
        for public in package.__all__:
            value = getattr(package, public)
            assert not isinstance(value, types.ModuleType), f"monitor.{name}.{public} is a module, not the function"
