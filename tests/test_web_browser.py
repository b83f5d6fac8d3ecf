"""The web view as a person uses it: ``newsmon web`` (a real process) over a database filled from
the real captures by ``run --once``, driven by a headless chromium.

Screenshots go to ``$NEWSMON_WEB_SCREENSHOTS`` when set (the README's come from
``NEWSMON_WEB_SCREENSHOTS=docs/web``), else to the test's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.browser import chromium, screenshot
from tests.conftest import REALDATA
from tests.website import HOSTILE_TEXT, Site, WebProcess, site

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data not present at {REALDATA}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, WebProcess]]:
    folder = tmp_path_factory.mktemp("web")
    with site(folder, REALDATA / "corss-dec2024-snapshot") as made, WebProcess(made.config) as web:
        yield made, web


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("NEWSMON_WEB_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


def _by(kind: str) -> Any:
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def _wait(driver: Any, condition: Any, timeout: float = 30) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)


def _text(driver: Any, selector: str) -> str | None:
    """The element's text read in one step in the page (an element may be replaced by a reload
    between finding it and reading it)."""
    found: str | None = driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", selector)
    return found


def _save(path: Path, text: str) -> None:
    """As an editor saves: the whole new file at once (written beside it, then renamed over it)."""
    part = path.with_suffix(".part")
    part.write_text(text, "utf-8")
    os.replace(part, path)


def test_the_overview_shows_every_feed_the_failing_one_red_and_leads_to_a_story(
        served: tuple[Site, WebProcess], browser: Any, shots: Path) -> None:
    _site, web = served
    browser.get(web.url + "/")
    rows = browser.find_elements(_by("CSS_SELECTOR"), "table.feeds tbody tr")
    assert len(rows) == 16  # 13 captures, the hostile feed, the private one, the failing one
    failing = browser.find_elements(_by("CSS_SELECTOR"), "table.feeds tr.failing")
    assert [row.find_element(_by("TAG_NAME"), "td").text for row in failing] == ["gone"]
    assert "HTTP 500" in failing[0].text
    assert "180, 35, 24" in failing[0].find_element(_by("TAG_NAME"), "td").value_of_css_property("color")
    figures = browser.find_element(_by("CSS_SELECTOR"), "section.figures").text
    assert "1001 articles today" in figures  # 999 from the captures, the hostile and the private article
    assert "1 dead" in browser.find_element(_by("CSS_SELECTOR"), "section.outbox").text
    screenshot(browser, shots / "overview.png")

    browser.find_element(_by("LINK_TEXT"), "Stories").click()
    _wait(browser, lambda d: d.find_elements(_by("CSS_SELECTOR"), "ol.stories li a"))
    screenshot(browser, shots / "stories.png")
    first = browser.find_element(_by("CSS_SELECTOR"), "ol.stories li a")
    title = first.text
    first.click()
    _wait(browser, lambda d: d.find_element(_by("TAG_NAME"), "h1").text == title)
    articles = browser.find_elements(_by("CSS_SELECTOR"), "table.articles tbody tr")
    assert len(articles) >= 40  # the biggest story: the Magdeburg attack, from five outlets
    assert "magdeburg" in browser.find_element(_by("TAG_NAME"), "main").text  # the watchlist it alerted
    screenshot(browser, shots / "story.png")


def test_a_search_marks_its_hits_and_a_broken_query_shows_the_cli_caret(
        served: tuple[Site, WebProcess], browser: Any, shots: Path) -> None:
    made, web = served
    browser.get(web.url + "/search")
    box = browser.find_element(_by("NAME"), "q")
    box.send_keys("Magdeburg AND Weihnachtsmarkt")
    since = browser.find_element(_by("NAME"), "since")
    since.clear()
    since.send_keys("all")
    since.submit()
    _wait(browser, lambda d: d.find_elements(_by("CSS_SELECTOR"), "li.found"))
    marks = {mark.text for mark in browser.find_elements(_by("TAG_NAME"), "mark")}
    assert {"Magdeburg", "Weihnachtsmarkt"} <= marks
    assert browser.find_elements(_by("CSS_SELECTOR"), "svg.chart rect")  # the per-day count
    screenshot(browser, shots / "search.png")

    cli = made.newsmon("search", "Magdeburg AND (Anschlag")
    assert cli.returncode != 0
    message = cli.stderr.strip().removeprefix("newsmon: error: ")
    browser.get(web.url + "/search?q=" + "Magdeburg%20AND%20(Anschlag")
    shown = browser.find_element(_by("CSS_SELECTOR"), "pre.error").text
    assert [line.rstrip() for line in shown.splitlines()] == [line.rstrip() for line in message.splitlines()]
    assert "^" in shown


def test_a_hostile_title_is_text_and_a_dead_alert_can_be_retried(
        served: tuple[Site, WebProcess], browser: Any, shots: Path) -> None:
    made, web = served
    browser.get(web.url + "/alerts")
    dead = browser.find_elements(_by("CSS_SELECTOR"), "tr.state-dead")
    assert len(dead) == 1
    assert HOSTILE_TEXT in dead[0].text  # the markup shown as it is written
    assert not browser.find_elements(_by("CSS_SELECTOR"), "tr.state-dead script, tr.state-dead b")
    assert "error=500" in dead[0].text
    screenshot(browser, shots / "alerts.png")
    alert_id = dead[0].find_element(_by("TAG_NAME"), "td").text

    dead[0].find_element(_by("TAG_NAME"), "button").click()
    _wait(browser, lambda d: "queued again" in d.find_element(_by("TAG_NAME"), "main").text)
    assert not browser.find_elements(_by("CSS_SELECTOR"), "tr.state-dead")
    listed = made.newsmon("alerts", "list", "--json")
    rows = [row for row in map(__import__("json").loads, listed.stdout.splitlines()) if row["id"] == alert_id]
    assert rows and rows[0]["state"] == "pending" and rows[0]["attempts"] == 0


def test_watchlists_show_figures_per_day_and_marked_matches(
        served: tuple[Site, WebProcess], browser: Any, shots: Path) -> None:
    _site, web = served
    browser.get(web.url + "/watchlists?since=all")
    sections = browser.find_elements(_by("CSS_SELECTOR"), "section.watchlist")
    names = [s.find_element(_by("TAG_NAME"), "h2").text for s in sections]
    assert names == ["weihnachtsmarkt", "magdeburg", "lawrow"]  # preview.yaml, then test.yaml
    magdeburg = sections[1]
    assert magdeburg.find_elements(_by("CSS_SELECTOR"), "svg.chart rect")
    assert "Magdeburg" in {m.text for m in magdeburg.find_elements(_by("TAG_NAME"), "mark")}
    screenshot(browser, shots / "watchlists.png")
    magdeburg.find_element(_by("LINK_TEXT"), "magdeburg").click()
    _wait(browser, lambda d: d.find_element(_by("TAG_NAME"), "h1").text == "Watchlist magdeburg")
    assert len(browser.find_elements(_by("CSS_SELECTOR"), "li.found")) >= 10


def test_the_preview_follows_the_file_as_it_is_edited(served: tuple[Site, WebProcess], browser: Any,
                                                      shots: Path) -> None:
    made, web = served
    file = made.folder / "watchlists" / "preview.yaml"
    browser.get(web.url + "/preview?file=watchlists/preview.yaml&since=all")
    heading = browser.find_element(_by("CSS_SELECTOR"), "section.watchlist h2")
    assert heading.text == "weihnachtsmarkt"
    assert "Weihnachtsmarkt" in {m.text for m in browser.find_elements(_by("TAG_NAME"), "mark")}
    before = int(browser.find_element(_by("CSS_SELECTOR"), ".alerts-total").text)
    assert before > 0

    _save(file, yaml.safe_dump({"watchlists": [{"name": "anschlag", "query": "Magdeburg AND Anschlag",
                                               "notify": ["hook"], "per": "story"}]}))
    _wait(browser, lambda d: _text(d, "section.watchlist h2") == "anschlag")
    after = int(_text(browser, ".alerts-total") or 0)
    assert 0 < after < before  # per story: the attack's articles count once per story
    assert "Anschlag" in {m.text for m in browser.find_elements(_by("TAG_NAME"), "mark")}
    screenshot(browser, shots / "preview.png")

    _save(file, "watchlists:\n  - name: kaputt\n    query: 'Magdeburg AND ('\n")
    error = _wait(browser, lambda d: _text(d, "#file-error"))
    assert "preview.yaml" in error and "^" in error
    assert not browser.find_elements(_by("CSS_SELECTOR"), "section.watchlist")
    screenshot(browser, shots / "preview-error.png")
