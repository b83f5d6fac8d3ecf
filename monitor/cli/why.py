"""``newsmon why``: for one stored article and one watchlist, why it alerted or why not."""

from __future__ import annotations

from typing import Any

import click

from monitor.cli.common import config_option, echo_json, settings


@click.command()
@config_option
@click.option("--watchlist", "name", required=True, metavar="NAME", help="The watchlist to explain.")
@click.argument("ref", metavar="URL")
@click.option("--json", "as_json", is_flag=True, help="The whole decision chain as one JSON object.")
def why(name: str, ref: str, as_json: bool) -> None:
    """Why an article (by its link or any of its keys) alerted a watchlist, or why not."""
    from monitor.reports.why import explain
    from monitor.units import format_duration

    report = explain(settings(), name, ref)
    if as_json:
        echo_json(report)
        return
    article = report["article"]
    click.echo(f"{article['title']}  ({article['feed']}, published {article['published'] or '-'})")
    click.echo(f"watchlist {report['watchlist']}: {report['verdict']}")
    click.echo(f"query: {report['query']['text']}")
    _terms(report["query"]["terms"])
    if report["exclude"]:
        click.echo(f"exclude: {report['exclude']['text']} ({'hit' if report['exclude']['hit'] else 'no hit'})")
        _terms(report["exclude"]["terms"])
    story = report["story"]
    click.echo(f"story: {story['id'] if story['id'] is not None else '-'} (per: {story['per']}): {story['decision']}")
    age = report["age"]
    limit = format_duration(age["max_age"]) if age["max_age"] else "no limit"
    click.echo(f"age when first seen: {format_duration(max(0.0, age['age_at_first_seen']))} (max_age {limit}); "
               "feed backlog: "
               f"{age['feed_backlog']}" + ("; held as backlog" if age["held_as_backlog"] else ""))
    for target in report["targets"]:
        for outcome in target["outcome"]:
            click.echo(f"  → {target['target']}: {outcome}")


def _terms(terms: list[dict[str, Any]]) -> None:
    for term in terms:
        if term["matched"]:
            where = ", ".join(f"{h['field']} {h['start']}-{h['end']} „{h['text']}“" for h in term["hits"][:5])
            click.echo(f"  ✓ {term['term']}: {where}")
            continue
        closest = term.get("closest")
        click.echo(f"  ✗ {term['term']}" + (f": {closest['note']}" if closest else ": not in the text"))
        for word in (closest or {}).get("words", []):
            found = ", ".join(f"„{h['text']}“ ({h['field']} {h['start']})" for h in word["found"]) or "-"
            click.echo(f"      {word['word']}: {found}")


COMMANDS = [why]
