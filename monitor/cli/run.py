"""``newsmon run`` and ``newsmon demo``."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, settings


@click.command()
@config_option
@click.option("--once", is_flag=True, help="One cycle: poll due feeds, deliver due alerts, exit.")
def run(once: bool) -> None:
    """Run the monitor (the daemon), or one cycle with --once."""
    from monitor.scheduler import Daemon, Runner, run_once

    runner = Runner(settings())
    if once:
        report = run_once(runner)
        runner.close()
        failed = [p for p in report.polls if p.error]
        click.echo(f"{len(report.polls)} feeds polled ({len(failed)} failed), {report.new_articles} new articles, "
                   f"{report.alerts} alerts queued, {report.delivery.sent} sent, {report.delivery.retried} "
                   f"to retry, {report.delivery.dead} dead")
        if runner.stopping.is_set():
            click.echo("stopped by a signal after polling: undelivered alerts stay in the outbox for the next run")
        return
    raise SystemExit(Daemon(runner).serve())


@click.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo's state in this folder.")
def demo(keep: str | None) -> None:
    """Offline demo: a bundled German sample feed served on 127.0.0.1, one cycle, the alerts shown."""
    from monitor.demo import run_demo

    run_demo(keep, click.echo)


COMMANDS = [run, demo]
