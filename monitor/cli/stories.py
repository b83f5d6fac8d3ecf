"""``newsmon stories``: recent stories, biggest first, each with its articles and their sources."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, echo_json, settings


@click.command()
@config_option
@click.option("--since", default="24h", show_default=True, metavar="DURATION",
              help="Stories with an article in this period (30m, 24h, 7d).")
@click.option("--min-articles", default=1, show_default=True, type=click.IntRange(1),
              help="Only stories with at least this many articles.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="At most this many stories.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per story, with its articles.")
def stories(since: str, min_articles: int, limit: int, as_json: bool) -> None:
    """Recent stories: articles about one event across outlets, with outlet and article counts."""
    from datetime import timedelta

    from monitor.reports.stories import list_stories
    from monitor.units import parse_duration

    try:
        period = timedelta(seconds=parse_duration(since))
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--since") from err
    found = list_stories(settings(), period, min_articles, limit)
    if as_json:
        for story in found:
            echo_json(story.as_json())
        return
    for story in found:
        click.echo(f"#{story.id}  {story.title}  [{story.article_count} Artikel, {story.outlet_count} Medien: "
                   f"{', '.join(story.outlets)}]")
        for article in story.articles:
            outlets = ", ".join(dict.fromkeys(s["outlet"] or s["feed"] for s in article["sources"]))
            click.echo(f"    {article['first_seen'][:16].replace('T', ' ')}  {article['title']}  ({outlets})")
    click.echo(f"{len(found)} stories")


COMMANDS = [stories]
