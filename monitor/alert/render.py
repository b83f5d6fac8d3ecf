"""Alert messages: title, link, source, published time (Europe/Berlin) and the matched terms."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def render(payload: dict[str, Any], fmt: str) -> tuple[str, str]:
    """(title, body) for one alert in the target's format; feed text is escaped for that format."""
    title = f"[{payload['watchlist']}] {payload['title']}"
    when = _berlin(payload.get("published"))
    terms = ", ".join(payload.get("terms", []))
    snippet = payload.get("snippet") or ""
    if snippet.strip() == str(payload["title"]).strip():
        snippet = ""  # the hit is in the title, which the message shows already
    if fmt == "html":
        esc = html.escape
        link = esc(payload.get("link") or "")
        lines = [
            f'<p><a href="{link}">{esc(payload["title"])}</a></p>',
            f"<p>Quelle: {esc(payload.get('source', ''))}" + (f" · {esc(when)}" if when else "") + "</p>",
            f"<p>Treffer: {esc(terms)}</p>",
        ]
        if snippet:
            lines.append(f"<blockquote>{esc(snippet)}</blockquote>")
        return title, "\n".join(lines)
    if fmt == "markdown":
        lines = [f"**[{_md(payload['title'])}]({payload.get('link') or ''})**",
                 f"Quelle: {_md(payload.get('source', ''))}" + (f" · {when}" if when else ""),
                 f"Treffer: {_md(terms)}"]
        if snippet:
            lines.append(f"> {_md(snippet)}")
        return title, "\n\n".join(lines)
    lines = [payload["title"], payload.get("link") or "", f"Quelle: {payload.get('source', '')}"
             + (f" · {when}" if when else ""), f"Treffer: {terms}"]
    if snippet:
        lines.append(f"„{snippet}“")
    return title, "\n".join(lines)


def _berlin(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def _md(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]()#<>|" else ch for ch in text)
