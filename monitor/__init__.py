"""newsmon: a self-hosted monitor for German-language news (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """A package's ``__getattr__`` that imports each public name from its module on first use.

    Stage packages expose their functions and value types this way (``from monitor.feeds import
    fetch``) without loading every module of the package: start-up time is paid per command."""

    def attribute(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return attribute
