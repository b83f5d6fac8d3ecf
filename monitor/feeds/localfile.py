"""Feeds read from local files (a path or ``file://``): what ``newsmon match`` and local test feeds
use, without the HTTP client's import."""

from __future__ import annotations

import hashlib
import os
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from monitor.config import HttpConfig
from monitor.model import FetchResult, Validators


def url2pathname(path: str) -> str:
    """``urllib.request.url2pathname`` without importing urllib.request (ssl, http.client, email)."""
    if os.name == "nt":
        from nturl2path import url2pathname as windows

        return windows(path)
    return unquote(path)


def is_local(url: str) -> bool:
    """A path, a ``file://`` URL or a Windows drive path (``C:\\…``), not a URL to fetch over the network."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    return scheme in ("", "file") or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))


def format_size(size: int) -> str:
    """``10 MB``, ``512 KB``, ``300 B``: the cap as a user wrote it."""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} B"


def fetch_file(url: str, validators: Validators, http: HttpConfig) -> FetchResult:
    parts = urlsplit(url)
    path = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(url).expanduser()
    try:
        stat = path.stat()
        if stat.st_size > http.max_bytes:
            return FetchResult(url=url, status=0, error=f"body over {format_size(http.max_bytes)}")
        with path.open("rb") as handle:
            body = handle.read(http.max_bytes + 1)
    except FileNotFoundError:
        return FetchResult(url=url, status=0, error=f"file not found: {path}")
    except OSError as err:
        return FetchResult(url=url, status=0, error=f"cannot read file: {err.strerror or err}")
    if len(body) > http.max_bytes:
        return FetchResult(url=url, status=0, error=f"body over {format_size(http.max_bytes)}")
    digest = hashlib.sha256(body).hexdigest()
    unchanged = digest == validators.body_hash
    modified = formatdate(stat.st_mtime, usegmt=True)
    return FetchResult(url=url, status=200, body=None if unchanged else body, not_modified=unchanged,
                       last_modified=modified, body_hash=digest)
