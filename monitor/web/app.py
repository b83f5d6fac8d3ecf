"""The web view as a Starlette application: one open database for all requests, the routes of
``pages`` and ``tuning``, static files from the package, the guard around it all."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from monitor.config import Settings
from monitor.store.db import open_database
from monitor.web import pages, tuning
from monitor.web.context import BadRequest, Clock, WebState, page, utcnow
from monitor.web.guard import Guard


def create_app(settings: Settings | Callable[[], Settings], *, clock: Clock = utcnow,
               token: str | None = None) -> Starlette:
    """The web view over the database of ``settings`` (a function is asked again per request, so a
    daemon's reloaded config is shown); ``token`` is required from every client when set."""
    source: Callable[[], Settings] = settings if callable(settings) else (lambda: settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        app.state.web.db.dispose()

    routes = [*pages.ROUTES, *tuning.ROUTES,
              Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")]
    handlers = {BadRequest: _bad_request, HTTPException: _http_error}
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    app.state.web = WebState(source, open_database(source().database_url), clock)
    app.add_middleware(Guard, token=token if token is not None else source().monitor.web.token)
    return app


async def _bad_request(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", {"error": str(exc)}, status=400)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "error"
    return page(request, "error.html", {"error": detail}, status=status)
