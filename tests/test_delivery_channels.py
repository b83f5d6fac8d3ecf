"""Real channels: mail through a real SMTP server (aiosmtpd), MQTT through Mosquitto on 127.0.0.1:1883."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.daemon.scheduler import Runner
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Mailbox
from tests.servers import FeedServer

# The title's text (after the feed's own HTML is read) is "Lawrow: <script>alert(1)</script> Grüße …":
# an article literally titled with markup, which must arrive as text.
HOSTILE = Item("Lawrow: &lt;script&gt;alert(1)&lt;/script&gt; Grüße aus Moskau – „Gipfel“ in Budapest",
               "https://example.org/lawrow.html?a=1&b=2", guid="lawrow-1",
               description="Außenminister Lawrow &lt;b&gt;sagte&lt;/b&gt; am Montag, der Gipfel sei gut vorbereitet.")


def test_an_html_mail_has_both_parts_the_link_intact_umlauts_and_no_markup_from_the_feed(tmp_path: Path) -> None:
    with FeedServer() as server, Mailbox() as mailbox:
        config = write_config(tmp_path, {"Österreich-Ticker": server.serve("/f.xml", rss([HOSTILE]))},
                              {"hook": {"url": mailbox.mailto(), "format": "html"}})
        run = Runner(load(config), clock=Clock())
        assert run.cycle().delivery.sent == 1
        run.close()
    (mail,) = mailbox.messages
    assert str(mail["Subject"]) == "[ukraine] Lawrow: <script>alert(1)</script> Grüße aus Moskau – „Gipfel“ in Budapest"
    html_part, text_part = mail.get_body(("html",)), mail.get_body(("plain",))
    assert html_part is not None and text_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Grüße aus Moskau" in html
    assert 'href="https://example.org/lawrow.html?a=1&amp;b=2"' in html
    assert "<mark>Lawrow</mark>" in html and "Österreich-Ticker" in html
    assert "<script>alert(1)</script> Grüße aus Moskau – „Gipfel“" in text  # the text part shows it as text
    assert "Außenminister" in html + text
    assert HOSTILE.link in text  # the plain part carries the link too


def test_a_digest_by_mail_lists_every_article_with_its_link(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 10, 21, 5, 30, tzinfo=UTC))
    items = [Item(f"Lawrow über Budapest, Teil {n} &lt;i&gt;", f"https://example.org/teil-{n}.html") for n in range(5)]
    lists = {"watchlists": [{"name": "lawrow", "query": "Lawrow", "notify": ["hook"], "mode": "digest:morgen"}]}
    with FeedServer() as server, Mailbox() as mailbox:
        config = write_config(tmp_path, {"f": server.serve("/f.xml", rss(items))},
                              {"hook": {"url": mailbox.mailto(), "format": "html"}}, watchlists=lists,
                              digests={"morgen": {"cron": "0 7 * * *", "title": "Morgenlage für die Redaktion"}})
        run = Runner(load(config), clock=clock)
        run.cycle()
        clock.now = datetime(2025, 10, 22, 5, 0, tzinfo=UTC)
        run.cycle()
        run.close()
    (mail,) = mailbox.messages
    assert str(mail["Subject"]) == "[lawrow] Morgenlage für die Redaktion: 5 Meldungen"
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert all(f'href="https://example.org/teil-{n}.html"' in html for n in range(5))
    assert "<i>" not in html and "&lt;i&gt;" in html


def _mosquitto() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=0.5):
            return
    except OSError:
        pytest.skip("no MQTT broker (Mosquitto) on 127.0.0.1:1883")


def test_apprise_mqtt_delivers_to_mosquitto(tmp_path: Path) -> None:
    _mosquitto()
    import paho.mqtt.client as mqtt

    received: list[str] = []
    subscribed, arrived = threading.Event(), threading.Event()
    topic = f"newsmon-test/{tmp_path.name}"

    def on_message(_client: Any, _userdata: Any, message: Any) -> None:
        received.append(message.payload.decode("utf-8"))
        arrived.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.on_subscribe = lambda *_args: subscribed.set()
    client.connect("127.0.0.1", 1883)
    client.subscribe(topic, qos=1)
    client.loop_start()
    try:
        assert subscribed.wait(5)
        with FeedServer() as server:
            config = write_config(tmp_path, {"f": server.serve("/f.xml", rss([HOSTILE]))},
                                  {"hook": f"mqtt://127.0.0.1:1883/{topic}?qos=1"})
            run = Runner(load(config), clock=Clock())
            report = run.cycle()
            run.close()
        assert report.delivery.sent == 1, report.delivery.errors
        assert arrived.wait(5)
    finally:
        client.loop_stop()
        client.disconnect()
    (payload,) = received
    assert "<script>alert(1)</script> Grüße aus Moskau" in payload
    assert HOSTILE.link in payload and "Treffer: Lawrow" in payload
