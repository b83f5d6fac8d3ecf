"""The local web view: server-rendered pages over the read-side services of ``monitor.reports``.

create_app(settings, clock=, token=)   -> the Starlette application
serve(settings, listen)                serve in the foreground (``newsmon web``)
start(settings_source, listen, token)  serve beside the daemon; returns a stop function
"""

from __future__ import annotations

from monitor.web.app import create_app
from monitor.web.server import serve, start

__all__ = ["create_app", "serve", "start"]
