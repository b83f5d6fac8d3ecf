"""A fast path for the common feed: plain RSS 2.0 or Atom 1.0 in UTF-8, read with lxml.

feedparser is a SAX parser with Python callbacks for every element and character run; lxml reads
the same well-formed feed about fifty times faster (DESIGN §10). This module gives ``parse.py``
exactly the values feedparser would give it (same keys, feedparser's own date parser, URL joining,
mojibake repair and cp1252 mapping), and declines, returning None, whenever a feed holds anything
whose treatment it does not copy: a DOCTYPE, ``xml:base``, another encoding, markup as child
elements, repeated or unknown fields, e-mail authors, relative Atom links. feedparser then reads
the feed as before; ``tests/test_feedxml.py`` checks both agree on every real feed we have.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.urls import _urljoin
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MEDIA = "{http://search.yahoo.com/mrss/}"
_RSS_TEXT = {"title": "title", "description": "summary", _CONTENT: "content", "guid": "id", "link": "link",
             "pubDate": "published", _DC + "date": "updated", ATOM + "updated": "updated", "author": "author",
             _DC + "creator": "author"}
_RSS_IGNORED = frozenset({"category", "comments", "enclosure", _MEDIA + "content", _MEDIA + "thumbnail",
                          _DC + "subject", _DC + "language", _DC + "rights"})
_ATOM_TEXT = {ATOM + "title": "title", ATOM + "summary": "summary", ATOM + "content": "content", ATOM + "id": "id",
              ATOM + "published": "published", ATOM + "updated": "updated"}
_ATOM_IGNORED = frozenset({ATOM + "category", ATOM + "rights", _MEDIA + "content", _MEDIA + "thumbnail"})
_HTMLISH = frozenset({None, "text", "html", "text/html", "text/plain"})
_REFUSE = (b"<!doctype", b"<!entity", b"xml:base")  # looked for in the lower-cased body
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                          remove_pis=True)
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
_C1 = re.compile("[\x80-\x9f]")  # what feedparser maps to cp1252's characters
_ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class _Decline(Exception):
    """Something this fast path does not copy from feedparser: let feedparser read the feed."""


def read(body: bytes, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(feed, entries) as feedparser would give them, or None when feedparser must read ``body``."""
    lowered = body.lower()  # one C pass; a case-insensitive regex over the body took 15x longer
    if any(marker in lowered for marker in _REFUSE):
        return None
    try:
        root = etree.fromstring(body, _PARSER)
        declared = _DECLARED.match(body)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
        if root.tag == "rss" and root.get("version") == "2.0":
            return _rss(root, base)
        if root.tag == ATOM + "feed":
            return _atom(root, base)
    except (etree.XMLSyntaxError, _Decline, ValueError):
        return None
    return None


def _text(element: etree._Element) -> str:
    if len(element):
        raise _Decline("markup as child elements")
    value = (element.text or "").strip()
    if not value.isascii():
        if _BEYOND_LATIN1.search(value) is None:
            with suppress(UnicodeEncodeError, UnicodeDecodeError):  # feedparser's repair of UTF-8 read as Latin-1
                value = value.encode("iso-8859-1").decode("utf-8")
        if _C1.search(value):
            value = value.translate(_cp1252)
    return value


def _fields(element: etree._Element, known: dict[str, str], ignored: frozenset[str]) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or _ignored(child, ignored):
            continue
        key = known.get(tag)
        if key is None or (key in found and key != "author"):
            raise _Decline(f"element {tag}")
        found[key] = child  # of several authors feedparser keeps the last
    return found


def _ignored(element: etree._Element, ignored: frozenset[str]) -> bool:
    if element.tag not in ignored:
        return False
    if len(element):  # media:description inside media:content becomes feedparser's content
        raise _Decline(f"children in {element.tag}")
    return True


def _dates(entry: dict[str, Any], found: dict[str, etree._Element]) -> None:
    for key in ("published", "updated"):
        if key in found:
            value = _text(found[key])
            parsed = _parse_date(value) if value else None
            if value and parsed is None:
                raise _Decline("a date feedparser may read otherwise")
            entry[key] = value
            entry[key + "_parsed"] = parsed


def _author(value: str) -> str:
    if "@" in value:
        raise _Decline("an e-mail author")
    return value


