"""Serving the web view with uvicorn: in the foreground (``newsmon web``) or beside the daemon in a
thread (``web.listen``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import uvicorn

from monitor.config import Settings
from monitor.errors import MonitorError
from monitor.settings import check_web_listen
from monitor.web.app import create_app

log = logging.getLogger(__name__)


def _server(settings: Settings | Callable[[], Settings], listen: str, token: str | None) -> uvicorn.Server:
    check_web_listen(listen, token, key="--listen / web.listen")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise MonitorError(f"web: listen on HOST:PORT, e.g. 127.0.0.1:8080, not {listen!r}")
    app = create_app(settings, token=token)
    config = uvicorn.Config(app, host=host.strip("[]"), port=int(port), log_config=None, access_log=False,
                            server_header=False, lifespan="on")
    return uvicorn.Server(config)


def serve(settings: Settings, listen: str) -> None:
    """Serve until interrupted (uvicorn handles SIGINT and SIGTERM)."""
    server = _server(settings, listen, settings.monitor.web.token)
    log.info("starting the web view on http://%s/", listen)
    try:
        server.run()
    except SystemExit as err:  # uvicorn exits when it cannot bind, after logging why
        raise MonitorError(f"web: cannot listen on {listen}") from err
    if not server.started:
        raise MonitorError(f"web: cannot listen on {listen}")


def start(settings: Callable[[], Settings], listen: str, token: str | None) -> Callable[[], None]:
    """Serve in a thread beside the daemon; returns a function that stops it."""
    server = _server(settings, listen, token)
    thread = threading.Thread(target=server.run, name="web", daemon=True)  # off the main thread: no signals taken
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    if not server.started:
        raise MonitorError(f"web: cannot listen on {listen}")
    log.info("web view on http://%s/", listen)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
    return stop
