"""``newsmon run`` and ``newsmon demo``."""

from __future__ import annotations

from collections.abc import Callable

import click

from monitor.cli.common import config_option, settings
from monitor.config import Settings


@click.command()
@config_option
@click.option("--once", is_flag=True, help="One cycle: poll due feeds, deliver due alerts, exit.")
@click.option("--worker", is_flag=True, help="Run one daemon process whatever `workers` says (as the "
              "supervisor's workers do).")
def run(once: bool, worker: bool) -> None:
    """Run the monitor (the daemon), or one cycle with --once."""
    from monitor.daemon.scheduler import Daemon, Runner, run_once

    config = settings()
    if not once:
        from monitor.store.db import upgrade_apart

        upgrade_apart(config.database_url)  # a long-running process does not keep alembic loaded
    if config.monitor.workers > 1 and not (once or worker):
        raise SystemExit(_supervise(config))
    runner = Runner(config)
    if once:
        report = run_once(runner)
        runner.close()
        failed = [p for p in report.polls if p.error]
        click.echo(f"{len(report.polls)} feeds polled ({len(failed)} failed), {report.new_articles} new articles, "
                   f"{report.alerts} alerts queued, {report.delivery.sent} sent, {report.delivery.retried} "
                   f"to retry, {report.delivery.dead} dead, {report.delivery.held} held (quiet hours, rate limits)")
        if runner.stopping.is_set():
            click.echo("stopped by a signal after polling: undelivered alerts stay in the outbox for the next run")
        return
    daemon = Daemon(runner, serve_metrics=not worker)
    stop_web = _start_web(config, lambda: daemon.runner.settings) if not worker else None
    try:
        raise SystemExit(daemon.serve())
    finally:
        if stop_web:
            stop_web()


def _start_web(config: Settings, source: Callable[[], Settings]) -> Callable[[], None] | None:
    """The web view beside the daemon when ``web.listen`` is set (a supervisor serves it for its workers)."""
    if not config.monitor.web.listen:
        return None
    from monitor.web import start

    return start(source, config.monitor.web.listen, config.monitor.web.token)


def _supervise(config: Settings) -> int:
    from functools import partial

    from monitor.daemon.metrics import serve_stored_state
    from monitor.daemon.supervisor import Supervisor
    from monitor.store.db import open_database

    open_database(config.database_url, upgrade=True).dispose()  # current (migrated apart) before the workers start
    verbose = bool(click.get_current_context().find_root().params.get("verbose"))
    listen = config.monitor.metrics.listen
    stop_web = _start_web(config, lambda: config)
    try:
        return Supervisor(config.path, config.monitor.workers, verbose=verbose,
                          service=partial(serve_stored_state, listen, config.database_url) if listen else None,
                          watchdog=config.monitor.worker_watchdog).serve()
    finally:
        if stop_web:
            stop_web()


@click.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo's state in this folder.")
def demo(keep: str | None) -> None:
    """Offline demo: a bundled German sample feed served on 127.0.0.1, one cycle, the alerts shown."""
    from monitor.demo import run_demo

    run_demo(keep, click.echo)


COMMANDS = [run, demo]