def _rss(root: etree._Element, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    channel = root.find("channel")
    if channel is None or len(root) != 1:
        raise _Decline("not one channel")
    feed: dict[str, Any] = {}
    for child in channel:
        if child.tag == "title" and "title" not in feed:
            feed["title"] = _text(child)
        elif child.tag == "link" and "link" not in feed:
            feed["link"] = _ENTITY_LIKE.sub(r"&\g<1>", _urljoin(base, _text(child)))
        elif (child.tag == ATOM + "link" and child.get("rel") != "self") or child.tag == _DC + "title":
            raise _Decline("an Atom link or a DC title in the channel")
    items = channel.findall("item")
    if len(items) != len(root.findall(".//item")):
        raise _Decline("items outside the channel")
    return feed, [_rss_item(item, base) for item in items]


def _rss_item(item: etree._Element, base: str) -> dict[str, Any]:
    found = _fields(item, _RSS_TEXT, _RSS_IGNORED)
    if item.attrib:
        raise _Decline("item attributes")
    entry: dict[str, Any] = {}
    if "title" in found:
        entry["title"] = _text(found["title"])
    content = _text(found["content"]) if "content" in found else None
    if "summary" in found:
        if content is not None and item.index(found["content"]) < item.index(found["summary"]):
            raise _Decline("content before description")
        entry["summary"] = _text(found["summary"])
    if content is not None:
        entry["content"] = [{"type": "text/html", "value": content}]
        entry.setdefault("summary", content)
    if "author" in found:
        entry["author"] = _author(_text(found["author"]))
    _dates(entry, found)
    guid = found.get("id")
    if guid is not None:
        permalink = guid.get("isPermaLink", "true")
        if set(guid.attrib) - {"isPermaLink"}:
            raise _Decline("guid attributes")
        value = _text(guid)
        if permalink == "true" and value:
            value = _urljoin(base, value)
            entry["link"] = value
        entry["id"] = value
    if "link" in found:
        link = _text(found["link"])
        if not link:
            raise _Decline("an empty link")
        link = _ENTITY_LIKE.sub(r"&\g<1>", _urljoin(base, link).replace("&amp;", "&"))
        entry["link"] = link
    return entry


def _atom(root: etree._Element, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    feed: dict[str, Any] = {}
    for child in root:
        if child.tag == ATOM + "title" and "title" not in feed:
            feed["title"] = _atom_text(child)
        elif child.tag == ATOM + "link" and child.get("rel", "alternate") == "alternate":
            feed["link"] = _href(child, base)
        elif child.tag == ATOM + "id":
            feed.setdefault("link", _urljoin(base, _text(child)))  # an id is the link until one comes
    entries = [_atom_entry(entry, base) for entry in root.iterfind(ATOM + "entry")]
    return feed, entries


def _atom_text(element: etree._Element) -> str:
    if element.get("type") not in _HTMLISH or element.get("src") or element.get("mode"):
        raise _Decline("xhtml, base64 or external content")
    return _text(element)


def _href(link: etree._Element, base: str) -> str:
    href = link.get("href") or ""
    if link.get("rel", "alternate") != "alternate":
        raise _Decline("an enclosure or other link")
    if "://" not in href or (link.get("type") or "text/html") not in ("text/html", "application/xhtml+xml"):
        raise _Decline("a relative or unusual link")
    return str(_urljoin(base, href))


def _atom_entry(element: etree._Element, base: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    links: list[str] = []
    authors = 0
    texts: dict[str, etree._Element] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or _ignored(child, _ATOM_IGNORED):
            continue
        if tag == ATOM + "link":
            if child.get("rel", "alternate") in ("alternate", "enclosure", "related", "self", "replies"):
                if child.get("rel", "alternate") == "alternate" or not child.get("href"):
                    links.append(_href(child, base))
            else:
                raise _Decline("an unusual link")
            continue
        if tag == ATOM + "author":
            authors += 1
            names = [c for c in child if isinstance(c.tag, str)]
            if authors > 1 or [c.tag for c in names] != [ATOM + "name"]:
                raise _Decline("an author other than one name")
            entry["author"] = _author(_text(names[0]))
            continue
        key = _ATOM_TEXT.get(tag)
        if key is None or key in texts:
            raise _Decline(f"element {tag}")
        texts[key] = child
    if "id" in texts:
        entry["id"] = str(_urljoin(base, _text(texts["id"])))
        entry["link"] = entry["id"]
    if links:
        entry["link"] = links[-1]
    if "title" in texts:
        entry["title"] = _atom_text(texts["title"])
    content = _atom_text(texts["content"]) if "content" in texts else None
    if "summary" in texts:
        if content is not None and element.index(texts["content"]) < element.index(texts["summary"]):
            raise _Decline("content before summary")
        entry["summary"] = _atom_text(texts["summary"])
    if content is not None:
        entry["content"] = [{"type": "text/html", "value": content}]
        entry.setdefault("summary", content)
    _dates(entry, texts)
    return entry
