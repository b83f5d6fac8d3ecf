"""HTML to plain text.

``html_to_text`` uses lxml.html (about 10x faster than bs4, docs/architecture.md §8): scripts, styles and
comments are dropped, block elements and ``<br>`` become line breaks, runs of spaces collapse.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "math"})
# Control characters and lone surrogates: no database stores them alike (PostgreSQL refuses NUL, a
# surrogate cannot be encoded at all), and no reader sees them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_MARKUP = re.compile(r"[<&]")


def printable(text: str) -> str:
    """Plain text without control characters (line breaks and tabs stay) or lone surrogates."""
    return _CONTROL.sub("", text)


def one_line(value: str) -> str:
    """A link, GUID or other one-line value without control characters (tabs and line breaks too,
    as browsers drop them from URLs) or lone surrogates, trimmed."""
    return _CONTROL_ANY.sub("", value).strip()


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment or document; paragraphs on their own lines."""
    if not html:
        return ""
    html = _CONTROL.sub("", html)
    if not _MARKUP.search(html):
        return _tidy(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html)
    parts: list[str] = []
    _collect(root, parts)
    return _tidy("".join(parts))


def _collect(element: etree._Element, parts: list[str]) -> None:
    """The visible text under ``element`` and its tail (comments and processing instructions have a
    non-string tag: only their tail counts)."""
    tag = element.tag
    if isinstance(tag, str):
        if "}" in tag:
            tag = tag.rsplit("}", 1)[-1]
        tag = tag.lower()
        if tag not in _SKIP:
            block = tag in _BLOCK
            if block or tag == "br":
                parts.append("\n")
            elif tag == "img" and element.get("alt"):
                parts.append(" ")
            text = element.text
            if text:
                parts.append(text)
            for child in element:
                _collect(child, parts)
            if block:
                parts.append("\n")
    tail = element.tail
    if tail:
        parts.append(tail)


def _tidy(text: str) -> str:
    """Runs of whitespace in a line as one space, lines trimmed, empty lines dropped (str methods: a
    regex substitution per space was a fifth of the cleaning)."""
    return "\n".join(line for line in (" ".join(part.split()) for part in text.split("\n")) if line)


# Query parameters that only track where a click came from; removed from canonical URLs.
