"""A short excerpt around the best hit of a match, with the spans a renderer should highlight."""

from __future__ import annotations

from monitor.model import Document, Field, Hit, Match

ELLIPSIS = "…"
_PREFERENCE: tuple[Field, ...] = ("body", "summary", "title")


def _collapse(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Runs of whitespace become one space, none at either end; spans follow the text they cover."""
    collapsed = " ".join(text.split())
    moved = [(_position(text, s), min(_position(text, e), len(collapsed))) for s, e in spans]
    return collapsed, [(s, e) for s, e in moved if e > s]


def _position(text: str, offset: int) -> int:
    """Where ``offset`` of ``text`` lands in its collapsed form."""
    head = text[:offset]
    words = head.split()
    if not words:
        return 0
    return len(" ".join(words)) + (1 if head[-1].isspace() else 0)


def _window(text: str, anchor: Hit, width: int) -> tuple[int, int]:
    room = max(width - (anchor.end - anchor.start), 0)
    lo = max(0, anchor.start - room // 3)
    hi = min(len(text), lo + width)
    lo = max(0, min(lo, hi - width))
    if lo > 0:
        space = text.find(" ", lo, anchor.start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", anchor.end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(doc: Document, match: Match, width: int = 200) -> tuple[str, list[tuple[int, int]]]:
    """An excerpt of about ``width`` characters around the first hit (body, then summary, then
    title) and the ``(start, end)`` spans inside the excerpt to highlight."""
    for where in _PREFERENCE:
        inside = [hit for hit in match.hits if hit.field == where]
        if inside:
            break
    else:
        text = doc.title or doc.summary or doc.body
        excerpt, _ = _collapse(text[:width], [])
        return excerpt + (ELLIPSIS if len(text) > width else ""), []
    text = doc.field(where)
    lo, hi = _window(text, inside[0], width)
    visible = [h for h in inside if h.start < hi and h.end > lo]
    spans = _merge([(max(h.start, lo) - lo, min(h.end, hi) - lo) for h in visible])
    excerpt, spans = _collapse(text[lo:hi], spans)
    if lo > 0:
        excerpt = ELLIPSIS + excerpt
        spans = [(s + len(ELLIPSIS), e + len(ELLIPSIS)) for s, e in spans]
    if hi < len(text):
        excerpt += ELLIPSIS
    return excerpt, spans
