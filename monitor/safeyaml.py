"""YAML for config files with bounds: nesting depth, alias expansion, values that cannot be built.

PyYAML composes and builds nodes recursively, so a file nested a few thousand levels deep raises
``RecursionError``; aliases can multiply a small file into millions of nodes once the values are
walked; an integer of 5,000 digits raises ``ValueError``. Here each of those is a ``yaml.YAMLError``
with a line and column, like any other syntax error, so the caller reports it the same way.

Scanning and parsing are libyaml's where PyYAML was built with it (some ten times PyYAML's own
reader and scanner: a watchlist file of 1,000 watchlists loads in a fraction of the time); nodes are
composed in Python, where the bounds are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_DEPTH = 64  # monitor.yaml and watchlist files need five or six levels
MAX_ALIASED_NODES = 100_000  # nodes that aliases may repeat, in total


class _Bounds(Composer, SafeConstructor, Resolver):
    """The composer with the bounds and the safe constructor; the loaders below add a parser."""

    peek_event: Callable[[], Any]  # the parser's

    def __init__(self) -> None:
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)
        self._depth = 0
        self._path: list[str] = []
        self._aliased = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            node = self.anchors.get(event.anchor or "")
            if node is not None:
                self._aliased += self._size(node)
                if self._aliased > MAX_ALIASED_NODES:
                    raise ComposerError(None, None, f"aliases repeat more than {MAX_ALIASED_NODES:,} values", mark)
            return super().compose_node(parent, index)
        label = f".{index.value}" if isinstance(index, ScalarNode) else f"[{index}]" if isinstance(index, int) else ""
        self._path.append(label)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                where = "".join(self._path[:4]).lstrip(".")
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels (under {where} …)", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._path.pop()

    def _size(self, node: Node) -> int:
        """How many nodes ``node`` stands for once aliases inside it are expanded (memoised, no recursion
        deeper than the bounded nesting)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._size(key) + self._size(value) for key, value in node.value)
        self._sizes[id(node)] = size
        return size

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError) as err:  # e.g. an integer too long to convert
            raise ConstructorError(None, None, str(err)[:200], node.start_mark) from err


class _PyLoader(_Bounds, Parser, Scanner, Reader):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Bounds.__init__(self)


def _c_loader() -> type[_PyLoader] | None:
    """A loader whose events come from libyaml, where PyYAML was built with it."""
    if not yaml.__with_libyaml__:
        return None
    from yaml._yaml import CParser

    class _CLoader(_Bounds, CParser):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Bounds.__init__(self)

    return _CLoader  # type: ignore[return-value]  # the same interface, the parser in C


_LOADER = _c_loader() or _PyLoader


def load(text: str) -> Any:
    """The YAML document in ``text`` (safe types only); every problem is a ``yaml.YAMLError``.

    A file libyaml refuses is read again by PyYAML's own parser for the error: its message quotes the
    line and points at the column (libyaml's names neither the character nor the line's text)."""
    try:
        return _load(_LOADER, text)
    except yaml.YAMLError:
        if _LOADER is _PyLoader:
            raise
        _load(_PyLoader, text)
        raise  # both refuse; PyYAML's parser accepting what libyaml refused would leave libyaml's error


def _load(kind: type[_PyLoader], text: str) -> Any:
    loader = kind(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
