"""Properties over generated input: parse raises only ParseError, cleaning never fails, URLs settle."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.dedup.urls import canonical_url
from monitor.errors import ParseError
from monitor.feeds.parse.encoding import fix_declared_encoding
from monitor.feeds.parse.html import html_to_text
from monitor.feeds.parse.reader import parse

FRAGMENTS = st.sampled_from([
    b"<?xml version='1.0' encoding='iso-8859-1'?>", b"<?xml version='1.0'?>", b"<rss version='2.0'>",
    b"<channel>", b"<title>", b"</title>", b"<item>", b"</item>", b"<link>", b"</link>", b"<description>",
    b"</description>", b"<![CDATA[", b"]]>", b"&amp;", b"&lt;p&gt;", b"&uuml;", b"&#x2019;", b"&#99999999;",
    b"\xc3\xbc", b"\xfc", b"\x00", b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"</entry>",
    b"<!DOCTYPE rss [<!ENTITY e 'x'>]>", b"&e;", b"<pubDate>Mon, 99 Foo 2024</pubDate>", b"{", b"}",
    b'"items": [', b"]", b"http://[", b"https://example.org/", b"/relative",
    b"xml:base='http://[x'", b"</channel></rss>", b"</feed>", b"<guid>", b"</guid>", b"\xef\xbb\xbf",
])
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.one_of(FRAGMENTS, st.binary(max_size=20)), max_size=40))
def test_parse_raises_nothing_but_parse_error(parts: list[bytes]) -> None:
    body = b"".join(parts)
    try:
        feed = parse(body, "https://example.org/feed")
    except ParseError:
        return
    for entry in feed.entries:
        assert entry.published is None or entry.published.utcoffset() is not None
        assert isinstance(entry.title, str) and "\x00" not in entry.title


@SETTINGS
@given(st.sampled_from([b"", b"<?xml version='1.0' encoding='latin-1'?>", b"<?xml version='1.0' encoding='utf-8'?>"]),
       st.binary(max_size=300))
def test_encoding_repair_never_fails_and_never_breaks_valid_utf8(declaration: bytes, rest: bytes) -> None:
    body = declaration + rest
    fixed = fix_declared_encoding(body)
    try:
        rest.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert fixed.endswith(rest)  # valid UTF-8 text is never rewritten
    if not declaration:
        assert fixed == body


@SETTINGS
@given(st.text(max_size=200))
def test_html_to_text_never_fails_and_is_idempotent_on_plain_text(html: str) -> None:
    text = html_to_text(html)
    assert "<script" not in text.lower() or "<script" in html.lower()
    if "<" not in html and "&" not in html:
        assert html_to_text(text) == text


@SETTINGS
@given(st.from_regex(r"https?://[A-Za-z0-9.-]{1,20}(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]{0,20})?"
                     r"(\?[A-Za-z0-9_=&%.-]{0,30})?(#[a-z]{0,5})?", fullmatch=True))
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
