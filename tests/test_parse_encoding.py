"""Lying encodings: umlauts come out right whatever the declaration claims."""

from __future__ import annotations

import pytest

from monitor.feeds.parse.encoding import fix_declared_encoding
from monitor.feeds.parse.reader import parse

TEMPLATE = ("<rss version='2.0'><channel><title>Köln</title>"
            "<item><title>Grüße aus Düsseldorf – „Zitat“</title></item></channel></rss>")


@pytest.mark.parametrize("declaration", ["", "<?xml version='1.0' encoding='utf-8'?>",
                                         "<?xml version='1.0' encoding='ISO-8859-1'?>",
                                         "<?xml version='1.0' encoding='windows-1252'?>",
                                         "<?xml version='1.0' encoding='us-ascii'?>",
                                         "\n\n  <?xml version='1.0' encoding='iso-8859-1'?>"])
def test_utf8_bytes_read_right_whatever_is_declared(declaration: str) -> None:
    feed = parse((declaration + TEMPLATE).encode(), "")
    assert (feed.title, feed.entries[0].title) == ("Köln", "Grüße aus Düsseldorf – „Zitat“")


@pytest.mark.parametrize("declaration", ["<?xml version='1.0' encoding='windows-1252'?>",
                                         "<?xml version='1.0' encoding='utf-8'?>", ""])
def test_windows_1252_bytes_read_right_even_when_utf8_is_declared(declaration: str) -> None:
    feed = parse((declaration + TEMPLATE).encode("cp1252"), "")
    assert feed.entries[0].title == "Grüße aus Düsseldorf – „Zitat“"


def test_utf8_document_with_stray_windows_1252_bytes_keeps_its_utf8() -> None:
    body = TEMPLATE.encode().replace(b"</title></item>", b" \xe4 \x93ok\x94</title></item>")
    assert parse(b"<?xml version='1.0' encoding='utf-8'?>" + body, "").entries[0].title == \
        "Grüße aus Düsseldorf – „Zitat“ ä “ok”"
    assert parse(body, "").entries[0].title.startswith("Grüße")


def test_honest_documents_are_left_alone() -> None:
    latin1 = ("<?xml version='1.0' encoding='ISO-8859-1'?>" + TEMPLATE.replace("–", "-")
              .replace("„", '"').replace("“", '"')).encode("latin-1")
    utf8 = ("<?xml version='1.0' encoding='utf-8'?>" + TEMPLATE).encode()
    utf16 = ("<?xml version='1.0' encoding='utf-16'?>" + TEMPLATE).encode("utf-16")
    for body in (latin1, utf8, utf16):
        assert fix_declared_encoding(body) == body
    assert parse(utf16, "").entries[0].title == "Grüße aus Düsseldorf – „Zitat“"
