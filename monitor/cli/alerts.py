"""``newsmon alerts test TARGET``."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, settings
from monitor.errors import ConfigError


@click.group()
def alerts() -> None:
    """The outbox and alert targets."""


@alerts.command("test")
@config_option
@click.argument("target")
def test_target(target: str) -> None:
    """Send a test alert to TARGET now."""
    from monitor.alert.deliver import Notifier, privacy_url
    from monitor.alert.render import render

    cfg = settings()
    if target not in cfg.monitor.targets:
        raise ConfigError(f"unknown target {target!r}; known: {sorted(cfg.monitor.targets)}", file=str(cfg.path),
                          key="targets")
    notifier = Notifier(cfg.monitor.targets)
    payload = {"watchlist": "test", "title": "newsmon: Testnachricht – Übermittlung funktioniert",
               "link": "https://example.org/newsmon-test", "source": "newsmon", "terms": ["Test"],
               "published": None, "snippet": "Dies ist eine Testnachricht von newsmon."}
    title, body = render(payload, notifier.format_of(target))
    notifier.send(target, title, body)
    click.echo(f"sent a test alert to {target} ({privacy_url(cfg.monitor.targets[target].url)})")


COMMANDS = [alerts]
