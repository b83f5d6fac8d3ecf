"""Messages from the Jinja2 templates: every format escapes feed text, templates can be replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.alert.render import Renderer, segments
from monitor.errors import ConfigError
from monitor.settings import load
from tests.harness import write_config

HOSTILE = {
    "watchlist": "ukraine",
    "title": "Lawrow: <script>alert(1)</script> *Grüße* [aus](Moskau)",
    "link": "https://example.org/lawrow.html?a=1&b=(2)",
    "source": "Österreich-Ticker",
    "published": "2025-10-21T08:05:00+00:00",
    "terms": ["Lawrow"],
    "snippet": "… sagte Lawrow <img src=x onerror=alert(2)> am Montag",
    "snippet_spans": [[8, 14]],
}


def test_html_escapes_everything_from_the_feed_and_highlights_the_hit() -> None:
    title, body = Renderer().alert(HOSTILE, "html")
    assert title == "[ukraine] Lawrow: <script>alert(1)</script> *Grüße* [aus](Moskau)"  # titles are plain text
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="https://example.org/lawrow.html?a=1&amp;b=(2)"' in body
    assert "<mark>Lawrow</mark>" in body
    assert "21.10.2025 10:05" in body  # Europe/Berlin, CEST
    assert "Österreich-Ticker" in body


def test_markdown_escapes_markup_of_the_feed_but_keeps_its_own() -> None:
    _title, body = Renderer().alert(HOSTILE, "markdown")
    assert r"\*Grüße\* \[aus\]\(Moskau\)" in body
    assert "(https://example.org/lawrow.html?a=1&b=%282%29)" in body  # the link survives as a link
    assert "**Lawrow**" in body and r"\<img" in body


def test_text_keeps_the_feed_text_as_it_is() -> None:
    _title, body = Renderer().alert(HOSTILE, "text")
    assert HOSTILE["title"] in body and HOSTILE["link"] in body and "*Lawrow*" in body


def test_only_http_links_become_clickable() -> None:
    _title, body = Renderer().alert(dict(HOSTILE, link="javascript:alert(3)"), "html")
    assert "href" not in body and "<small>javascript:alert(3)</small>" in body  # shown, not linked


def test_story_follow_ups_are_listed_with_their_links_instead_of_the_snippet() -> None:
    story = dict(HOSTILE, title="Story „Gipfel in Budapest“: 2 weitere Artikel", snippet="a (X) · b (Y)",
                 followups=[{"title": "Orbán lädt ein <b>", "link": "https://example.org/f1", "source": "ORF",
                             "published": "2025-10-21T09:00:00+00:00"},
                            {"title": "Kreml bestätigt", "link": "https://example.org/f2", "source": "SRF"}])
    _title, html = Renderer().alert(story, "html")
    assert '<a href="https://example.org/f1">Orbán lädt ein &lt;b&gt;</a> (ORF)' in html
    assert "a (X) · b (Y)" not in html
    _title, text = Renderer().alert(story, "text")
    assert "+ Orbán lädt ein <b> (ORF, 21.10.2025 11:00) https://example.org/f1" in text


def test_a_batch_lists_every_article() -> None:
    items = [dict(HOSTILE, title=f"Meldung {n}", link=f"https://example.org/{n}") for n in range(7)]
    title, body = Renderer().batch("summary", items, "html", reason="3/hour")
    assert "7 Meldungen" in title and "Ratenlimit 3/hour" in title
    assert all(f'href="https://example.org/{n}"' in body for n in range(7))


def test_segments_cut_the_snippet_at_the_hits() -> None:
    assert segments("ab Lawrow cd", [[3, 9]]) == [("ab ", False), ("Lawrow", True), (" cd", False)]
    assert segments("abc", [[2, 9], [0, 1]]) == [("a", True), ("b", False), ("c", True)]


def test_a_template_folder_replaces_bundled_templates(tmp_path: Path) -> None:
    folder = tmp_path / "vorlagen"
    folder.mkdir()
    (folder / "alert.title.j2").write_text("Treffer für {{ a.watchlist }}: {{ a.title }}", "utf-8")
    (folder / "alert.html.j2").write_text('<p class="x">{{ a.title }}</p>', "utf-8")
    settings = load(write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, templates="vorlagen"))
    renderer = Renderer(settings.templates, settings.monitor.delivery.timezone)
    title, body = renderer.alert(HOSTILE, "html")
    assert title.startswith("Treffer für ukraine: Lawrow")
    assert body.strip() == '<p class="x">Lawrow: &lt;script&gt;alert(1)&lt;/script&gt; *Grüße* [aus](Moskau)</p>'
    assert "Quelle:" in renderer.alert(HOSTILE, "text")[1]  # not replaced: bundled


def test_a_broken_or_unknown_template_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "vorlagen"
    folder.mkdir()
    (folder / "alert.html.j2").write_text("<p>\n{% if a.title %}{{ a.title }}\n</p>", "utf-8")
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, templates="vorlagen")
    with pytest.raises(ConfigError) as caught:
        load(config)
    assert "alert.html.j2" in str(caught.value) and "line" in str(caught.value)
    (folder / "alert.html.j2").unlink()
    (folder / "alret.html.j2").write_text("x", "utf-8")
    with pytest.raises(ConfigError, match=r"alret\.html\.j2"):
        load(config)


def test_the_sandbox_refuses_unsafe_template_code(tmp_path: Path) -> None:
    from monitor.errors import DeliveryError

    evil = {"alert.text.j2": "{{ a.__class__.__mro__[1].__subclasses__() }}"}
    with pytest.raises(DeliveryError, match=r"alert\.text\.j2"):
        Renderer(evil).alert(HOSTILE, "text")
