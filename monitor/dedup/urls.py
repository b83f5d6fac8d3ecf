"""Canonical article URLs: the same article reached through different tracking links is one URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "at_", "wt_", "mc_", "pk_", "piwik_", "mtm_", "matomo_", "ns_", "hsa_", "_hs",
                     "oly_", "vero_", "itm_")
TRACKING_PARAMS = frozenset({
    "wt_mc", "wt_zmc", "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "twclid", "ttclid", "li_fat_id", "igshid", "mkt_tok", "ref", "ref_src", "ref_url", "referrer",
    "xtor", "xtref", "cmpid", "cmp", "icid", "ocid", "s_cid", "_ga", "_gl", "spm", "share",
    "sara_ecid", "sara_ref", "gepc", "ncid", "wtrid", "wtmc",
})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def canonical_url(url: str) -> str:
    """One spelling per article URL: lower scheme and host, no default port, no fragment, no
    trailing slash (except the root), no tracking parameters, the remaining parameters sorted."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    if not host:
        return url
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")  # spaces, umlauts: percent-encoded as browsers do
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    query = urlencode(sorted(pairs), quote_via=quote, safe="/:@!$'()*,;-._~")
    return urlunsplit((scheme, netloc, path, query, ""))


def is_tracking(name: str) -> bool:
    """True for a query parameter that only tracks the click (``utm_source``, ``wt_mc``, ``fbclid``…)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
