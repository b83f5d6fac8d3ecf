"""HTTPS end to end: local TLS servers with certificates of a throwaway CA (trustme).

Feeds and article pages trust the CAs of ``http.ca_bundle`` besides the default ones; apprise's
targets trust ``REQUESTS_CA_BUNDLE`` (requests' own variable). A certificate nobody vouches for is
a clear ``TLS error`` of that feed, and a failed attempt (retried, then dead) of the message to
that target.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
import yaml

from monitor.daemon.scheduler import Runner
from monitor.errors import ConfigError
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer
from tests.test_fulltext_pipeline import PAGE

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def bundle(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def https(ca: trustme.CA) -> Iterator[FeedServer]:
    with FeedServer(tls=_tls(ca)) as server:
        yield server


def _item(n: int, link: str) -> Item:
    return Item(f"Tomahawk-Meldung {n}", link, guid=f"meldung-{n:04d}", description="Ein kurzer Anreißer.")


def test_an_https_feed_with_a_page_fetched_in_full_works_when_its_ca_is_configured(
        https: FeedServer, bundle: Path, tmp_path: Path) -> None:
    page = https.serve("/artikel.html", PAGE.encode(), headers=HTML)
    feed = https.serve("/feed.xml", rss([Item("Diplomatie im Herbst", page, guid="herbst-2025",
                                              description="Ein kurzer Anreißer ohne das Stichwort.")]))
    assert feed.startswith("https://127.0.0.1:")
    with Webhook() as hook:
        config = write_config(tmp_path, {"Sicher": feed}, {"hook": hook.url},
                              http={"allow_private": True, "ca_bundle": bundle.name})
        raw = yaml.safe_load(config.read_text("utf-8"))
        raw["feeds"][0]["fulltext"] = True
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
        run = Runner(load(config), clock=Clock())
        report = run.cycle()
        run.close()
    assert report.polls[0].error is None and report.alerts == 1
    assert https.hits["/artikel.html"] == 1
    assert "Tomahawk" in hook.messages[0]["message"]  # only the page (over https) has the word


def test_a_certificate_nobody_vouches_for_is_a_tls_error_of_that_feed_only(
        ca: trustme.CA, bundle: Path, tmp_path: Path) -> None:
    stranger = trustme.CA()  # a CA the config does not name
    with FeedServer(tls=_tls(stranger)) as bad, FeedServer() as plain, Webhook() as hook:
        feeds = {"Fremd": bad.serve("/feed.xml", rss([_item(1, "https://example.org/1")])),
                 "Klar": plain.serve("/feed.xml", rss([_item(2, "https://example.org/2")]))}
        config = write_config(tmp_path, feeds, {"hook": hook.url}, http={"ca_bundle": str(bundle)})
        run = Runner(load(config), clock=Clock())
        run.cycle()
        run.close()
    status = {feed["name"]: feed for feed in collect(load(config))["feeds"]}
    error = status["Fremd"]["last_error"] or ""
    assert error.startswith("TLS error:") and "certificate" in error.lower(), error
    assert status["Klar"]["last_error"] is None and status["Klar"]["articles"] == 1
    assert [m["title"] for m in hook.messages] == ["[ukraine] Tomahawk-Meldung 2"]


def test_without_the_ca_the_same_feed_is_a_tls_error(https: FeedServer, tmp_path: Path) -> None:
    feed = https.serve("/feed.xml", rss([_item(1, "https://example.org/1")]))
    config = write_config(tmp_path, {"Sicher": feed}, {"hook": "json://127.0.0.1:9/h"})
    run = Runner(load(config), clock=Clock())
    report = run.cycle()
    run.close()
    assert (report.polls[0].error or "").startswith("TLS error:")


def test_a_ca_bundle_that_does_not_load_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "kaputt.pem").write_text("not a certificate", "utf-8")
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, http={"ca_bundle": "kaputt.pem"})
    with pytest.raises(ConfigError, match=r"http\.ca_bundle"):
        load(config)


def test_an_https_webhook_target_is_sent_to_when_requests_trusts_its_ca(
        ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stranger = trustme.CA()
    with FeedServer() as plain, Webhook(tls=_tls(ca)) as good, Webhook(tls=_tls(stranger)) as bad:
        assert good.url.startswith("jsons://")
        feed = plain.serve("/feed.xml", rss([_item(1, "https://example.org/1")]))
        lists = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["gut", "fremd"]}]}
        config = write_config(tmp_path, {"Klar": feed}, {"gut": good.url, "fremd": bad.url}, watchlists=lists)
        pem = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pem))
        run = Runner(load(config), clock=Clock())
        report = run.cycle()
        run.close()
    assert [m["title"] for m in good.messages] == ["[ukraine] Tomahawk-Meldung 1"]
    assert bad.messages == [] and report.delivery.retried == 1
    # apprise words a refused certificate as a connection error (the details are in its debug log)
    assert [error for error in report.delivery.errors if error.startswith("fremd:")] == [
        "fremd: A Connection error occurred sending JSON notification to 127.0.0.1."]
