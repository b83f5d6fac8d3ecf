"""``newsmon feeds list|add|import|export``: the configured feeds, discovery, OPML in and out."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.common import config_option, echo_json, settings


@click.group()
def feeds() -> None:
    """Feed management: list, add (discovers the feed of a site), import/export OPML."""


@feeds.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per feed.")
def list_feeds(as_json: bool) -> None:
    """The configured feeds with their health from the database (when it exists)."""
    from monitor.reports.feeds import feed_overview

    rows = feed_overview(settings())
    for row in rows:
        if as_json:
            echo_json(row)
        else:
            health = row.get("last_error") or ("ok" if row.get("last_ok") else "not polled yet")
            click.echo(f"{row['name']:24} {row['articles']:>6}  {row['url']}  [{health}]")


@feeds.command("add")
@config_option
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's title).")
@click.option("--interval", help="Poll interval of this feed, e.g. 10m.")
@click.option("--fulltext", is_flag=True, help="Fetch each article's page for its full text.")
def add(url: str, name: str | None, interval: str | None, fulltext: bool) -> None:
    """Add the feed at URL, or the feed a site page at URL links to; it is fetched and validated first."""
    from monitor import redact
    from monitor.errors import ConfigError
    from monitor.feeds.discovery import discover_feeds, origin_of
    from monitor.subscribe import NewFeed, add_feeds

    cfg = settings()
    found = discover_feeds(url, cfg.monitor.http)
    if not found:
        raise ConfigError(f"no feed found at {url} (no <link rel=alternate> feed and none that parses)")
    title, feed_url = found[0]
    added, skipped = add_feeds(cfg, [NewFeed(feed_url, name or title, interval, fulltext, origin_of(url, feed_url))])
    for feed in added:
        click.echo(f"added {feed.name!r}: {redact.url(feed.url)} to {cfg.path}")
    for reason in skipped:
        click.echo(f"skipped {redact.text(reason)}")
    for other_title, other in found[1:]:
        shown = redact.url(other)
        click.echo(f"  the page also links {other_title!r}: {shown} (add it with `newsmon feeds add {shown}`)")


@feeds.command("import")
@config_option
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_opml(opml: Path) -> None:
    """Add every http(s) feed of an OPML file that is not configured yet (with ``origin: opml``)."""
    from monitor import redact
    from monitor.config import web_url
    from monitor.feeds.opml import read_opml
    from monitor.subscribe import NewFeed, add_feeds

    cfg = settings()
    outlines = read_opml(opml.read_bytes(), str(opml))
    refused = [url for _title, url in outlines if not web_url(url)]
    entries = [NewFeed(url, title or url, origin="opml") for title, url in outlines if web_url(url)]
    added, skipped = add_feeds(cfg, entries)
    for url in refused:
        click.echo(f"skipped {redact.text(url[:200])}: only http(s) feeds are imported (local files and file:// "
                   "are for feeds written into monitor.yaml by hand)")
    click.echo(f"imported {len(added)} feeds into {cfg.path}, {len(skipped)} already configured"
               + (f", {len(refused)} refused" if refused else ""))


@feeds.command("export")
@config_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
def export(output: Path | None) -> None:
    """The configured feeds as OPML (secrets as their ${VAR} reference or masked)."""
    from monitor.feeds.opml import write_opml
    from monitor.reports.feeds import export_rows

    data = write_opml(export_rows(settings()))
    if output:
        output.write_bytes(data)
    else:
        click.echo(data.decode("utf-8"))


COMMANDS = [feeds]
