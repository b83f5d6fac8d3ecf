"""``newsmon watchlists``: per watchlist and day, matching articles, stories, alerts sent and what
was held back and why."""

from __future__ import annotations

from typing import Any

import click

from monitor.cli.common import config_option, echo_json, settings

_SHORT = {"duplicate": "dup", "story": "story", "exclude": "excl", "max_age": "old", "backlog": "backlog",
          "rate": "rate", "quiet": "quiet"}


@click.command()
@config_option
@click.option("--since", default="7d", show_default=True, metavar="DURATION", help="Days in this period (24h, 7d).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per watchlist, with its days.")
def watchlists(since: str, as_json: bool) -> None:
    """Per watchlist and day: matching articles, stories, alerts sent, and what was held back and why."""
    from datetime import timedelta

    from monitor.reports.watchlists import figures
    from monitor.units import parse_duration

    try:
        period = timedelta(seconds=parse_duration(since))
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--since") from err
    report = figures(settings(), period)
    if as_json:
        for watchlist in report["watchlists"]:
            echo_json(watchlist)
        return
    for watchlist in report["watchlists"]:
        click.echo(f"{watchlist['name']}{'' if watchlist['configured'] else ' (not in config)'}: "
                   f"{_line(watchlist['total'])}")
        for day in watchlist["days"]:
            click.echo(f"    {day['day']}  {_line(day)}")


def _line(counts: dict[str, Any]) -> str:
    held = ", ".join(f"{n} {_SHORT[reason]}" for reason, n in counts["held_back"].items() if n)
    return (f"{counts['articles']} articles, {counts['stories']} stories, {counts['alerts_sent']} sent"
            + (f"; held back: {held}" if held else ""))


COMMANDS = [watchlists]
