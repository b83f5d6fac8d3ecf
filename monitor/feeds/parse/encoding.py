"""Feed bytes whose declared encoding lies, made readable before feedparser sees them.

Two mistakes are common in German feeds and both turn umlauts into mojibake:

* a single-byte encoding (ISO-8859-1, windows-1252) is declared, but the bytes are UTF-8
  (a real SPIEGEL feed): the document is re-declared as UTF-8. Real Latin-1 text with umlauts is
  almost never valid UTF-8, so this cannot misfire on honest feeds;
* UTF-8 is declared (or implied) and the bytes are UTF-8, except for a few stray windows-1252
  bytes pasted in from elsewhere: feedparser would then read the whole document as windows-1252.
  Here only the stray bytes are read as windows-1252 and the rest stays UTF-8.

Whitespace before the XML declaration (which strict parsers reject) is dropped too.
"""

from __future__ import annotations

import codecs
import re

_DECLARATION = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])", re.I)
_SINGLE_BYTE = re.compile(rb"^(iso-?8859-?\d+|latin-?1|l1|windows-125\d|cp125\d|us-ascii|ascii)$", re.I)
_UTF8 = re.compile(rb"^utf-?8$", re.I)
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CP1252_HOLES = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _stray_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    text = "".join(chr(b) if b in _CP1252_HOLES else bytes([b]).decode("cp1252") for b in bad)
    return text, error.end


codecs.register_error("newsmon.stray-cp1252", _stray_as_cp1252)


def fix_declared_encoding(body: bytes) -> bytes:
    """The body with its encoding problems above repaired; honest documents come back unchanged
    (apart from whitespace before the declaration)."""
    found = _DECLARATION.match(body)
    if found is None:
        if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:64]:
            return body  # UTF-16/32: feedparser reads the BOM
        return _repair_mixed(body)
    declared = found.group(3)
    rest = body[found.start(2):]
    if rest.isascii():
        return rest
    if _SINGLE_BYTE.match(declared):
        if _valid_utf8(rest):
            return found.group(2) + b"utf-8" + found.group(4) + body[found.end():]
        return rest
    if _UTF8.match(declared):
        return _repair_mixed(rest)
    return rest


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _repair_mixed(data: bytes) -> bytes:
    """UTF-8 with stray single bytes: those bytes read as windows-1252, everything else as UTF-8."""
    if data.isascii() or _valid_utf8(data) or not _MULTIBYTE.search(data):
        return data  # clean, or no UTF-8 at all (then it is Latin-1 and feedparser's fallback is right)
    return data.decode("utf-8", errors="newsmon.stray-cp1252").encode("utf-8")
