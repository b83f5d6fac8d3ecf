"""What feedparser makes of one element of a feed: the name it handles it by, and its text.

feedparser does not look at namespaces as such: it calls a handler named after the namespace's usual
prefix and the lower-cased local name (``dc:creator`` → ``dc_creator``; RSS 1.0, RSS 0.9 and Atom
elements have no prefix, so ``atom:link`` in an RSS item is a ``link``), and an element of a namespace
it does not know goes by the prefix the document gave it. ``Names`` gives that name for every element,
after checking that the document's namespace declarations leave feedparser no ambiguity (a prefix
bound to two namespaces, a known prefix bound to another namespace: the fast path declines those).
``text`` is feedparser's value of a text element: stripped, UTF-8 read as Latin-1 repaired, C1
controls mapped to cp1252's characters.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.util import FeedParserDict
from lxml import etree

_KNOWN: dict[str, str] = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_STANDARD = frozenset(prefix.lower() for prefix in _KNOWN.values() if prefix)
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
_C1 = re.compile("[\x80-\x9f]")  # what feedparser maps to cp1252's characters
_TEXTY = frozenset({"text", "plain", "html", "text/plain", "text/html"})  # feedparser's text/plain and text/html
# Entry and feed keys that parse.py reads or feedparser's handlers read back: an element feedparser
# does not know is stored under its name, which must not be one of these.
_RESERVED = frozenset({
    "title", "summary", "content", "link", "links", "id", "author", "authors", "author_detail", "published",
    "published_parsed", "updated", "updated_parsed", "created", "created_parsed", "published_dt", "tags",
    "contributors", "publisher", "publishers", "publisher_detail", "image", "textinput", "where", "source",
    "media_content", "media_thumbnail", "media_credit", "media_rating", "media_restriction", "media_license",
    "media_player", "psc_chapters", "chapters", "license", "guidislink", "newlocation", "language"})
_KEYMAP: dict[str, str | list[str]] = FeedParserDict.keymap


class Decline(Exception):
    """Something this fast path does not copy from feedparser: let feedparser read the feed."""


def _standard(uri: str) -> str | None:
    lowered = uri.lower()
    if "backend.userland.com/rss" in lowered:
        return ""
    return _KNOWN.get(lowered)


class Names:
    """feedparser's name for each element of one document."""

    def __init__(self, declarations: list[tuple[str, str]]) -> None:
        """``declarations``: every (prefix, namespace) the document declares, "" the default namespace's prefix."""
        bound: dict[str, str] = {}  # prefix -> namespace, over the whole document
        self._unknown: dict[str, str] = {}  # a namespace feedparser does not know -> its one prefix
        defaults: set[str] = set()
        for prefix, uri in declarations:
            if not prefix:
                defaults.add(uri)
                continue
            standard = _standard(uri)
            if bound.setdefault(prefix, uri) != uri:
                raise Decline("a prefix bound to two namespaces")
            if standard is None:
                if prefix.lower() in _STANDARD or self._unknown.setdefault(uri, prefix) != prefix:
                    raise Decline("an unknown namespace under a known or a second prefix")
            elif prefix != standard and prefix in _STANDARD:
                raise Decline("a known prefix bound to another known namespace")
        if defaults & self._unknown.keys():
            raise Decline("an unknown namespace both as default and prefixed")
        self.keys: dict[str, str] = {}  # tag -> name, filled as tags are met (read it directly where speed counts)

    def key(self, tag: str) -> str:
        """``dc_creator`` for ``{http://purl.org/dc/elements/1.1/}creator``, ``title`` for an Atom title."""
        key = self.keys.get(tag)
        if key is None:
            key = self.keys[tag] = self._key(tag)
        return key

    def _key(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag.lower()
        uri, _, local = tag[1:].partition("}")
        prefix = _standard(uri)
        if prefix is None:
            prefix = self._unknown.get(uri)
            if prefix is None:
                raise Decline("an element in an unknown default namespace")
        return f"{prefix.lower()}_{local.lower()}" if prefix else local.lower()


@lru_cache(maxsize=2048)
def has_handler(key: str) -> bool:
    return hasattr(_FeedParserMixin, "_start_" + key) or hasattr(_FeedParserMixin, "_end_" + key)


def unknown(key: str) -> bool:
    """An element feedparser has no handler for is stored under its name: harmless unless the name is used."""
    mapped = _KEYMAP.get(key, key)
    stored = mapped[0] if isinstance(mapped, list) else mapped
    return not (has_handler(key) or key in _RESERVED or stored in _RESERVED)


def unknown_leaf(element: etree._Element, key: str) -> None:
    if not unknown(key):
        raise Decline(f"element {key}")
    leaf(element)


def leaf(element: etree._Element) -> None:
    if len(element):
        raise Decline(f"children in {element.tag}")


def attributes(element: etree._Element) -> dict[str, str]:
    """Attributes as feedparser sees them: names lower-cased (a known namespace's prefix kept), rel and type too."""
    found: dict[str, str] = {}
    for raw_name, raw_value in element.items():
        name, value = str(raw_name), str(raw_value)
        if name.startswith("{"):
            uri, _, local = name[1:].partition("}")
            prefix = _standard(uri)
            name = f"{prefix}:{local}" if prefix else local
        name = name.lower()
        if name in found:
            raise Decline("two attributes of one name")
        found[name] = value.lower() if name in ("rel", "type") else value
    return found


def text(element: etree._Element) -> str:
    """feedparser's value of a text element."""
    if len(element):
        raise Decline("markup as child elements")
    value = (element.text or "").strip()
    if not value.isascii():
        if _BEYOND_LATIN1.search(value) is None:
            with suppress(UnicodeEncodeError, UnicodeDecodeError):  # feedparser's repair of UTF-8 read as Latin-1
                value = value.encode("iso-8859-1").decode("utf-8")
        if _C1.search(value):
            value = value.translate(_cp1252)
    return value


def raw_text(element: etree._Element) -> str:
    """Text feedparser keeps as it is (an Atom author's name): stripped, neither repaired nor mapped."""
    if len(element):
        raise Decline("markup as child elements")
    return (element.text or "").strip()


def typed_text(element: etree._Element) -> str:
    """A title, summary or content: plain text or HTML only (no XHTML, base64 or external source)."""
    if len(element.attrib):
        attrs = attributes(element)
        if attrs.get("type", "text") not in _TEXTY or "src" in attrs or "mode" in attrs:
            raise Decline("xhtml, base64 or external content")
    return text(element)
