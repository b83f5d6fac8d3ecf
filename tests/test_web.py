"""The web view's guards and shapes: loopback unless a token is set, the token asked for, no secret
on any page, feed text escaped, the CLI's ``--json`` shapes, the CSRF token on the one write, the
preview kept to the watchlists folder, and the daemon serving the view with ``web.listen``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from monitor.errors import ConfigError
from monitor.settings import load
from monitor.web import create_app
from tests.conftest import REALDATA, ROOT
from tests.harness import write_config
from tests.receivers import free_port
from tests.website import FEED_PASSWORD, HOSTILE_TEXT, TARGET_SECRET, Site, site, wait_for_port

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data not present at {REALDATA}")
TOKEN = "a-long-enough-web-token-1234"
PAGES = ["/", "/stories?since=all", "/watchlists?since=all", "/watchlists/lawrow?since=all", "/alerts",
         "/alerts?dead=1", "/search?q=Lawrow&since=all", "/search?q=Magdeburg&since=all",
         "/preview", "/preview?file=watchlists/preview.yaml&since=all", "/preview?file=watchlists/test.yaml&since=all"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with site(tmp_path_factory.mktemp("web"), REALDATA / "corss-dec2024-snapshot") as result:
        yield result


@pytest.fixture(scope="module")
def client(made: Site) -> Iterator[TestClient]:
    with TestClient(create_app(load(made.config))) as result:
        yield result


def _lines(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_no_page_shows_a_secret_and_feed_text_is_never_markup(made: Site, client: TestClient) -> None:
    story = client.get("/stories?since=all&format=json").json()[0]["id"]
    for page in [*PAGES, f"/stories/{story}"]:
        for url in (page, page + ("&" if "?" in page else "?") + "format=json"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert FEED_PASSWORD not in response.text, url
            assert TARGET_SECRET not in response.text, url
            if "format=json" not in url:
                assert "<script>alert(1)" not in response.text, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/alerts").text  # shown, as text
    assert HOSTILE_TEXT in json.dumps(client.get("/alerts?format=json").json(), ensure_ascii=False)
    private = next(f for f in client.get("/?format=json").json()["feeds"] if f["name"] == "private")
    assert private["url"].startswith("http://127.0.0.1:") and "reader" not in private["url"]


def test_every_page_answers_json_in_the_cli_shapes(made: Site, client: TestClient) -> None:
    assert client.get("/alerts?format=json").json() == _lines(made.newsmon("alerts", "list", "--json",
                                                                            "--limit", "100"))
    assert client.get("/alerts?dead=1&format=json").json() == _lines(made.newsmon("alerts", "list", "--dead",
                                                                                   "--json"))
    assert client.get("/stories?format=json").json() == _lines(made.newsmon("stories", "--json"))
    cli = _lines(made.newsmon("search", "Magdeburg AND Anschlag", "--json", "--limit", "50"))
    page = client.get("/search", params={"q": "Magdeburg AND Anschlag", "since": "all", "format": "json"}).json()
    assert page["newest"] == cli and page["matches"] >= len(cli) > 10
    assert sum(day["matches"] for day in page["per_day"]) == page["matches"]

    status = json.loads(made.newsmon("status", "--json").stdout)
    overview = client.get("/?format=json").json()
    assert overview["articles"] == status["articles"] == 1001
    assert overview["outbox"] == status["outbox"]
    assert [{k: v for k, v in f.items() if k != "url"} for f in overview["feeds"]] == \
        [{k: v for k, v in f.items() if k != "url"} for f in status["feeds"]]
    assert overview["today"]["articles"] == 1001 and overview["outbox_states"]["dead"] == 1

    lists = {w["name"]: w for w in client.get("/watchlists?since=all&format=json").json()}
    assert lists["lawrow"]["matches"] == 1 and lists["lawrow"]["states"] == {"dead": 1}
    assert lists["magdeburg"]["matches"] >= 40 and lists["magdeburg"]["per"] == "story"
    assert lists["magdeburg"]["recent"][0]["hits"]  # the --json shape of a match, hits included
    held = {w["name"]: w["total"]["held_back"] for w in _lines(made.newsmon("watchlists", "--since", "3650d",
                                                                             "--json"))}
    assert lists["magdeburg"]["held_back"] == {k: v for k, v in held["magdeburg"].items() if v}
    assert lists["magdeburg"]["held_back"]["story"] > 10  # per story: the story's later articles held back

    biggest = client.get("/stories?format=json").json()[0]
    story = client.get(f"/stories/{biggest['id']}?format=json").json()
    assert {k: v for k, v in story.items() if k != "alerts"} == biggest
    assert {"magdeburg", "weihnachtsmarkt"} <= {a["watchlist"] for a in story["alerts"]}
    assert {a["target"] for a in story["alerts"]} == {"hook"}  # target names, never URLs


def test_a_big_backlog_is_matched_in_the_background_to_the_same_figures(made: Site) -> None:
    from datetime import UTC, datetime

    from monitor.reports.matchfigures import MatchLog
    from monitor.reports.matchfigures import match_figures as figures
    from monitor.store.db import open_database

    settings = load(made.config)
    db = open_database(settings.database_url)
    try:
        now = datetime.now(UTC)
        at_once = figures(settings, MatchLog(), now, None, db=db)
        background = MatchLog(sync_limit=100)
        early = figures(settings, background, now, None, db=db)
        assert early[0].pending > 100  # answered before the backlog was matched, and says so
        background.wait(120)
        late = figures(settings, background, now, None, db=db)
        assert [f.as_json() for f in late] == [f.as_json() for f in at_once]
        assert late[0].pending == 0 and sum(f.matches for f in late) > 50
    finally:
        db.dispose()


def test_a_query_that_does_not_parse_gets_the_clis_message(made: Site, client: TestClient) -> None:
    cli = made.newsmon("search", "Trump AND (")
    page = client.get("/search", params={"q": "Trump AND (", "format": "json"})
    assert page.status_code == 400
    assert page.json()["error"] == cli.stderr.strip().removeprefix("newsmon: error: ")


def test_retrying_needs_the_pages_csrf_token(made: Site, client: TestClient) -> None:
    dead = client.get("/alerts?dead=1&format=json").json()
    assert len(dead) == 1
    target = f"/alerts/{dead[0]['id']}/retry"
    assert client.post(target, data={}).status_code == 403
    with TestClient(create_app(load(made.config))) as other:  # another process's token is no good here
        token = other.get("/alerts").text.split('name="csrf" value="')[1].split('"')[0]
    assert client.post(target, data={"csrf": token}).status_code == 403
    own = client.get("/alerts").text.split('name="csrf" value="')[1].split('"')[0]
    cross = client.post(target, data={"csrf": own}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert client.get("/alerts?dead=1&format=json").json() == dead  # still dead
    assert client.get(target).status_code == 405  # no write by GET


def test_the_preview_opens_only_files_in_the_watchlists_folder(made: Site, client: TestClient) -> None:
    outside = made.folder / "elsewhere.yaml"
    outside.write_text(yaml.safe_dump({"watchlists": [{"name": "x", "query": "Magdeburg"}]}), "utf-8")
    (made.folder / "watchlists" / "link.yaml").symlink_to(outside)
    try:
        for name in ["../monitor.yaml", "monitor.yaml", "elsewhere.yaml", "/etc/passwd", "watchlists/../monitor.yaml",
                     "watchlists/link.yaml", str(outside), "watchlists/missing.yaml"]:
            assert client.get("/preview", params={"file": name}).status_code == 403, name
            assert client.get("/preview/stamp", params={"file": name}).status_code == 403, name
        assert client.get("/preview", params={"file": "preview.yaml"}).status_code == 200
        assert client.get("/preview", params={"file": str(made.folder / "watchlists" / "test.yaml")}).status_code == 200
    finally:
        (made.folder / "watchlists" / "link.yaml").unlink()


def test_with_a_token_every_request_must_bring_it(made: Site) -> None:
    with TestClient(create_app(load(made.config), token=TOKEN)) as guarded:
        for url in ["/", "/alerts?format=json", "/static/style.css", "/preview/stamp?file=preview.yaml"]:
            refused = guarded.get(url)
            assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
            assert guarded.get(url, auth=("anyone", "wrong-token-wrong-token")).status_code == 401
            assert guarded.get(url, auth=("anyone", TOKEN)).status_code == 200
            assert guarded.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_beyond_loopback_only_with_a_token(made: Site, tmp_path: Path) -> None:
    port = free_port()
    refused = made.newsmon("web", "--listen", f"0.0.0.0:{port}")
    assert refused.returncode == 2 and "web.token" in refused.stderr
    config = write_config(tmp_path, {}, {}, {"watchlists": []}, web={"listen": f"0.0.0.0:{port}"})
    with pytest.raises(ConfigError, match=r"web\.token") as err:
        load(config)
    assert err.value.key == "web.listen"
    write_config(tmp_path, {}, {}, {"watchlists": []}, web={"listen": f"0.0.0.0:{port}", "token": TOKEN})
    assert load(config).monitor.web.token == TOKEN


def test_the_daemon_serves_the_web_view_with_web_listen(made: Site, tmp_path: Path) -> None:
    port = free_port()
    raw = yaml.safe_load(made.config.read_text("utf-8"))
    raw["web"] = {"listen": f"127.0.0.1:{port}"}
    config = made.folder / "daemon.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "NEWSMON_CONFIG"}
    daemon = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, daemon)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "tagesschau" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/alerts?format=json", timeout=30).json()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def test_a_port_in_use_is_a_clear_error(made: Site) -> None:
    from tests.website import WebProcess

    with WebProcess(made.config) as first:
        second = made.newsmon("web", "--listen", f"127.0.0.1:{first.port}")
        assert second.returncode == 1
        assert f"newsmon: error: web: cannot listen on 127.0.0.1:{first.port}" in second.stderr
        assert "address already in use" in second.stderr
        assert httpx.get(first.url + "/", timeout=30).status_code == 200  # the first one still serves
