"""Templates and the helpers they use: hits wrapped in ``<mark>``, relative times, secrets taken out
of URLs and error texts, a per-day bar chart as inline SVG. Autoescape is on: every string from a
feed or a file is text, never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from monitor.match import snippet
from monitor.reports.queries import BERLIN, Found
from monitor.units import format_duration

_SECRET_KEYS = re.compile(r"(token|key|secret|pass|auth|sig|session)", re.IGNORECASE)
_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)
_URLS = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def marked(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """``text`` escaped, each ``(start, end)`` span inside ``<mark>``."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if start < at or end <= start:
            continue
        out += [str(escape(text[at:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def marked_title(found: Found) -> Markup:
    return marked(found.article.title, [(h.start, h.end) for h in found.match.hits if h.field == "title"])


def marked_snippet(found: Found, width: int = 240) -> Markup:
    text, spans = snippet(found.article.document, found.match, width)
    return marked(text, spans)


def safe_url(url: str | None) -> str:
    """A URL without user name, password or secret-looking query values."""
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode([(k, "***" if _SECRET_KEYS.search(k) else v) for k, v in parse_qsl(parts.query, True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def safe_text(text: str | None) -> str:
    """An error text with any URL in it reduced to its scheme and host (a target URL carries its token)."""
    if not text:
        return ""
    text = _CREDENTIALS.sub(r"\1", text)
    return _URLS.sub(lambda m: _host_only(m.group(0)), text)


def _host_only(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def relative(value: str | datetime | None, now: datetime) -> str:
    """``3m ago`` / ``in 2m`` / ``now``; ``-`` for none."""
    if not value:
        return "-"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    seconds = (when - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    span = next((format_duration(abs(seconds) // unit * unit) for unit in (86400, 3600, 60) if abs(seconds) >= unit),
                f"{int(abs(seconds))}s")
    return f"in {span}" if seconds > 0 else f"{span} ago"


def local(value: str | datetime | None) -> str:
    """A time as ``2024-12-21 19:04`` in Berlin time."""
    if not value:
        return "-"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")


MAX_BARS = 60


def bar_chart(labels: Sequence[str], series: dict[str, Sequence[int]], height: int = 90) -> Markup:
    """Bars per day, one colour per series side by side; the label and numbers of each day as its tooltip."""
    if not labels:
        return Markup("")
    step = -(-len(labels) // MAX_BARS)  # a long window: one bar per few days
    if step > 1:
        starts = range(0, len(labels), step)
        labels = [f"{labels[i]} – {labels[min(i + step, len(labels)) - 1]}" for i in starts]
        series = {name: [sum(values[i:i + step]) for i in starts] for name, values in series.items()}
    days = len(labels)
    top = max((n for values in series.values() for n in values), default=0) or 1
    slot = max(4, min(24, 640 // days))
    width = max(slot * days, 260)  # room for the first and last day's labels
    bar = max(1, (slot - 1) // max(len(series), 1))
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width + 40} {height + 14}" width="{width + 40}" '
             f'height="{height + 14}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="{width + 4}" y="10">{top}</text><text x="{width + 4}" y="{height}">0</text>']
    for index, label in enumerate(labels):
        tip = ", ".join(f"{name} {values[index]}" for name, values in series.items())
        parts.append(f"<g><title>{escape(label)}: {escape(tip)}</title>")
        for offset, values in enumerate(series.values()):
            size = round(values[index] / top * height)
            x = index * slot + offset * bar
            parts.append(f'<rect class="s{offset}" x="{x}" y="{height - size}" width="{max(bar - 1, 1)}" '
                         f'height="{size}"/>')
        parts.append("</g>")
    parts.append(f'<text x="0" y="{height + 12}">{escape(labels[0][:10])}</text>')
    if days > 1:
        parts.append(f'<text x="{slot * days}" y="{height + 12}" text-anchor="end">{escape(labels[-1][-10:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def outlets_of(sources: Sequence[dict[str, str | None]]) -> str:
    """The outlets (else the feed names) an article was seen in, each once, in order."""
    return ", ".join(dict.fromkeys(str(s.get("outlet") or s.get("feed") or "") for s in sources))


def environment() -> Environment:
    env = Environment(loader=PackageLoader("monitor.web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(marked_title=marked_title, marked_snippet=marked_snippet, bar_chart=bar_chart,
                       relative=relative, local=local, outlets_of=outlets_of, safe_url=safe_url, safe_text=safe_text)
    return env
