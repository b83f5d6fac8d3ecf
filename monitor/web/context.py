"""What every page handler uses: the app's state (settings, open database, clock, templates, CSRF,
match log), query parameters, and one response for HTML and ``?format=json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from monitor.config import Settings
from monitor.reports.matchfigures import MatchLog
from monitor.store.db import Database
from monitor.units import parse_duration
from monitor.web.guard import Csrf
from monitor.web.render import environment

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebState:
    settings: Callable[[], Settings]
    db: Database
    clock: Clock = utcnow
    templates: Environment = field(default_factory=environment)
    csrf: Csrf = field(default_factory=Csrf)
    matches: MatchLog = field(default_factory=MatchLog)


def state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


class BadRequest(Exception):
    """A parameter the page cannot use; shown on the page with status 400."""


def since_param(request: Request, default: str) -> timedelta | None:
    """``since`` as a duration (``7d``, ``12h``), or None for ``all``."""
    value = request.query_params.get("since", default).strip()
    if value.lower() == "all":
        return None
    try:
        return timedelta(seconds=parse_duration(value))
    except ValueError as err:
        raise BadRequest(f"since: {err}") from err


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def page(request: Request, template: str, data: Any, status: int = 200, **context: Any) -> Response:
    """The page's HTML, or with ``?format=json`` the ``data`` it shows."""
    if wants_json(request):
        return Response(json.dumps(data, ensure_ascii=False, default=str), status_code=status,
                        media_type="application/json")
    web = state(request)
    html = web.templates.get_template(template).render(data=data, now=web.clock(), request=request,
                                                        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)
