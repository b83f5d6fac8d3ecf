"""``newsmon check``, ``newsmon status`` and ``newsmon match``."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, echo_json, settings


@click.command()
@config_option
def check() -> None:
    """Load and validate config and watchlists, print a summary."""
    from monitor.alert.deliver import privacy_url, validate_targets
    from monitor.store.db import masked_url

    cfg = settings()
    validate_targets(cfg.monitor.targets, str(cfg.path))
    click.echo(f"config ok: {cfg.path}")
    click.echo(f"  database:   {masked_url(cfg.database_url)}")
    click.echo(f"  feeds:      {len(cfg.feeds)}")
    click.echo(f"  entities:   {len(cfg.entities)}")
    click.echo(f"  watchlists: {len(cfg.watchlists)} ({', '.join(w.name for w in cfg.watchlists)})")
    for name, target in cfg.monitor.targets.items():
        limits = "".join(f", {key} {value}" for key, value in (("rate limit", target.rate_limit),
                                                                 ("quiet hours", target.quiet_hours)) if value)
        click.echo(f"  target {name}: {privacy_url(target.url)} [{target.format}{limits}]")
    for name, digest in cfg.monitor.digests.items():
        click.echo(f"  digest {name}: cron '{digest.cron}' ({cfg.monitor.delivery.timezone})")
    if cfg.monitor.admin:
        click.echo(f"  admin alerts: to {cfg.monitor.admin.target} after {cfg.monitor.admin.failures} failures "
                   f"or {cfg.monitor.admin.silence_factor:g}x the usual silence")
    if any(feed.guarded for feed in cfg.feeds):  # the lookups need httpx: imported only then
        from monitor.reports.checks import private_feed_warnings

        for warning in private_feed_warnings(cfg):
            click.echo(f"warning: {warning}")


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Feeds' health, article count and the outbox."""
    from monitor.reports.status import collect

    report = collect(settings())
    if as_json:
        echo_json(report)
        return
    from monitor.cli.statusview import show

    show(report)


@click.command()
@config_option
@click.option("--watchlists", "watchlists_path", required=True, type=click.Path(exists=True),
              help="A watchlist file or folder.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per (article, watchlist) match.")
@click.argument("sources", nargs=-1, required=True)
def match(watchlists_path: str, as_json: bool, sources: tuple[str, ...]) -> None:
    """Offline: parse feed files or URLs and show which watchlists match; no database."""
    from monitor.config import HttpConfig
    from monitor.reports.offline import match_sources

    count = 0
    for found in match_sources(watchlists_path, sources, HttpConfig()):
        count += 1
        if as_json:
            echo_json(found.as_json())
        else:
            terms = ", ".join(found.match.terms)
            click.echo(f"{found.match.watchlist:24} {found.match.score:5.1f}  {found.entry.title}  [{terms}]")
    if not as_json:
        click.echo(f"{count} matches")


COMMANDS = [check, status, match]
