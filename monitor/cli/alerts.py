"""``newsmon alerts list|retry|test``: the outbox and alert targets."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, echo_json, settings
from monitor.errors import ConfigError


@click.group()
def alerts() -> None:
    """The outbox and alert targets."""


@alerts.command("list")
@config_option
@click.option("--dead", is_flag=True, help="Only dead alerts (failed max_attempts times).")
@click.option("--limit", default=50, show_default=True, help="Newest this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def list_alerts(dead: bool, limit: int, as_json: bool) -> None:
    """Alerts newest first: state, target, watchlist, article, attempts, last error."""
    from monitor.reports.alerts import outbox_rows

    rows = outbox_rows(settings(), dead_only=dead, limit=limit)
    if as_json:
        for row in rows:
            echo_json(row)
        return
    for row in rows:
        when = (row["sent_at"] or row["next_attempt_at"] or "")[:16].replace("T", " ")
        via = f" via {row['message_kind']}" if row["message_kind"] not in (None, "alert") else ""
        via += f" ({row['hold_reason']})" if row["state"] == "held" and row["hold_reason"] else ""
        click.echo(f"{row['id']:>6}  {row['state']:<7} {row['target']:<16} {row['watchlist'] or '-':<18} "
                   f"{row['attempts']}x {when}{via}  {row['title']}")
        if row["last_error"]:
            click.echo(f"        └ {row['last_error']}")
    if not rows:
        click.echo("no dead alerts" if dead else "the outbox is empty")


@alerts.command("retry")
@config_option
@click.argument("alert_id", required=False)
@click.option("--all-dead", is_flag=True, help="Every dead alert and dead admin message.")
def retry(alert_id: str | None, all_dead: bool) -> None:
    """Send a dead alert (ID as shown by `alerts list`) or --all-dead ones again, with fresh attempts."""
    from monitor.reports.alerts import retry_dead

    if (alert_id is None) == (not all_dead):
        raise click.UsageError("give an alert ID or --all-dead (not both)")
    count = retry_dead(settings(), alert_id)
    if alert_id is not None and count == 0:
        raise click.ClickException(f"no dead alert with ID {alert_id}")
    click.echo(f"{count} dead alert{'s' if count != 1 else ''} queued again; the next delivery run sends "
               f"{'them' if count != 1 else 'it'}")


@alerts.command("test")
@config_option
@click.argument("target")
def test_target(target: str) -> None:
    """Send a test alert to TARGET now."""
    from monitor.alert.deliver import Notifier, privacy_url
    from monitor.alert.render import Renderer

    cfg = settings()
    if target not in cfg.monitor.targets:
        raise ConfigError(f"unknown target {target!r}; known: {sorted(cfg.monitor.targets)}", file=str(cfg.path),
                          key="targets")
    notifier = Notifier(cfg.monitor.targets)
    payload = {"watchlist": "test", "title": "newsmon: Testnachricht – Übermittlung funktioniert",
               "link": "https://example.org/newsmon-test", "source": "newsmon", "terms": ["Test"],
               "published": None, "snippet": "Dies ist eine Testnachricht von newsmon.", "snippet_spans": [[26, 30]]}
    title, body = Renderer(cfg.templates, cfg.monitor.delivery.timezone).alert(payload, notifier.format_of(target))
    notifier.send(target, title, body)
    click.echo(f"sent a test alert to {target} ({privacy_url(cfg.monitor.targets[target].url)})")


COMMANDS = [alerts]
