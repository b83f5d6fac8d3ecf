"""``newsmon schema``: JSON Schema of monitor.yaml and watchlist files, for editors."""

from __future__ import annotations

import click


@click.command()
@click.argument("kind", type=click.Choice(["monitor", "watchlist"]), default="monitor")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def schema(kind: str, output: str | None) -> None:
    """Print the JSON Schema of monitor.yaml (KIND monitor) or of a watchlist file (KIND watchlist)."""
    import json
    from pathlib import Path

    from monitor.reports.schema import schema as build

    text = json.dumps(build(kind), ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, "utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


COMMANDS = [schema]
