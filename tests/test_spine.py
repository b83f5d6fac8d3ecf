"""The whole path on real local parts: feed server, SQLite file, apprise to a webhook and to SMTP."""

from __future__ import annotations

from pathlib import Path

from monitor.daemon.scheduler import Runner
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Mailbox, Webhook
from tests.servers import FeedServer

TOMAHAWK = Item("Debatte über Tomahawk-Raketen", "https://example.org/politik/tomahawk.html",
                guid="tomahawk-2025-10-21", description="Kiew wirbt um Marschflugkörper.")
SKAT = Item("Skatabend: wer spielt den letzten Trumpf aus?", "https://example.org/lokal/skat.html",
            guid="skat-2025-10-21")


def _runner(folder: Path, feeds: dict[str, str], hook: Webhook, clock: Clock) -> Runner:
    return Runner(load(write_config(folder, feeds, {"hook": hook.url})), clock=clock)


def test_new_item_alerts_once_then_never_again(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        url = server.serve("/feed.xml", rss([TOMAHAWK, SKAT]))
        runner = _runner(tmp_path, {"Testfeed": url}, hook, clock)
        first = runner.cycle()
        assert (first.new_articles, first.alerts, first.delivery.sent) == (2, 1, 1)
        message = hook.messages[0]
        assert "Debatte über Tomahawk-Raketen" in message["title"]
        assert TOMAHAWK.link in message["message"]
        assert "Testfeed" in message["message"] and "Tomahawk" in message["message"]

        clock.advance(minutes=5)
        assert runner.cycle().polls[0].new_articles == 0
        runner.close()
        clock.advance(minutes=5)
        restarted = _runner(tmp_path, {"Testfeed": url}, hook, clock)
        assert restarted.cycle().alerts == 0
        restarted.close()
        assert len(hook.messages) == 1
        assert server.hits["/feed.xml"] == 3


def test_same_article_in_second_feed_or_with_tracking_parameters_is_not_alerted_again(tmp_path: Path) -> None:
    clock = Clock()
    tracked = Item(TOMAHAWK.title, TOMAHAWK.link + "?utm_source=rss&utm_medium=feed#top", guid=None)
    with FeedServer() as server, Webhook() as hook:
        one = server.serve("/one.xml", rss([TOMAHAWK]))
        two = server.serve("/two.xml", rss([tracked, Item("Tomahawk im Bundestag", "https://example.org/b.html")]))
        runner = _runner(tmp_path, {"Politik": one, "Startseite": two}, hook, clock)
        report = runner.cycle()
        runner.close()
    assert report.new_articles == 2
    assert sorted(m["title"] for m in hook.messages) == [
        "[ukraine] Debatte über Tomahawk-Raketen", "[ukraine] Tomahawk im Bundestag"]


def test_a_receiver_that_fails_twice_still_gets_the_alert_exactly_once(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook(fail_first=2) as hook:
        url = server.serve("/feed.xml", rss([TOMAHAWK]))
        runner = _runner(tmp_path, {"Testfeed": url}, hook, clock)
        assert runner.cycle().delivery.retried == 1
        clock.advance(seconds=29)
        assert runner.deliver().sent == 0  # backoff 30s not yet over
        clock.advance(seconds=1)
        assert runner.deliver().retried == 1  # second failure: next try after 60s
        clock.advance(seconds=60)
        assert runner.deliver().sent == 1
        clock.advance(hours=1)
        assert runner.cycle().delivery.sent == 0
        runner.close()
    assert hook.attempts == 3 and len(hook.messages) == 1


def test_a_target_that_is_always_down_ends_dead_and_can_be_retried(tmp_path: Path) -> None:
    from monitor.store import repo

    clock = Clock()
    with FeedServer() as server, Webhook(always_fail=True) as hook:
        url = server.serve("/feed.xml", rss([TOMAHAWK]))
        runner = _runner(tmp_path, {"Testfeed": url}, hook, clock)
        runner.cycle()
        for _ in range(5):
            clock.advance(hours=1)
            runner.deliver()
        assert hook.attempts == 4  # max_attempts
        assert collect(runner.settings)["outbox"] == {"pending": 0, "sent": 0, "dead": 1}
        hook.always_fail = False
        with runner.db.session() as session:
            assert repo.reset_dead(session, clock()) == 1
        assert runner.deliver().sent == 1
        runner.close()
    assert len(hook.messages) == 1


def test_a_broken_feed_does_not_stop_the_others(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        good = server.serve("/good.xml", rss([TOMAHAWK]))
        broken = server.serve("/broken.xml", b"kaputt", status=500)
        not_a_feed = server.serve("/html.xml", b"<html><body>Wartung</body></html>")
        runner = _runner(tmp_path, {"gut": good, "kaputt": broken, "html": not_a_feed}, hook, clock)
        report = runner.cycle()
        runner.close()
    assert len(hook.messages) == 1
    errors = {p.feed: p.error for p in report.polls}
    assert errors["gut"] is None
    assert errors["kaputt"] and "500" in errors["kaputt"]
    feeds = {f["name"]: f for f in collect(runner.settings)["feeds"]}
    assert "500" in feeds["kaputt"]["last_error"] and feeds["gut"]["last_error"] is None
    assert feeds["gut"]["articles"] == 1


def test_html_mail_carries_link_umlauts_and_no_markup_from_the_feed(tmp_path: Path) -> None:
    clock = Clock()
    hostile = Item("Lawrow: <script>alert(1)</script> Grüße aus Moskau", "https://example.org/lawrow.html?a=1&b=2")
    with FeedServer() as server, Mailbox() as mailbox:
        url = server.serve("/feed.xml", rss([hostile]))
        config = write_config(tmp_path, {"Testfeed": url},
                              {"hook": {"url": mailbox.mailto(), "format": "html"}})
        runner = Runner(load(config), clock=clock)
        assert runner.cycle().delivery.sent == 1
        runner.close()
    (mail,) = mailbox.messages
    assert "Grüße aus Moskau" in str(mail["Subject"])
    html = mail.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "<script>" not in content
    assert 'href="https://example.org/lawrow.html?a=1&amp;b=2"' in content
