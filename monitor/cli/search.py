"""``newsmon search QUERY`` and ``newsmon backtest --watchlists PATH``: queries over stored articles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from monitor.cli.common import config_option, echo_json, settings

if TYPE_CHECKING:
    from monitor.reports.queries import Found, PerDay, Scan, Tick

PROGRESS_MIN = 200  # articles: shorter scans need no progress bar
_SINCE_HELP = "Only articles published in this window, e.g. 7d, 12h, or 'all'."


def _since(value: str) -> datetime | None:
    from monitor.units import parse_duration

    if value.strip().lower() == "all":
        return None
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(value))
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--since") from err


@contextmanager
def _progress(scan: Scan, label: str) -> Iterator[Tick | None]:
    """A progress bar on stderr when it is a terminal and the scan is long enough to need one."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal or scan.total < PROGRESS_MIN:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=scan.total)
        yield lambda: progress.advance(task)


@click.command()
@config_option
@click.argument("query")
@click.option("--since", "since", default="all", show_default=True, help=_SINCE_HELP)
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Show at most N matches, newest first (default: 50, all with --json; 0: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per match (as `match --json`).")
def search(query: str, since: str, limit: int | None, as_json: bool) -> None:
    """Run QUERY (the watchlist query language) over stored articles, newest first."""
    from monitor.reports.queries import search as run_search

    scan = run_search(settings(), query, _since(since))
    limit = (0 if as_json else 50) if limit is None else limit
    shown = 0
    with _progress(scan, "searching") as tick:
        for found in scan.run(tick):
            shown += 1
            if as_json:
                echo_json(found.as_json())
            else:
                _echo_found(found, with_watchlist=False)
            if limit and shown >= limit:
                break
    if not as_json:
        more = " (limit reached; --limit 0 shows all)" if limit and shown >= limit else ""
        click.echo(f"{shown} matches in {scan.total} stored articles{more}")


@click.command()
@config_option
@click.option("--watchlists", "watchlists_path", required=True, type=click.Path(exists=True),
              help="A watchlist file or folder to try (may use the config's entities).")
@click.option("--since", "since", default="30d", show_default=True, help=_SINCE_HELP)
@click.option("--examples", type=click.IntRange(min=0), default=5, show_default=True,
              help="Latest matching titles shown per watchlist.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per (article, watchlist) match.")
def backtest(watchlists_path: str, since: str, examples: int, as_json: bool) -> None:
    """Run watchlists over stored articles: how many alerts per day each would have sent."""
    from monitor.reports.queries import PerDay
    from monitor.reports.queries import backtest as run_backtest

    cutoff = _since(since)
    scan, watchlists = run_backtest(settings(), watchlists_path, cutoff)
    per_day = PerDay.of(watchlists)
    latest: dict[str, list[Found]] = {w.name: [] for w in watchlists}
    with _progress(scan, "backtesting") as tick:
        for found in per_day.feed(scan.run(tick)):
            if as_json:
                echo_json(found.as_json())
            else:
                latest[found.match.watchlist] = [*latest[found.match.watchlist], found][-examples:] if examples else []
    if not as_json:
        _per_day_table(per_day, scan, cutoff)
        for name, found_list in latest.items():
            if found_list:
                click.echo(f"\nlatest matches of {name}:")
                for found in reversed(found_list):
                    _echo_found(found, with_watchlist=False)


def _echo_found(found: Found, *, with_watchlist: bool) -> None:
    from monitor.reports.queries import BERLIN

    when = found.article.when.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
    terms = ", ".join(found.match.terms)
    prefix = f"{found.match.watchlist}  " if with_watchlist else ""
    click.echo(f"{when}  {prefix}{found.article.source}: {found.article.title}  [{terms}]")
    if found.article.link:
        click.echo(f"    {found.article.link}")


def _per_day_table(per_day: PerDay, scan: Scan, cutoff: datetime | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from monitor.reports.queries import BERLIN

    today = datetime.now(UTC).astimezone(BERLIN).date()
    first = cutoff.astimezone(BERLIN).date() if cutoff else None
    days = per_day.days(first, today if first else None)
    window = f"since {first}" if first else "all stored articles"
    table = Table(title="alerts per day (Berlin time)", caption=f"{scan.total} articles, {window}")
    table.add_column("day")
    for name in per_day.watchlists:
        table.add_column(name, justify="right")
    for day in days:
        counts = per_day.counts.get(day)
        table.add_row(str(day), *[str(counts[name]) if counts else "0" for name in per_day.watchlists])
    table.add_section()
    span = max(len(days), 1)
    table.add_row("total", *[str(per_day.total(n)) for n in per_day.watchlists])
    table.add_row("per day", *[f"{per_day.total(n) / span:.1f}" for n in per_day.watchlists])
    table.add_row("busiest day", *[str(per_day.busiest(n)) for n in per_day.watchlists])
    Console(width=max(80, 16 + 12 * len(per_day.watchlists))).print(table)


COMMANDS = [search, backtest]
