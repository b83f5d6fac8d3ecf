"""Hostile XML: entity expansion never happens, external entities and DTDs are never read."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.feeds.parse.reader import parse
from tests.servers import FeedServer

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Bombe &lol9;</title>
<item><title>Eintrag &lol9;</title><description>&lol9;</description></item></channel></rss>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
             b"<rss version='2.0'><channel><title>q</title><item><title>" + b"&a;" * 50_000
             + b"</title></item></channel></rss>")


@pytest.mark.parametrize("body", [BOMB, QUADRATIC], ids=["billion-laughs", "quadratic-blowup"])
def test_entity_bombs_do_not_expand(body: bytes) -> None:
    tracemalloc.start()
    try:
        try:
            feed = parse(body, "https://example.org/feed")
        except ParseError:
            feed = None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000  # expanded, the quadratic case alone would be 2.5 GB of text
    if feed is not None:
        text = " ".join(e.title + e.summary for e in feed.entries) + feed.title
        assert "lol" * 100 not in text and "A" * 100_000 not in text


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_external_entities_never_read_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIMNIS-4711")
    for declaration in (f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">',
                        f'<!ENTITY xxe SYSTEM "{secret}">',
                        f'<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;'):
        body = (f'<?xml version="1.0"?><!DOCTYPE rss [{declaration}]><rss version="2.0"><channel>'
                f"<title>x &xxe;</title><item><title>t &xxe;</title><description>&xxe;</description>"
                f"</item></channel></rss>").encode()
        try:
            feed = parse(body, "https://example.org/feed")
        except ParseError:
            continue
        text = feed.title + " ".join(e.title + e.summary + e.body for e in feed.entries)
        assert "GEHEIMNIS" not in text


def test_external_dtd_and_entities_are_never_fetched(server: FeedServer) -> None:
    server.serve("/evil.dtd", b'<!ENTITY leak "LEAKED">')
    server.serve("/entity.txt", b"LEAKED")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}" ['
            f'<!ENTITY ext SYSTEM "{server.url("/entity.txt")}">]>'
            f'<rss version="2.0"><channel><title>&leak; &ext;</title><item><title>a</title></item>'
            f"</channel></rss>").encode()
    try:
        feed = parse(body, "https://example.org/feed")
        assert "LEAKED" not in feed.title
    except ParseError:
        pass
    assert server.hits["/evil.dtd"] == 0 and server.hits["/entity.txt"] == 0


def test_a_feed_with_endless_items_is_read_up_to_the_entry_cap() -> None:
    from monitor.feeds.parse.reader import MAX_ENTRIES

    body = (b"<rss version='2.0'><channel><title>t</title>"
            + b"".join(b"<item><title>Nr. %d</title></item>" % i for i in range(MAX_ENTRIES + 500))
            + b"</channel></rss>")
    feed = parse(body, "https://example.org/feed")
    assert len(feed.entries) == MAX_ENTRIES and feed.entries[0].title == "Nr. 0"
    assert feed.warning is not None and "only the first" in feed.warning
