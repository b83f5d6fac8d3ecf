"""Every file of the peer parsers' test suites goes through parse() without an exception escaping.

The suites live in ../shared/realdata (skipped where absent): feedparser's wellformed, illformed,
encoding, entities and json cases, feed-rs fixtures, rss-parser inputs, fastfeedparser's real feeds.
Beyond "no crash", the invariants users rely on are checked on every entry, and fastfeedparser's
expected outputs are compared entry by entry.
"""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.errors import ParseError
from monitor.feeds.parse.html import html_to_text
from monitor.feeds.parse.reader import parse
from monitor.model import ParsedFeed

SUITES = {
    "feedparser-wellformed": ("feedparser-tests/wellformed", 6),
    "feedparser-illformed": ("feedparser-tests/illformed", 1),
    "feedparser-encoding": ("feedparser-tests/encoding", 0),
    "feedparser-entities": ("feedparser-tests/entities", 0),
    "feedparser-json": ("feedparser-tests/json", 0),
    "feed-rs": ("feed-rs-fixtures", 2),
    "rss-parser": ("rss-parser-inputs", 1),
    "fastfeedparser": ("fastfeedparser-integration", 0),
}
EXPECTED_OUTPUTS = (".serde.json", ".expected.json")  # a peer's expected result, not a feed


def _feeds(root: Path) -> list[Path]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))
    feeds = [p for p in files if not p.name.endswith(EXPECTED_OUTPUTS)]
    # fastfeedparser keeps its expected output beside each feed as NAME.json
    return [p for p in feeds if not (p.suffix == ".json" and p.with_suffix(".xml").exists())]


def _check_invariants(feed: ParsedFeed, where: Path) -> list[str]:
    problems = []
    for entry in feed.entries:
        if entry.published is not None and entry.published.tzinfo != UTC:
            problems.append(f"{where.name}: published not UTC")
        if entry.link and not urlsplit(entry.link).scheme:
            problems.append(f"{where.name}: relative link {entry.link}")
        if "</p>" in entry.summary + entry.body + entry.title:
            problems.append(f"{where.name}: markup left in text")
    return problems


@pytest.mark.parametrize("suite", SUITES)
def test_peer_suite_parses_without_escaping_exception(realdata: Path, suite: str) -> None:
    folder, allowed_not_feeds = SUITES[suite]
    files = _feeds(realdata / folder)
    assert files, f"no files in {folder}"
    escaped: list[str] = []
    not_feeds: list[str] = []
    problems: list[str] = []
    for path in files:
        try:
            feed = parse(path.read_bytes(), "https://example.org/feed/")
        except ParseError:
            not_feeds.append(path.name)
            continue
        except Exception as err:  # the point of the test: nothing else may escape
            escaped.append(f"{path.relative_to(realdata)}: {type(err).__name__}: {err}")
            continue
        problems.extend(_check_invariants(feed, path))
    assert not escaped, escaped[:10]
    assert not problems, problems[:10]
    assert len(not_feeds) <= allowed_not_feeds, not_feeds


def test_fastfeedparser_expected_entries_match(realdata: Path) -> None:
    folder = realdata / "fastfeedparser-integration"
    pairs = [(x, x.with_suffix(".json")) for x in sorted(folder.glob("*.xml"))
             if x.with_suffix(".json").exists()]
    pairs.append((folder / "json_feed_sample.json", folder / "json_feed_sample.expected.json"))
    known_differences = {"malformed_rss_namespaced"}  # rss:-prefixed elements; feedparser finds no items
    compared = 0
    for source, expected_file in pairs:
        if source.stem in known_differences:
            continue
        expected = json.loads(expected_file.read_text())
        feed = parse(source.read_bytes(), expected["feed"].get("link") or "https://example.org/")
        assert [e.link for e in feed.entries] == [e.get("link") for e in expected["entries"]], source.name
        titles = [html_to_text(e.get("title") or "") for e in expected["entries"]]
        assert [e.title for e in feed.entries] == titles, source.name
        compared += len(titles)
    assert compared > 150


_EXPECT = re.compile(r"^\s*Expect:\s*(?:not bozo and |bozo and )?"
                     r"(entries\[0\]\['(title|description|summary)'\]|feed\['title'\]) == ('.*'|\".*\")\s*$", re.M)


def test_feedparser_text_expectations_hold_as_plain_text(realdata: Path) -> None:
    """feedparser's cases that state a title or description: ours is the same text without markup.

    The few differences are deliberate: iframe/object fallback content is dropped, and an HTML
    comment without a proper end hides the rest as browsers do.
    """
    checked, differ = 0, []
    for path in sorted((realdata / "feedparser-tests").rglob("*.xml")):
        head = path.read_bytes()[:3000].decode("utf-8", "replace")
        found = _EXPECT.search(head)
        if not found or "Header:" in head:  # cases that depend on HTTP headers are not about parse
            continue
        try:
            wanted = html_to_text(ast.literal_eval(found.group(3)))
        except (ValueError, SyntaxError):  # a compound expectation, not one string
            continue
        if not wanted:
            continue
        feed = parse(path.read_bytes(), "http://example.org/")
        if found.group(1).startswith("feed"):
            got = feed.title
        elif not feed.entries:
            got = ""
        else:
            entry = feed.entries[0]
            got = entry.title if found.group(2) == "title" else entry.summary or entry.body
        checked += 1
        if got != wanted:
            differ.append(f"{path.name}: {wanted[:40]!r} != {got[:40]!r}")
    assert checked > 500
    assert len(differ) <= 10, differ
