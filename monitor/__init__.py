"""newsmon: a self-hosted monitor for German-language news (docs/architecture.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from importlib import import_module

# numpy's OpenBLAS starts a worker thread per core on import, and they spin after each call: a
# tenth of a CPU second per process for vectors of a few hundred numbers, which one thread handles
# best. Set before numpy can be imported; an explicit setting of the user's wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


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
