"""One RSS 2.0 item, RSS 1.0 item or Atom entry, as feedparser reads it.

feedparser handles an element by its name whatever the format (``feedfields``), so one reader serves
all three. Its rules, copied here in document order:

* ``description``, ``summary`` and ``media:description`` (also inside ``media:content``) give the
  summary; but once a summary exists and no content yet, the next one becomes content instead. A
  summary found deeper in the item does not replace one found higher up.
* ``content:encoded`` or Atom ``content`` is content, and the summary if there is none yet.
* the first non-empty title counts; link, id, author and each date take the last value; a GUID that
  is a permalink is also the link unless a link came first.
* elements feedparser has no handler for are stored under their own name, which ``parse.py`` never
  reads: ignored, as long as they are leaves and the name is not one feedparser reads back.
"""

from __future__ import annotations

import re
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin
from lxml import etree

from monitor.feeds.parse.fields import Decline, Names, attributes, leaf, raw_text, text, typed_text, unknown_leaf

SUMMARY = frozenset({"description", "summary", "dc_description", "media_description", "itunes_summary"})
CONTENT = frozenset({"content", "content_encoded", "fullitem"})
TITLE = frozenset({"title", "dc_title"})
_AUTHOR = frozenset({"author", "dc_creator", "dc_author", "itunes_author", "managingeditor"})
_DATES = {"pubdate": "published", "published": "published", "issued": "published", "dcterms_issued": "published",
          "updated": "updated", "modified": "updated", "lastbuilddate": "updated", "dc_date": "updated",
          "dcterms_modified": "updated", "created": "created", "dcterms_created": "created"}
_MEDIA = frozenset({"media_content", "media_group"})
# Handled by feedparser, but only into keys parse.py does not read (tags, enclosures, rights, ...).
HARMLESS = frozenset({
    "category", "keywords", "dc_subject", "media_category", "media_keywords", "itunes_keywords", "itunes_category",
    "enclosure", "media_thumbnail", "media_credit", "media_rating", "media_restriction", "media_license",
    "media_player", "language", "dc_language", "rights", "copyright", "dc_rights", "dc_publisher", "webmaster",
    "expirationdate", "itunes_subtitle", "itunes_image", "itunes_explicit", "itunes_block", "subtitle", "tagline"})
_SUMMARY_KIND, _CONTENT_KIND, _TITLE_KIND, _LINK, _DATE, _GUID, _AUTHOR_KIND, _MEDIA_KIND, _HARMLESS_KIND, _UNKNOWN = (
    range(10))
_KIND = {**dict.fromkeys(SUMMARY, _SUMMARY_KIND), **dict.fromkeys(CONTENT, _CONTENT_KIND),
         **dict.fromkeys(TITLE, _TITLE_KIND), "link": _LINK, **dict.fromkeys(_DATES, _DATE),
         "guid": _GUID, "id": _GUID, **dict.fromkeys(_AUTHOR, _AUTHOR_KIND), **dict.fromkeys(_MEDIA, _MEDIA_KIND),
         **dict.fromkeys(HARMLESS, _HARMLESS_KIND)}
