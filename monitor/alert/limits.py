"""How long one message may be, per target: chat services refuse long bodies, mail takes more.

Telegram takes 4,096 characters, Discord 2,000 (apprise splits or truncates per service, but not
everywhere), Slack and Matrix tens of thousands; text and markdown messages are therefore cut at
4,000 characters, HTML at 100,000, anything sent by mail (``mailto://``, ``mailtos://``) at 200,000.
A cut message ends at a line break with a note of how much was left out; titles are one line of at
most 250 characters. Only digests and long batches get near the caps: the fields of one article are
capped when the feed is read (``monitor.feeds.parse.limits``).
"""

from __future__ import annotations

MAX_TITLE = 250
MAX_BODY = {"text": 4_000, "markdown": 4_000, "html": 100_000}
MAX_MAIL_BODY = 200_000
_MAIL_SCHEMES = ("mailto://", "mailtos://")


def body_limit(fmt: str, url: str) -> int:
    if url.lower().startswith(_MAIL_SCHEMES):
        return MAX_MAIL_BODY
    return MAX_BODY.get(fmt, MAX_BODY["text"])


def fit(title: str, body: str, fmt: str, url: str) -> tuple[str, str]:
    """(title, body) within the target's caps."""
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    limit = body_limit(fmt, url)
    if len(body) <= limit:
        return title, body
    note = _note(len(body), fmt)
    cut = body[: limit - len(note) - 1]
    if fmt == "html":
        end = cut.rfind("</")  # after a closing tag: never inside a tag, an entity or an open element
        close = cut.find(">", end) if end > 0 else -1
        cut = cut[: close + 1] if close > 0 else cut
    else:
        line = cut.rfind("\n")
        cut = cut[:line] if line > len(cut) // 2 else cut
        cut = cut.rstrip("\\")  # a markdown escape cut in half would escape the note
    return title, cut.rstrip() + "\n" + _note(len(body) - len(cut), fmt)


def _note(omitted: int, fmt: str) -> str:
    text = f"… gekürzt: {omitted:,} Zeichen ausgelassen".replace(",", ".")
    return f"<p><em>{text}</em></p>" if fmt == "html" else text
