"""Alert messages from Jinja2 templates in a sandbox, one set per target format (text, markdown, html).

Bundled templates live in ``monitor/alert/templates``; a file of the same name in the folder named
by the ``templates`` config key replaces one. Everything that came from a feed is escaped for the
format: HTML autoescaping for ``html``, Markdown escaping of every ``{{ … }}`` for ``markdown``.
Links become clickable only when they are http(s) (no ``javascript:`` from a hostile feed).

Template files: ``{alert,batch,admin}.{text,markdown,html}.j2`` for bodies, ``{alert,batch,admin}.title.j2``
for titles (always plain text), ``items.{format}.j2`` with the macro that draws one article.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup

from monitor.errors import ConfigError, DeliveryError

FORMATS = ("text", "markdown", "html")
_MD_SPECIAL = set("\\`*_[]()#<>|~!")


@cache
def bundled() -> dict[str, str]:
    folder = files("monitor.alert").joinpath("templates")
    return {entry.name: entry.read_text("utf-8") for entry in folder.iterdir() if entry.name.endswith(".j2")}


def md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


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


class Renderer:
    """Renders messages for one configuration: its template overrides and its time zone."""

    def __init__(self, overrides: Mapping[str, str] | None = None, zone: str = "Europe/Berlin") -> None:
        sources = {**bundled(), **(overrides or {})}
        self._envs = {fmt: _environment(fmt, sources) for fmt in FORMATS}
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
        from jinja2 import TemplateError

        try:
            title = self._envs["text"].get_template(f"{name}.title.j2").render(context)
            body = self._envs[fmt].get_template(f"{name}.{fmt}.j2").render(context)
        except TemplateError as err:
            raise DeliveryError(f"template {name}.{fmt}.j2 failed: {err}") from err
        return " ".join(title.split()), body.strip() + "\n"

    def when(self, value: str | None) -> str:
        if not value:
            return ""
        return datetime.fromisoformat(value).astimezone(self._zone).strftime("%d.%m.%Y %H:%M")

    def _followup(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"title": item.get("title", ""), "link": item.get("link") or "", "href": _href(item.get("link")),
                "source": item.get("source", ""), "published": self.when(item.get("published"))}

    def item(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """What a template sees of one article; feed text stays plain text here, templates escape it."""
        link = payload.get("link") or ""
        text = payload.get("snippet") or ""
        if text.strip() == str(payload.get("title", "")).strip() or payload.get("followups"):
            text = ""  # the hit is in the title, or the follow-ups are listed one by one
        return {
            "id": payload.get("id"),
            "watchlist": payload.get("watchlist", ""),
            "title": payload.get("title", ""),
            "link": link,
            "href": _href(link),
            "source": payload.get("source", ""),
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
