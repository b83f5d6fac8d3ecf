"""A ``fulltext: true`` feed: new teasers get their page's text before matching, known ones never again."""

from __future__ import annotations

from pathlib import Path

import yaml

from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

PAGE = ("<html><head><title>Gipfel</title></head><body><nav>Startseite Politik Wirtschaft</nav><article>"
        "<h1>Diplomatie im Herbst</h1>"
        + "".join(f"<p>Absatz {i}: Die Gespräche über einen Gipfel gehen weiter, Beobachter erwarten "
                  f"lange Verhandlungen und viele offene Fragen.</p>" for i in range(8))
        + "<p>Erst im letzten Absatz steht, dass auch über Tomahawk-Raketen gesprochen wurde.</p>"
          "</article><footer>Impressum Datenschutz</footer></body></html>")


def test_a_term_only_in_the_article_page_alerts_and_the_page_is_fetched_once(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        page = server.serve("/artikel.html", PAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        feed = server.serve("/feed.xml", rss([Item("Diplomatie im Herbst", page, guid="herbst-2025",
                                                    description="Ein kurzer Anreißer ohne das Stichwort.")]))
        config = write_config(tmp_path, {"Teaser": feed}, {"hook": hook.url}, http={"allow_private": True})
        raw = yaml.safe_load(config.read_text("utf-8"))
        raw["feeds"][0]["fulltext"] = True
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
        runner = Runner(load(config), clock=clock)
        assert runner.cycle().alerts == 1
        server.serve("/feed.xml", rss([Item("Diplomatie im Herbst", page, guid="herbst-2025",
                                            description="Anreißer, leicht geändert.")]))
        clock.advance(minutes=5)
        runner.cycle()
        runner.close()
    assert server.hits["/artikel.html"] == 1
    assert len(hook.messages) == 1 and "Tomahawk" in hook.messages[0]["message"]


def test_without_allow_private_a_loopback_page_is_not_fetched(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        page = server.serve("/artikel.html", PAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        feed = server.serve("/feed.xml", rss([Item("Diplomatie im Herbst", page, guid="herbst-2025")]))
        config = write_config(tmp_path, {"Teaser": feed}, {"hook": hook.url})
        raw = yaml.safe_load(config.read_text("utf-8"))
        raw["feeds"][0]["fulltext"] = True
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
        runner = Runner(load(config), clock=clock)
        report = runner.cycle()
        runner.close()
    assert report.new_articles == 1 and report.alerts == 0
    assert server.hits["/artikel.html"] == 0
