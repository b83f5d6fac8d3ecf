"""Alert messages from Jinja2 templates in a sandbox, one set per target format (text, markdown, html).

Bundled templates live in ``monitor/alert/templates``; a file of the same name in the folder named
by the ``templates`` config key replaces one. Everything that came from a feed is escaped for the
format: HTML autoescaping for ``html``, Markdown escaping of every ``{{ … }}`` for ``markdown``.
Links become clickable only when they are http(s) (no ``javascript:`` from a hostile feed).

Template files: ``{alert,batch,admin}.{text,markdown,html}.j2`` for bodies, ``{alert,batch,admin}.title.j2``
for titles (always plain text), ``items.{format}.j2`` with the macro that draws one article.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup

from monitor.errors import ConfigError, RenderError

FORMATS = ("text", "markdown", "html")
_MD_SPECIAL = set("\\`*_[]()#<>|~!")
# what starts a block at a line start: a bullet ("- ", "+ "), a rule or setext underline ("--", "=")
# and an ordered item ("1. ", "2)"), each followed by a space or the end
_MD_BULLET = re.compile(r"[-+](?: |$)|--|=")
_MD_ORDERED = re.compile(r"(\d{1,9})[.)](?: |$)")


@cache
def bundled() -> dict[str, str]:
    folder = files("monitor.alert").joinpath("templates")
    return {entry.name: entry.read_text("utf-8") for entry in folder.iterdir() if entry.name.endswith(".j2")}


def one_line(text: str) -> str:
    """Feed text on one line: newlines and runs of spaces become one space."""
    return " ".join(text.split())


def md_escape(text: str) -> str:
    """Feed text as inert Markdown: one line (no new block can start inside it), inline markup
    escaped, and the block markers that work at a line start (``-``, ``+``, ``=``, ``1.``, ``1)``)
    escaped in front, since a template may put the value at the start of a line."""
    line = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in one_line(text))
    if _MD_BULLET.match(line):
        return "\\" + line
    number = _MD_ORDERED.match(line)
    if number:
        return f"{number.group(1)}\\{line[number.end(1):]}"
    return line


def _finalize_md(value: Any) -> Any:
    if isinstance(value, Markup) or value is None:
        return "" if value is None else value
    return md_escape(str(value))


def _md_url(value: Any) -> Markup:
    return Markup(quote(str(value or ""), safe=":/?#[]@!$&'*+,;=%-._~"))


def _environment(fmt: str, sources: Mapping[str, str]) -> Any:
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    options: dict[str, Any] = {"loader": DictLoader(dict(sources)), "undefined": StrictUndefined,
                               "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": False}
    if fmt == "html":
        options["autoescape"] = True
    elif fmt == "markdown":
        options["finalize"] = _finalize_md
    env = SandboxedEnvironment(**options)
    env.filters["mdurl"] = _md_url
    return env


def check_template(name: str, source: str, file: str) -> None:
    """A replacement template must have a bundled name and compile; else ``ConfigError`` with the line."""
    from jinja2 import TemplateSyntaxError

    if name not in bundled():
        raise ConfigError(f"no bundled template is called {name!r}; known: {sorted(bundled())}", file=file)
    fmt = name.split(".")[1]
    try:
        _environment(fmt if fmt in FORMATS else "text", {}).parse(source)
    except TemplateSyntaxError as err:
        raise ConfigError(f"template does not compile: {err.message}", file=file, key=f"line {err.lineno}") from err


SAMPLE_ARTICLE: dict[str, Any] = {
    "id": 1, "watchlist": "beispiel", "title": "Außenminister Lawrow telefoniert mit Rubio",
    "link": "https://example.org/lawrow.html", "source": "Beispiel-Nachrichten",
    "published": "2025-10-21T07:15:00+00:00", "score": 4.5, "terms": ["Lawrow", "Rubio"], "story": 1,
    "snippet": "Sergej Lawrow und Marco Rubio sprachen", "snippet_spans": [[7, 13], [24, 29]],
    "followups": [{"title": "Kreml bestätigt Telefonat", "link": "https://example.org/kreml.html",
                   "source": "Beispiel-Nachrichten", "published": "2025-10-21T08:00:00+00:00"}],
}
SAMPLE_ADMIN: dict[str, Any] = {"feed": "beispiel", "url": "https://example.org/feed.xml", "problem": "failing",
                                "failures": 5, "error": "HTTP 500", "since": "2025-10-21T07:15:00+00:00",
                                "usual": "2 h 0 min", "detail": "Abrufe klappen wieder"}

SAMPLE_PATTERN: dict[str, Any] = {"problem": "regex", "watchlist": "beispiel", "pattern": "re:/(a|aa)+$/",
                                  "timeouts": 3, "limit_ms": 50, "feed": "Watchlist beispiel",
                                  "url": "re:/(a|aa)+$/", "failures": 3, "error": "abgeschaltet"}


def check_rendering(files: Mapping[str, str], folder: str, zone: str = "Europe/Berlin") -> None:
    """Render every message kind in every format once with a sample article: a replacement that
    fails at run time (not only at compile time) is a ``ConfigError`` naming its file."""
    renderer = Renderer(files, zone)
    try:
        for fmt in FORMATS:
            renderer.alert(SAMPLE_ARTICLE, fmt)
            renderer.alert({**SAMPLE_ARTICLE, "followups": []}, fmt)
            for kind in ("digest", "quiet", "summary"):
                renderer.batch(kind, [SAMPLE_ARTICLE, SAMPLE_ARTICLE], fmt, heading="Morgenlage", reason="3/hour")
            for problem in ("failing", "silent", None):
                renderer.admin({**SAMPLE_ADMIN, "problem": problem}, fmt)
            renderer.admin(SAMPLE_PATTERN, fmt)
    except RenderError as err:
        file = f"{folder}/{err.template}" if err.template in files else folder
        raise ConfigError(f"template does not render a sample article: {err}", file=file) from err


class Renderer:
    """Renders messages for one configuration: its template overrides and its time zone."""

    def __init__(self, overrides: Mapping[str, str] | None = None, zone: str = "Europe/Berlin") -> None:
        self._sources = {**bundled(), **(overrides or {})}
        # Made when a message is first rendered: a delivery round with nothing due (a timer's
        # ``run --once``) does not import Jinja (a sixteenth of such a run).
        self._envs: dict[str, Any] = {}
        self._zone = ZoneInfo(zone)

    def alert(self, payload: Mapping[str, Any], fmt: str) -> tuple[str, str]:
        """(title, body) of a message about one article."""
        return self._render("alert", fmt, {"a": self.item(payload)})

    def batch(self, kind: str, payloads: list[Mapping[str, Any]], fmt: str, *, heading: str | None = None,
              reason: str | None = None) -> tuple[str, str]:
        """(title, body) of a message listing several articles: a digest, a quiet-hours fold, a summary."""
        items = [self.item(p) for p in payloads]
        context = {"kind": kind, "items": items, "count": len(items), "heading": heading, "reason": reason,
                   "watchlists": sorted({i["watchlist"] for i in items})}
        return self._render("batch", fmt, context)

    def admin(self, payload: Mapping[str, Any], fmt: str) -> tuple[str, str]:
        context = dict(payload)
        context["since"] = self.when(payload.get("since"))
        return self._render("admin", fmt, {"e": context})

    def _render(self, name: str, fmt: str, context: dict[str, Any]) -> tuple[str, str]:
        title = self._one("text", f"{name}.title.j2", context)
        body = self._one(fmt, f"{name}.{fmt}.j2", context)
        return " ".join(title.split()), body.strip() + "\n"

    def _one(self, fmt: str, template: str, context: dict[str, Any]) -> str:
        # Any exception, not only Jinja's: a template can divide by zero, the sandbox raises
        # OverflowError for a huge range, a recursive macro RecursionError. Each is a failed
        # attempt of the one message, never the end of a delivery round.
        try:
            env = self._envs.get(fmt)
            if env is None:
                if fmt not in FORMATS:
                    raise KeyError(fmt)
                env = self._envs[fmt] = _environment(fmt, self._sources)
            return str(env.get_template(template).render(context))
        except Exception as err:  # see above
            raise RenderError(f"template {template} failed: {err.__class__.__name__}: {err}",
                              template=template) from err

    def when(self, value: str | None) -> str:
        if not value:
            return ""
        return datetime.fromisoformat(value).astimezone(self._zone).strftime("%d.%m.%Y %H:%M")

    def _followup(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"title": one_line(str(item.get("title", ""))), "link": item.get("link") or "",
                "href": _href(item.get("link")), "source": one_line(str(item.get("source", ""))),
                "published": self.when(item.get("published"))}

    def item(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """What a template sees of one article; feed text stays plain text here, templates escape it."""
        link = payload.get("link") or ""
        text = payload.get("snippet") or ""
        if text.strip() == str(payload.get("title", "")).strip() or payload.get("followups"):
            text = ""  # the hit is in the title, or the follow-ups are listed one by one
        return {
            "id": payload.get("id"),
            "watchlist": payload.get("watchlist", ""),
            "title": one_line(str(payload.get("title", ""))),  # a title is one line in every format
            "link": link,
            "href": _href(link),
            "source": one_line(str(payload.get("source", ""))),
            "published": self.when(payload.get("published")),
            "terms": list(payload.get("terms", [])),
            "snippet": segments(text, payload.get("snippet_spans") or []),
            "score": payload.get("score"),
            "story": payload.get("story"),
            "followups": [self._followup(f) for f in payload.get("followups") or []],
        }


@cache
def renderer_for(overrides: tuple[tuple[str, str], ...], zone: str) -> Renderer:
    """One compiled Renderer per configuration (templates compile once, not every delivery run)."""
    return Renderer(dict(overrides), zone)


def _href(link: str | None) -> str | None:
    return link if link and urlsplit(link).scheme in ("http", "https") else None


def segments(text: str, spans: list[list[int]] | list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The snippet cut into (text, is_hit) pieces, so each format can highlight hits its own way."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces
