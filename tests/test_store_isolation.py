"""One feed's bad data never costs the others: raw NUL bytes and lone surrogates are cleaned on both
databases alike, and an error while storing one feed is that feed's ``last_error``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from monitor.cli import main
from monitor.store.db import open_database
from monitor.store.tables import Article
from tests.harness import Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

WATCHLIST = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}
FEEDS = 30


def _thirty_feeds(server: FeedServer, bad: bytes) -> dict[str, str]:
    feeds = {f"Feed {i:02d}": server.serve(f"/f{i}.xml", rss([Item(f"Tomahawk Nummer {i}",
                                                                   f"https://example.org/{i}.html",
                                                                   guid=f"g-{i}")]))
             for i in range(1, FEEDS)}
    feeds["Giftig"] = server.serve("/bad.xml", bad)
    return feeds


def _run_once_and_status(config: Path) -> tuple[int, str, dict[str, object]]:
    cli = CliRunner()
    ran = cli.invoke(main, ["run", "--once", "--config", str(config)])
    status = cli.invoke(main, ["status", "--json", "--config", str(config)])
    assert status.exit_code == 0, status.output
    return ran.exit_code, ran.output, json.loads(status.output)


def test_nul_bytes_and_surrogates_in_guid_link_and_text_are_cleaned_on_both_databases(
        db_url: str, tmp_path: Path) -> None:
    bad = rss([Item("Tomahawk\x00 giftig", "https://example.org/gift\x00ig.html", guid="gift\x00-guid",
                    description="Text mit \x00 Null")])
    json_feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
        {"id": "j\ud800-1", "url": "https://example.org/j\udfff.html", "title": "Tomahawk \ud800 JSON",
         "content_text": "x\ud800y"}]}).encode()
    with FeedServer() as server, Webhook() as hook:
        feeds = _thirty_feeds(server, bad)
        feeds["JSON"] = server.serve("/j.json", json_feed)
        config = write_config(tmp_path, feeds, {"hook": hook.url}, watchlists=WATCHLIST, database=db_url)
        code, output, report = _run_once_and_status(config)
        assert code == 0, output
        assert f"{FEEDS + 1} feeds polled (0 failed)" in output
        assert len(hook.messages) == FEEDS + 1
    assert all(feed["last_error"] is None for feed in report["feeds"])  # type: ignore[attr-defined, index]
    db = open_database(db_url)
    try:
        with db.session() as session:
            rows = {a.guid: a for a in session.scalars(select(Article))}
    finally:
        db.dispose()
    assert len(rows) == FEEDS + 1
    assert rows["gift-guid"].link == "https://example.org/giftig.html"
    assert rows["gift-guid"].title == "Tomahawk giftig" and "\x00" not in rows["gift-guid"].summary
    assert rows["j-1"].link == "https://example.org/j.html" and rows["j-1"].title == "Tomahawk JSON"


def test_on_postgresql_an_error_storing_one_feed_is_that_feeds_last_error(pg_schema_url: str,
                                                                         tmp_path: Path) -> None:
    """The database itself refuses one article (a trigger raising a data error, as PostgreSQL does
    for text it cannot take): the 29 other feeds store and alert, ``run --once`` exits 0."""
    open_database(pg_schema_url, upgrade=True).dispose()
    engine = create_engine(pg_schema_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                          "IF NEW.title LIKE '%Gift%' THEN RAISE EXCEPTION 'cannot store this text' "
                          "USING ERRCODE = '22P05'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER refuse_poison BEFORE INSERT ON articles FOR EACH ROW "
                          "EXECUTE FUNCTION refuse_poison()"))
    engine.dispose()
    bad = rss([Item("Tomahawk Gift", "https://example.org/gift.html", guid="gift")])
    with FeedServer() as server, Webhook() as hook:
        config = write_config(tmp_path, _thirty_feeds(server, bad), {"hook": hook.url}, watchlists=WATCHLIST,
                              database=pg_schema_url)
        code, output, report = _run_once_and_status(config)
        assert code == 0, output
        assert f"{FEEDS} feeds polled (1 failed)" in output
        assert sorted(m["title"] for m in hook.messages) == sorted(
            f"[ukraine] Tomahawk Nummer {i}" for i in range(1, FEEDS))
    feeds = {feed["name"]: feed for feed in report["feeds"]}  # type: ignore[attr-defined]
    assert "store failed" in feeds["Giftig"]["last_error"] and "cannot store this text" in feeds["Giftig"]["last_error"]
    assert feeds["Giftig"]["articles"] == 0 and feeds["Giftig"]["failures"] == 1
    assert all(feed["last_error"] is None and feed["articles"] == 1
               for name, feed in feeds.items() if name != "Giftig")
    assert report["articles"] == FEEDS - 1
