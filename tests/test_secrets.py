"""A token in a feed URL or a target's header never shows: not in logs, reports, exports or errors;
the feed is still fetched with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from monitor import redact
from monitor.cli import main
from monitor.feeds.opml import read_opml
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer, refused_url

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "geheim-7f3a9c"
ENV = {"FEED_TOKEN": TOKEN}


def _config(tmp_path: Path, server: FeedServer, hook: Webhook) -> Path:
    server.serve("/key.xml", rss([Item("Tomahawk eins", "https://example.org/1.html", guid="1")]))
    server.serve("/user.xml", rss([Item("Tomahawk zwei", "https://example.org/2.html", guid="2")]))
    base = f"127.0.0.1:{server.port}"
    config = write_config(tmp_path, {}, {"hook": hook.url, "mit-header": "json://127.0.0.1:9/h?+X-Token=${FEED_TOKEN}"})
    data = yaml.safe_load(config.read_text("utf-8"))
    data["feeds"] = [
        {"name": "Schluessel", "url": f"http://{base}/key.xml?apikey=${{FEED_TOKEN}}&lang=de", "interval": "1m"},
        {"name": "Nutzer", "url": f"http://reader:${{FEED_TOKEN}}@{base}/user.xml", "interval": "1m"},
        {"name": "Weg", "url": refused_url("/gone.xml") + "?access_token=${FEED_TOKEN}", "interval": "1m"},
    ]
    config.write_text(yaml.safe_dump(data), "utf-8")
    return config


def test_a_feed_token_appears_nowhere_but_in_the_request(tmp_path: Path) -> None:
    with FeedServer() as server, Webhook() as hook:
        config = _config(tmp_path, server, hook)
        ran = subprocess.run([sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)], cwd=ROOT,
                             env={**os.environ, **ENV}, capture_output=True, text=True, timeout=120, check=False)
        assert ran.returncode == 0, ran.stderr
        assert any(f"apikey={TOKEN}" in request.path for request in server.requests)  # fetched with it
        assert any(r.headers.get("Authorization", "").startswith("Basic ") for r in server.requests)
        cli = CliRunner()
        outputs = {name: cli.invoke(main, [*args, "--config", str(config)], env=ENV)
                   for name, args in {"status": ["status", "--json"], "status-text": ["status"],
                                      "list": ["feeds", "list", "--json"], "list-text": ["feeds", "list"],
                                      "export": ["feeds", "export"], "check": ["check"]}.items()}
    assert "polled" in ran.stderr and "apikey=***" in ran.stderr and "reader:***@" in ran.stderr
    assert TOKEN not in ran.stderr + ran.stdout
    for name, result in outputs.items():
        assert result.exit_code == 0, (name, result.output)
        assert TOKEN not in result.output, name
    feeds = {feed["name"]: feed for feed in json.loads(outputs["status"].output)["feeds"]}
    assert feeds["Schluessel"]["url"].endswith("/key.xml?apikey=***&lang=de")
    assert "//reader:***@127.0.0.1:" in feeds["Nutzer"]["url"]
    assert feeds["Weg"]["last_error"] == "connection refused"
    assert "X-Token=***" in outputs["check"].output
    exported = dict((title, url) for title, url in read_opml(outputs["export"].output.encode()))
    assert exported["Schluessel"].endswith("/key.xml?apikey=${FEED_TOKEN}&lang=de")
    assert exported["Nutzer"].startswith("http://reader:${FEED_TOKEN}@127.0.0.1:")


def test_an_error_message_naming_a_feed_url_masks_its_token(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    result = CliRunner().invoke(main, ["feeds", "add", refused_url("/x.xml") + f"?token={TOKEN}",
                                       "--config", str(config)])
    assert result.exit_code != 0
    assert result.output.startswith("newsmon: error:") and "token=***" in result.output
    assert TOKEN not in result.output


def test_a_secret_written_in_clear_is_exported_masked(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"Klartext": f"http://127.0.0.1:9/feed.xml?key={TOKEN}"},
                          {"hook": "json://127.0.0.1:9/h"})
    exported = CliRunner().invoke(main, ["feeds", "export", "--config", str(config)])
    assert exported.exit_code == 0
    assert read_opml(exported.output.encode()) == [("Klartext", "http://127.0.0.1:9/feed.xml?key=***")]


@pytest.mark.parametrize(("url", "shown"), [
    ("https://h.example/f?api_key=s3&q=Gipfel", "https://h.example/f?api_key=***&q=Gipfel"),
    ("https://h.example/f?keyword=Ukraine&X-Amz-Signature=ab", "https://h.example/f?keyword=Ukraine&X-Amz-Signature=***"),
    ("https://h.example/f?Password=pw&sig=1&auth=2&secret=3", "https://h.example/f?Password=***&sig=***&auth=***&secret=***"),
    ("https://tok@h.example/f", "https://***@h.example/f"),
    ("https://u:p@h.example:8443/f", "https://u:***@h.example:8443/f"),
    ("https://h.example/plain?page=2", "https://h.example/plain?page=2"),
    ("json://h/hook?%2BAuthorization=Bearer+x", "json://h/hook?%2BAuthorization=***"),
])
def test_masking_of_single_urls(url: str, shown: str) -> None:
    assert redact.url(url) == shown


def test_masking_inside_text() -> None:
    line = f"redirect to unsupported URL ftp://u:{TOKEN}@h.example/x, then apikey={TOKEN}; done"
    assert redact.text(line) == "redirect to unsupported URL ftp://u:***@h.example/x, then apikey=***; done"


_SECRET_NAMES = st.sampled_from(["key", "apikey", "api_key", "API-Key", "token", "access_token", "secret",
                                 "client_secret", "password", "auth", "sig", "signature", "X-Amz-Signature",
                                 "session", "%2BAuthorization", "+X-Token"])
_VALUES = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="-_.~%"),
                  min_size=8, max_size=40)


@settings(max_examples=500, deadline=None)
@given(_SECRET_NAMES, _VALUES, _VALUES, st.sampled_from(["https", "http", "json", "ntfy"]),
       st.lists(st.sampled_from(["lang=de", "page=2", "q=Gipfel"]), max_size=3))
def test_fuzz_no_secret_survives_masking(name: str, secret: str, password: str, scheme: str,
                                         others: list[str]) -> None:
    query = "&".join([*others, f"{name}={secret}"])
    visible = f"{scheme}://leser:@feeds.example/f.xml?{'&'.join(others)} poll failed for HTTP 500 {name}={redact.MASK}"
    assume(secret not in visible and password not in visible)  # a "secret" that is part of the visible text
    for address in (f"{scheme}://feeds.example/f.xml?{query}", f"{scheme}://leser:{password}@feeds.example/f?{query}"):
        shown = redact.url(address)
        assert secret not in shown and password not in shown
        line = redact.text(f"poll failed for {address}: HTTP 500")
        assert secret not in line and password not in line and "HTTP 500" in line
