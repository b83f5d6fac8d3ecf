"""A feed's title cannot add Markdown blocks (lists, rules, headings, quotes, code) to an alert.

Inline markup was escaped already; a title with newlines and ``-``, ``---`` or ``1.`` at a line
start still became a list or a rule. Titles are one line now, and block syntax at the start of
anything a feed wrote is escaped. The message is read back from a real webhook and parsed with a
CommonMark parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from monitor.alert.render import Renderer
from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

HOSTILE_TITLES = [
    "Tomahawk\n- eins\n- zwei",
    "Tomahawk\n---\nunterstrichen",
    "Tomahawk\n1. erstens\n2) zweitens",
    "- Tomahawk als Liste",
    "+ Tomahawk",
    "1. Tomahawk",
    "Tomahawk\n===",
    "Tomahawk\n# Überschrift\n> Zitat",
    "Tomahawk\n\n    eingerückter Code",
    "Tomahawk\n```\nZaun",
    "--- Tomahawk",
    "Tomahawk\n* * *",
]
BLOCKS = {"bullet_list_open", "ordered_list_open", "hr", "heading_open", "code_block", "fence", "html_block"}


def _blocks(markdown: str) -> set[str]:
    tokens = [token.type for token in MarkdownIt("commonmark").parse(markdown)]
    assert tokens.count("blockquote_open") <= 1  # the template's own quote of the snippet, nothing more
    return set(tokens) & BLOCKS


def test_hostile_titles_add_no_markdown_blocks_at_a_real_markdown_target(tmp_path: Path) -> None:
    items = [Item(title, f"https://example.org/{n}.html", guid=f"item-{n:04d}", description="Bericht")
             for n, title in enumerate(HOSTILE_TITLES)]
    lists = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}
    with FeedServer() as server, Webhook() as hook:
        config = write_config(tmp_path, {"Testfeed": server.serve("/f.xml", rss(items))},
                              {"hook": {"url": hook.url, "format": "markdown"}}, watchlists=lists)
        run = Runner(load(config), clock=Clock())
        assert run.cycle().delivery.sent == len(HOSTILE_TITLES)
        run.close()
    assert len(hook.messages) == len(HOSTILE_TITLES)
    for message in hook.messages:
        assert _blocks(message["message"]) == set(), message["message"]
        assert "\n" not in message["title"]
    bodies = " ".join(m["message"] for m in hook.messages)
    assert "eins" in bodies and "unterstrichen" in bodies and "Zitat" in bodies  # escaped, not dropped


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_title_is_one_line_in_every_format(fmt: str) -> None:
    title, body = Renderer().alert({"watchlist": "w", "title": "Tomahawk\n- eins\r\n  zwei", "link": "https://e.org/",
                                    "source": "Quelle\nzwei", "terms": ["Tomahawk"]}, fmt)
    assert title == "[w] Tomahawk - eins zwei"
    lines = [line.strip().lstrip("*[\\") for line in body.splitlines()]
    assert not [line for line in lines if line.startswith(("- eins", "eins", "zwei"))], body
    assert "Quelle zwei" in body


def test_the_templates_own_lists_stay_lists() -> None:
    story = {"watchlist": "w", "title": "Story", "link": "https://e.org/", "source": "Q", "terms": ["x"],
             "followups": [{"title": "- eins", "link": "https://e.org/1", "source": "ORF"},
                           {"title": "2. zwei", "link": "https://e.org/2", "source": "SRF"}]}
    _title, body = Renderer().alert(story, "markdown")
    tokens = [token.type for token in MarkdownIt("commonmark").parse(body)]
    assert tokens.count("list_item_open") == 2 and "ordered_list_open" not in tokens
