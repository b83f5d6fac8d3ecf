"""Pages for tuning watchlists: per-watchlist figures, search over stored articles, and the live
preview of a watchlist file being edited (the page asks for the file's stamp every second and
reloads when it changed)."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.config import Settings
from monitor.errors import ConfigError, QueryError
from monitor.reports.matchfigures import match_figures as figures
from monitor.reports.preview import preview as run_preview
from monitor.reports.preview import resolve, watchlist_files
from monitor.reports.preview import stamp as file_stamp
from monitor.reports.queries import search_summary
from monitor.web.context import BadRequest, page, since_param, state


def watchlists(request: Request) -> Response:
    web = state(request)
    since = since_param(request, "14d")
    found = figures(web.settings(), web.matches, web.clock(), since, recent=3, db=web.db)
    return page(request, "watchlists.html", [f.as_json() for f in found], figures=found,
                pending=found[0].pending if found else 0, since=request.query_params.get("since", "14d"))


def watchlist(request: Request) -> Response:
    web = state(request)
    since = since_param(request, "14d")
    name = request.path_params["name"]
    found = figures(web.settings(), web.matches, web.clock(), since, name=name, recent=20, db=web.db)
    if not found:
        raise HTTPException(404, f"no watchlist {name!r} in the config")
    return page(request, "watchlist.html", found[0].as_json(), figures=found[0], pending=found[0].pending,
                since=request.query_params.get("since", "14d"))


def search(request: Request) -> Response:
    web = state(request)
    query = request.query_params.get("q", "").strip()
    since_text = request.query_params.get("since", "7d")
    since = since_param(request, "7d")
    data: dict[str, object] = {"query": query, "since": since_text, "error": None}
    summary = None
    if query:
        cutoff = web.clock() - since if since is not None else None
        try:
            summary = search_summary(web.settings(), query, cutoff, db=web.db)
        except QueryError as err:
            data["error"] = str(err)
    if summary is not None:
        data.update({"articles": summary.total, "matches": summary.matches,
                     "per_day": [{"day": d.isoformat(), "matches": n} for d, n in summary.per_day.items()],
                     "newest": [found.as_json() for found in summary.newest]})
    return page(request, "search.html", data, summary=summary, status=400 if data["error"] else 200)


async def preview(request: Request) -> Response:
    web = state(request)
    settings = web.settings()
    name = request.query_params.get("file")
    if not name:
        return page(request, "preview_files.html", {"files": watchlist_files(settings)})
    since = since_param(request, "7d")
    path = _resolve(settings, name)
    examples = _examples(request)
    result = await run_in_threadpool(run_preview, settings, path, web.clock(), since, examples, web.db)
    return page(request, "preview.html", result.as_json(), result=result,
                since=request.query_params.get("since", "7d"))


def stamp(request: Request) -> Response:
    """The file's stamp: the preview page polls it and reloads when it changes."""
    path = _resolve(state(request).settings(), request.query_params.get("file", ""))
    return JSONResponse({"stamp": file_stamp(path)})


def _resolve(settings: Settings, name: str) -> Path:
    try:
        return resolve(settings, name)
    except ConfigError as err:
        raise HTTPException(403, err.detail) from err


def _examples(request: Request) -> int:
    try:
        return max(1, min(50, int(request.query_params.get("examples", "5"))))
    except ValueError as err:
        raise BadRequest("examples: not a number") from err


ROUTES = [
    Route("/watchlists", watchlists),
    Route("/watchlists/{name}", watchlist),
    Route("/search", search),
    Route("/preview", preview),
    Route("/preview/stamp", stamp),
]
