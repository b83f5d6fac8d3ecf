"""A fast path for the common feed: RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 in UTF-8, read with lxml.

feedparser is a SAX parser with Python callbacks for every element and character run; lxml reads
the same well-formed feed about fifty times faster (docs/architecture.md §8). This module gives ``parse.py``
exactly the values feedparser would give it (same keys, feedparser's own date parser, URL joining,
mojibake repair and cp1252 mapping; its rules for items are in ``feedentry``), and declines,
returning None, whenever a feed holds anything whose treatment it does not copy: a DOCTYPE,
``xml:base``, another encoding, markup as child elements, e-mail authors, relative Atom links,
elements feedparser handles in ways not copied here. feedparser then reads the feed as before;
``tests/test_feedxml.py`` checks both agree on every real feed we have.
"""

from __future__ import annotations

import io
import re
from typing import Any

from feedparser.urls import _urljoin
from lxml import etree

from monitor.feeds.parse.entry import CONTENT, ENTITY_LIKE, HARMLESS, SUMMARY, TITLE, href, read_entry
from monitor.feeds.parse.fields import Decline, Names, attributes, leaf, text, typed_text, unknown

ATOM = "{http://www.w3.org/2005/Atom}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_REFUSE = (b"<!doctype", b"<!entity", b"xml:base")  # looked for in the lower-cased body
_PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "huge_tree": False,
                                   "remove_comments": True, "remove_pis": True}
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_BOX = frozenset({"title", "link", "url", "description", "width", "height", "name"})  # of an image, a text input
# What else feedparser handles in a channel without touching the feed's title and link or the next
# item (elements it has no handler for are harmless too); a channel holding anything more is declined.
_FEED_HARMLESS = HARMLESS | {
    "author", "dc_creator", "dc_author", "itunes_author", "managingeditor", "contributor", "dc_contributor", "name",
    "email", "uri", "url", "generator", "cloud", "pubdate", "published", "issued", "updated", "modified",
    "lastbuilddate", "dc_date", "dcterms_issued", "dcterms_modified", "dcterms_created", "created", "itunes_owner",
    "itunes_name", "itunes_email", "media_content", "media_group"}

Feed = tuple[dict[str, Any], list[dict[str, Any]]]


def read(body: bytes, base: str) -> Feed | None:
    """(feed, entries) as feedparser would give them, or None when feedparser must read ``body``."""
    lowered = body.lower()  # one C pass; a case-insensitive regex over the body took 15x longer
    if any(marker in lowered for marker in _REFUSE):
        return None
    try:
        declared = _DECLARED.match(body)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
        parsing = etree.iterparse(io.BytesIO(body), events=("start-ns",), **_PARSER_OPTIONS)
        names = Names([declaration for _, declaration in parsing])  # as fast as etree.fromstring
        root = parsing.root
        if root.tag == "rss" and root.get("version") == "2.0":
            return _rss(root, base, names)
        if root.tag == ATOM + "feed":
            return _Reader(base, names).feed(root, "entry")
        if root.tag == _RDF:
            return _rdf(root, base, names)
    except (etree.XMLSyntaxError, Decline, ValueError):
        return None
    return None


def _rss(root: etree._Element, base: str, names: Names) -> Feed:
    if len(root) != 1 or names.key(root[0].tag) != "channel":
        raise Decline("not one channel")
    return _Reader(base, names).feed(root[0], "item")


def _rdf(root: etree._Element, base: str, names: Names) -> Feed:
    """RSS 1.0: the channel first (else an item's title would hide the channel's), items beside it."""
    if not len(root) or names.key(root[0].tag) != "channel":
        raise Decline("RDF not starting with its channel")
    reader = _Reader(base, names)
    feed, entries = reader.feed(root[0], "item")
    for child in list(root)[1:]:
        key = names.key(child.tag)
        if key == "item":
            entries.append(reader.entry(child))
        elif key in ("image", "textinput"):
            _box(child, names)
        else:
            raise Decline(f"element {key} beside the channel")
    if not entries and not feed.get("title"):
        raise Decline("an empty RDF document (feedparser may find no feed version)")
    return feed, entries


class _Reader:
    """The feed-level values, and feedparser's state that carries over into the next item."""

    def __init__(self, base: str, names: Names) -> None:
        self.base = base
        self.names = names
        self.values: dict[str, Any] = {}
        self.has_summary = False
        self.has_content = False
        self.titles = 0

    def entry(self, element: etree._Element) -> dict[str, Any]:
        entry = read_entry(element, self.base, self.names, self.has_content)
        self.has_content = False
        return entry

    def feed(self, container: etree._Element, item: str) -> Feed:
        if len(container.attrib) and {"href", "lastmod"} & attributes(container).keys():
            raise Decline("channel attributes")
        entries = []
        for child in container:
            key = self.names.key(child.tag)
            if key == item:
                entries.append(self.entry(child))
            else:
                self._child(child, key)
        return self.values, entries

    def _child(self, child: etree._Element, key: str) -> None:
        values = self.values
        if key in TITLE:
            self.titles += 1
            if self.titles > 1:
                raise Decline("two feed titles")
            values["title"] = typed_text(child)
        elif key == "link":
            self._link(child)
        elif key in ("guid", "id"):
            if len(child.attrib):
                raise Decline("feed id attributes")
            value = text(child)
            values.setdefault("link", _urljoin(self.base, value) if value else value)
        elif key in ("image", "textinput"):
            _box(child, self.names)
        elif key in SUMMARY:  # a summary or subtitle; the second one is content, which the next item sees
            leaf(child)
            if self.has_summary and not self.has_content:
                self.has_content = True
            elif key in ("summary", "itunes_summary"):
                self.has_summary = True
        elif key in CONTENT:
            typed_text(child)
            self.has_content = self.has_summary = True
        else:
            for element in child.iter():
                inner = self.names.key(element.tag)
                if inner not in _FEED_HARMLESS and not unknown(inner):
                    raise Decline(f"element {inner} in the channel")

    def _link(self, link: etree._Element) -> None:
        if not len(link.attrib):  # the last one counts, even an empty one
            value = text(link)
            self.values["link"] = ENTITY_LIKE.sub(r"&\g<1>", _urljoin(self.base, value)) if value else value
            return
        attrs = attributes(link)
        if "href" not in attrs or "url" in attrs or "uri" in attrs:
            raise Decline("an unusual feed link")
        leaf(link)
        if attrs.get("rel", "alternate") == "alternate":
            self.values["link"] = href(attrs, self.base)


def _box(box: etree._Element, names: Names) -> None:
    """An image or text input: its title and link stay its own unless another element ends it early."""
    for child in box:
        if names.key(child.tag) not in _BOX or len(child.attrib):
            raise Decline("an unusual image or text input")
        leaf(child)
