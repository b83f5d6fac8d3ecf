"""OPML feed lists: read (``feeds_opml``, ``feeds import``) and write (``feeds export``)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree

from monitor.errors import ConfigError


def read_opml(data: bytes, file: str | None = None, key: str | None = None) -> list[tuple[str, str]]:
    """(title, xmlUrl) of every outline with a feed URL, nested folders included, in document order;
    errors name ``file`` (and ``key``, the config key that named it)."""
    try:
        root = ElementTree.fromstring(data)
    except Exception as err:  # defusedxml raises several types; all mean "not OPML we accept"
        raise ConfigError(f"not a readable OPML file: {err}", file=file, key=key) from err
    feeds: list[tuple[str, str]] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip()
        feeds.append((title, url))
    return feeds


def write_opml(feeds: list[tuple[str, str]], title: str = "newsmon feeds") -> bytes:
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for name, url in feeds:
        SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
    data: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return data
