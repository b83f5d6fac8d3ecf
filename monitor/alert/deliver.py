"""The apprise adapter: one Apprise object per target, failures captured as ``DeliveryError``.

apprise reports many failures only as log lines; each call's own log entries are read back from
its result, so the reason lands on the outbox row. apprise's global plugin registry is not touched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from monitor.alert.limits import fit
from monitor.config import TargetConfig
from monitor.errors import ConfigError, DeliveryError

_FORMATS = {"text": "text", "markdown": "markdown", "html": "html"}


def privacy_url(url: str) -> str:
    """The URL as apprise prints it with secrets masked (for logs and ``check``); header values
    (``+Name=value``) and secret-looking parameters, which apprise shows, are masked as well."""
    import apprise

    from monitor import redact

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return "<invalid apprise URL>"
    render_url: Any = getattr(plugin, "url")  # noqa: B009 - apprise's url() is untyped
    return redact.url(str(render_url(privacy=True)))


def validate_targets(targets: Mapping[str, TargetConfig], file: str) -> None:
    """Every target URL must be one apprise understands."""
    import apprise

    for name, target in targets.items():
        if apprise.Apprise.instantiate(target.url) is None:
            scheme = target.url.split("://", 1)[0] if "://" in target.url else target.url[:20]
            raise ConfigError(f"apprise does not understand the URL (scheme {scheme!r})", file=file,
                              key=f"targets.{name}.url")


def _level(value: object) -> int:
    if isinstance(value, int):
        return value
    found = logging.getLevelName(str(value).upper())
    return found if isinstance(found, int) else logging.WARNING


class Notifier:
    """Sends one message to one named target; raises ``DeliveryError`` with apprise's reason."""

    def __init__(self, targets: Mapping[str, TargetConfig]) -> None:
        self._targets = dict(targets)
        self._apprise: dict[str, Any] = {}

    def format_of(self, target: str) -> str:
        return self._targets[target].format if target in self._targets else "text"

    def send(self, target: str, title: str, body: str) -> None:
        if target not in self._targets:
            raise DeliveryError(f"target {target!r} is no longer configured")
        app = self._get(target)
        fmt = self.format_of(target)
        title, body = fit(title, body, fmt, self._targets[target].url)
        result = app.notify(body=body, title=title, body_format=_FORMATS[fmt])
        if not result:
            reasons = [entry.message for entry in result.logs() if _level(entry.level) >= logging.WARNING]
            raise DeliveryError("; ".join(reasons) or "apprise reported a failure without a reason")

    def warm(self) -> None:
        """Import apprise and make every target's object now (a daemon at start), so that the first
        alert does not wait for it."""
        for target in list(self._targets):
            try:
                self._get(target)
            except DeliveryError:
                continue  # reported when a message is sent to it

    def _get(self, target: str) -> Any:
        import apprise

        app = self._apprise.get(target)
        if app is None:
            app = apprise.Apprise()
            if not app.add(self._targets[target].url):
                raise DeliveryError(f"target {target!r}: apprise does not understand its URL")
            self._apprise[target] = app
        return app
