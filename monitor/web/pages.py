"""Pages that show what is stored: the overview, stories, one story, the outbox (and its one write:
retrying a dead alert)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor.reports.alerts import outbox_rows, retry_dead
from monitor.reports.frontpage import overview
from monitor.reports.stories import list_stories, story_detail
from monitor.web.context import BadRequest, page, since_param, state, wants_json
from monitor.web.render import safe_text, safe_url

RETRY = "retry"
FEEDS_SHOWN = 100  # a bigger deployment's overview lists its failing feeds and the first others


def home(request: Request) -> Response:
    web = state(request)
    settings = web.settings()
    report = overview(settings, web.clock(), web.db)
    for feed in report["feeds"]:
        feed["url"] = safe_url(feed["url"])
        feed["last_error"] = safe_text(feed["last_error"]) or None
    every = request.query_params.get("feeds") == "all"
    failing = [f for f in report["feeds"] if f["failures"]]
    shown = report["feeds"] if every or len(report["feeds"]) <= FEEDS_SHOWN else \
        failing + [f for f in report["feeds"] if not f["failures"]][:max(FEEDS_SHOWN - len(failing), 0)]
    return page(request, "overview.html", report, shown=shown)


def stories(request: Request) -> Response:
    web = state(request)
    period = since_param(request, "24h") or timedelta(days=36500)
    found = list_stories(web.settings(), period, _int(request, "min", 1), _int(request, "limit", 50),
                         now=web.clock(), db=web.db, articles=wants_json(request))  # the list shows no articles
    return page(request, "stories.html", [story.as_json() for story in found],
                since=request.query_params.get("since", "24h"))


def story(request: Request) -> Response:
    web = state(request)
    found = story_detail(web.settings(), int(request.path_params["story_id"]), web.db)
    if found is None:
        raise HTTPException(404, "no such story")
    return page(request, "story.html", found)


def alerts(request: Request) -> Response:
    web = state(request)
    dead = request.query_params.get("dead") == "1"
    rows = outbox_rows(web.settings(), dead_only=dead, limit=_int(request, "limit", 100), db=web.db)
    for row in rows:
        row["last_error"] = safe_text(row["last_error"]) or None
    return page(request, "alerts.html", rows, dead=dead, csrf=web.csrf.token(RETRY),
                retried=request.query_params.get("retried"))


async def retry(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    web = state(request)
    form = await request.form()
    token = form.get("csrf")
    if not web.csrf.valid(RETRY, token if isinstance(token, str) else None) or not _same_origin(request):
        raise HTTPException(403, "this form needs its CSRF token (reload the page and try again)")
    alert_id = str(request.path_params["alert_id"])
    count = await run_in_threadpool(retry_dead, web.settings(), alert_id, web.db)
    if count == 0:
        raise HTTPException(404, f"no dead alert with ID {alert_id}")
    return RedirectResponse(f"/alerts?retried={alert_id}", status_code=303)


def _same_origin(request: Request) -> bool:
    """The browser's own word where it gives one (pages send no referrer, so Origin is often ``null``)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True  # the CSRF token decides
    return origin.split("://", 1)[-1] == request.headers.get("host")


def _int(request: Request, name: str, default: int) -> int:
    value: Any = request.query_params.get(name, default)
    try:
        number = int(value)
    except ValueError as err:
        raise BadRequest(f"{name}: not a number: {value!r}") from err
    if number < 1:
        raise BadRequest(f"{name}: must be at least 1")
    return number


ROUTES = [
    Route("/", home),
    Route("/stories", stories),
    Route("/stories/{story_id:int}", story),
    Route("/alerts", alerts),
    Route("/alerts/{alert_id}/retry", retry, methods=["POST"]),
]