_LINK_ATTRIBUTES = frozenset({"href", "rel", "type", "title", "length", "hreflang", "xml:lang"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")


class _Entry:
    __slots__ = ("contents", "has_content", "summary_depth", "values")

    def __init__(self, has_content: bool) -> None:
        self.values: dict[str, Any] = {}
        self.contents: list[str] = []
        self.has_content = has_content  # feedparser's flag, reset only when an item ends
        self.summary_depth: int | None = None

    def summary(self, value: str, depth: int) -> None:
        if "summary" in self.values and not self.has_content:
            self.has_content = True
            self.contents.append(value)
        elif self.summary_depth is None or depth <= self.summary_depth:
            self.values["summary"] = value
            self.summary_depth = depth

    def content(self, value: str) -> None:
        self.has_content = True
        self.contents.append(value)
        self.values.setdefault("summary", value)


def read_entry(element: etree._Element, base: str, names: Names, has_content: bool) -> dict[str, Any]:
    """The item's values as feedparser gives them; ``has_content`` is feedparser's flag as the item starts."""
    entry = _Entry(has_content)
    values = entry.values
    if len(element.attrib):
        attrs = attributes(element)
        if "href" in attrs or "lastmod" in attrs:
            raise Decline("item attributes")
        if attrs.get("rdf:about"):
            values["id"] = attrs["rdf:about"]
    keys = names.keys
    for child in element:
        key = keys.get(child.tag) or names.key(child.tag)
        kind = _KIND.get(key, _UNKNOWN)
        if kind <= _TITLE_KIND:
            value = typed_text(child) if len(child.attrib) else text(child)
            if kind == _SUMMARY_KIND:
                entry.summary(value, 1)
            elif kind == _CONTENT_KIND:
                entry.content(value)
            elif not values.get("title"):
                values["title"] = value
        elif kind == _LINK:
            if len(child.attrib):
                _href_link(values, child, base)
            else:
                value = text(child)  # feedparser undoes "&amp;" and "&x;" that looked like entities
                if value:
                    value = ENTITY_LIKE.sub(r"&\g<1>", _urljoin(base, value).replace("&amp;", "&"))
                values["link"] = value
        elif kind == _DATE:
            field = _DATES[key]
            value = text(child)
            parsed = _parse_date(value) if value else None
            if value and parsed is None:
                raise Decline("a date feedparser may read otherwise")
            values[field] = value
            values[field + "_parsed"] = parsed
        elif kind == _GUID:
            _guid(values, child, base)
        elif kind == _AUTHOR_KIND:
            values["author"] = _author(child, names)
        elif kind == _MEDIA_KIND:
            _media(entry, child, names, 2)
        elif kind == _HARMLESS_KIND:
            leaf(child)
        else:
            unknown_leaf(child, key)
    if entry.contents:
        values["content"] = [{"type": "text/html", "value": value} for value in entry.contents]
    return values


def _media(entry: _Entry, element: etree._Element, names: Names, depth: int) -> None:
    """``media:content`` and ``media:group``: feedparser reads their descriptions at their depth."""
    for child in element:
        key = names.key(child.tag)
        if key in SUMMARY:
            entry.summary(typed_text(child), depth)
        elif key in _MEDIA:
            _media(entry, child, names, depth + 1)
        elif key in HARMLESS:
            leaf(child)
        else:
            unknown_leaf(child, key)


def _href_link(values: dict[str, Any], link: etree._Element, base: str) -> None:
    attrs = attributes(link)
    if not attrs.keys() <= _LINK_ATTRIBUTES or "href" not in attrs:
        raise Decline("an unusual link")
    leaf(link)
    if attrs.get("rel", "alternate") == "alternate":
        values["link"] = href(attrs, base)


def href(attrs: dict[str, str], base: str) -> str:
    """An alternate link's address: absolute, of an HTML page (feedparser skips other types)."""
    value = attrs["href"]
    if "://" not in value or attrs.get("type", "text/html") not in _HTML_TYPES:
        raise Decline("a relative or unusual link")
    return str(_urljoin(base, value))


def _guid(values: dict[str, Any], guid: etree._Element, base: str) -> None:
    permalink = "true"
    if len(guid.attrib):
        attrs = attributes(guid)
        if attrs.keys() - {"ispermalink"}:
            raise Decline("guid attributes")
        permalink = attrs.get("ispermalink", "true")
    value = text(guid)
    if permalink == "true":
        if value:
            value = _urljoin(base, value)
        values.setdefault("link", value)
    values["id"] = value


def _author(author: etree._Element, names: Names) -> str:
    if not len(author):
        value = text(author)
    elif len(author) == 1 and names.key(author[0].tag) == "name":
        value = raw_text(author[0])  # a name is kept as it is, not repaired like other text
        if not value and ((author.text or "") + (author[0].tail or "")).strip():
            raise Decline("an author with text beside an empty name")
    else:
        raise Decline("an author other than one name")
    if "@" in value:
        raise Decline("an e-mail author")
    return value
