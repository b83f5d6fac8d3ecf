"""Secrets out of everything newsmon shows: the one place that masks URLs and text holding URLs.

A feed URL may carry a token (``?apikey=${TOKEN}``, ``https://user:${TOKEN}@host/``), and after
``${ENV}`` substitution the token is in clear. The database keeps the URL it needs to fetch; every
log line, report, error message and export shows it through ``url()`` or ``text()``, the way
apprise's privacy form shows target URLs: the password (or a user name standing alone, often a
token) becomes ``***``, so does the value of every query parameter whose name looks secret
(``key``, ``apikey``, ``token``, ``secret``, ``password``, ``auth``, ``sig``, …) and of every
apprise header parameter (``+Name=value``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
_WORDS = frozenset({
    "key", "apikey", "token", "secret", "password", "passwd", "pwd", "pass", "auth", "authorization", "sig",
    "signature", "session", "sessionid", "sid", "credential", "credentials", "jwt", "bearer", "hmac", "otp",
})
_ENDINGS = ("key", "token", "secret", "password", "passwd", "signature", "auth", "sig", "credential")
_SPLIT = re.compile(r"[^a-z0-9]+")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s\"'<>]+")
_PAIR = re.compile(r"(?<![A-Za-z0-9_.+:%-])([A-Za-z0-9_.+:%-]+)=([^&\s\"'<>,;)]+)")


@lru_cache(maxsize=4096)  # the same few names on every line
def secret_name(name: str) -> bool:
    """True for a query parameter name that looks like it carries a credential."""
    lowered = unquote(name).strip().lower()
    if lowered.startswith("+"):
        return True  # an apprise header (+Authorization=…, +X-Token=…)
    lowered = lowered.lstrip("-:")
    words = [word for word in _SPLIT.split(lowered) if word]
    squashed = "".join(words)
    return bool(words) and (any(word in _WORDS for word in words) or squashed in _WORDS
                            or squashed.endswith(_ENDINGS))


def _reference(value: str) -> bool:
    """``${VAR}`` as written in monitor.yaml: a name, not the secret."""
    return unquote(value).startswith("${") and unquote(value).endswith("}")


def _query(query: str) -> str:
    parts = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        hide = sep and value and secret_name(name) and not _reference(value)
        parts.append(f"{name}={MASK}" if hide else pair)
    return "&".join(parts)


def url(value: str) -> str:
    """``value`` with credentials and secret-looking query values replaced by ``***``."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return text_pairs(value)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, password = userinfo.partition(":")
        if not _reference(password or user):
            netloc = f"{user}:{MASK}@{host}" if has_password else f"{MASK}@{host}"
    query = _query(parts.query) if parts.query else parts.query
    if netloc == parts.netloc and query == parts.query:
        return value  # nothing secret: exactly as written
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def text_pairs(value: str) -> str:
    """``name=value`` pairs with a secret-looking name masked, wherever they stand."""
    return _PAIR.sub(lambda found: f"{found.group(1)}={MASK}" if secret_name(found.group(1))
                     else found.group(0), value)


def text(value: str) -> str:
    """Every URL inside ``value`` masked, and ``name=value`` pairs with a secret-looking name."""
    if "=" not in value and "@" not in value:
        return value
    return text_pairs(_URL.sub(lambda found: url(found.group(0)), value))
