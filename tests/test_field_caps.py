"""Field and message caps: a 9.5 MB title is stored and sent short; a long digest is cut per format."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from monitor.alert.limits import MAX_BODY, MAX_MAIL_BODY, MAX_TITLE, fit
from monitor.daemon.scheduler import Runner
from monitor.feeds.parse import limits
from monitor.feeds.parse.reader import parse
from monitor.settings import load
from monitor.store.tables import Article
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Mailbox, Webhook
from tests.servers import FeedServer

WATCHLIST = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}


def test_a_title_of_9_5_mb_is_stored_capped_and_alerted_in_a_short_message(tmp_path: Path) -> None:
    huge = "Tomahawk " + "Riesentitel " * 750_000  # 9 million characters: the feed stays in the 10 MB cap
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([Item(huge, "https://example.org/riesig.html", guid="riesig",
                                                description="Wort " * 100_000)]))
        config = write_config(tmp_path, {"Riesig": feed}, {"hook": hook.url}, watchlists=WATCHLIST)
        run = Runner(load(config), clock=Clock())
        report = run.cycle()
        with run.db.session() as session:
            (article,) = session.scalars(select(Article))
            title, summary = article.title, article.summary
        run.close()
    assert report.new_articles == 1 and report.delivery.sent == 1
    assert len(title) <= limits.MAX_TITLE and title.startswith("Tomahawk Riesentitel") and title.endswith("…")
    assert len(summary) <= limits.MAX_SUMMARY
    (message,) = hook.messages
    assert len(message["title"]) <= MAX_TITLE and len(message["message"]) <= MAX_BODY["text"]
    assert "https://example.org/riesig.html" in message["message"]


def test_every_field_of_an_entry_is_capped_when_read(tmp_path: Path) -> None:
    body = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' xmlns:content="
            "'http://purl.org/rss/1.0/modules/content/'><channel><title>" + "Kanal " * 1000 + "</title><item>"
            "<title>" + "Titel " * 1000 + "</title><link>https://example.org/" + "a" * 5000 + "</link>"
            "<guid isPermaLink='false'>" + "g" * 5000 + "</guid><description>" + "Satz. " * 10_000
            + "</description><content:encoded>" + "Absatz. " * 50_000 + "</content:encoded>"
            "<author>" + "Name " * 100 + "</author></item></channel></rss>").encode()
    parsed = parse(body, "https://example.org/feed.xml")
    (entry,) = parsed.entries
    assert len(parsed.title) <= limits.MAX_TITLE
    assert len(entry.title) <= limits.MAX_TITLE and entry.title.endswith("…")
    assert len(entry.summary) <= limits.MAX_SUMMARY and len(entry.body) <= limits.MAX_BODY
    assert entry.link is None  # a link cut short would point elsewhere
    assert entry.guid is not None and len(entry.guid) == limits.MAX_GUID
    assert entry.author is not None and len(entry.author) <= limits.MAX_AUTHOR


def test_messages_are_cut_per_target_format_at_a_line_with_a_note() -> None:
    lines = "\n".join(f"- Tomahawk-Meldung {n}: https://example.org/{n}.html" for n in range(5000))
    title, text = fit("Titel " * 100, lines, "text", "tgram://bot/chat")
    assert len(title) <= MAX_TITLE and len(text) <= MAX_BODY["text"]
    assert text.splitlines()[-2].startswith("- Tomahawk-Meldung") and "gekürzt" in text.splitlines()[-1]
    _, markdown = fit("t", lines.replace("-", "\\-"), "markdown", "discord://a/b")
    assert len(markdown) <= MAX_BODY["markdown"] and not markdown.splitlines()[-2].endswith("\\")
    html = "".join(f"<li><a href='https://example.org/{n}.html'>Meldung {n}</a></li>" for n in range(20_000))
    _, cut = fit("t", html, "html", "matrix://u:p@h/#r")
    assert len(cut) <= MAX_BODY["html"] and cut.endswith("</em></p>") and "</li>\n<p>" in cut
    _, mail = fit("t", html, "html", "mailtos://u:p@h")
    assert MAX_BODY["html"] < len(mail) <= MAX_MAIL_BODY
    assert fit("kurz", "kurz\n", "text", "json://h") == ("kurz", "kurz\n")


def test_a_digest_of_many_articles_reaches_a_chat_target_within_its_cap_and_mail_in_full(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 10, 21, 5, 30, tzinfo=UTC))
    items = [Item(f"Tomahawk-Meldung Nummer {n} mit einem längeren Titel", f"https://example.org/t/{n}.html",
                  guid=f"t-{n}", description="Bericht über Tomahawk-Raketen. " * 5) for n in range(150)]
    lists = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook", "mail"],
                             "mode": "digest:morgen"}]}
    with FeedServer() as server, Webhook() as hook, Mailbox() as mailbox:
        config = write_config(tmp_path, {"f": server.serve("/f.xml", rss(items))},
                              {"hook": hook.url, "mail": {"url": mailbox.mailto(), "format": "html"}},
                              watchlists=lists, digests={"morgen": {"cron": "0 7 * * *"}})
        run = Runner(load(config), clock=clock)
        run.cycle()
        clock.now = datetime(2025, 10, 22, 5, 0, 30, tzinfo=UTC)
        run.cycle()
        run.close()
    (chat,) = hook.messages
    assert len(chat["message"]) <= MAX_BODY["text"] and "gekürzt" in chat["message"]
    (mail,) = mailbox.messages
    html = mail.get_body(("html",))
    assert html is not None and "https://example.org/t/149.html" in html.get_content()
