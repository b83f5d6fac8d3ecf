"""Alerts: outbox rows written with the article (``enqueue``), the delivery run (``deliver_due``: plan
into messages, send through apprise), rendering, admin alerts (docs/architecture.md §6).

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.alert.deliver import Notifier, privacy_url, validate_targets
    from monitor.alert.outbox import Matched, enqueue
    from monitor.alert.render import Renderer, check_template
    from monitor.alert.send import DeliveryReport, deliver_due

__all__ = [
    "DeliveryReport",
    "Matched",
    "Notifier",
    "Renderer",
    "check_template",
    "deliver_due",
    "enqueue",
    "privacy_url",
    "validate_targets",
]
__getattr__ = exports(__name__, {
    "Matched": "outbox", "enqueue": "outbox",
    "DeliveryReport": "send", "deliver_due": "send",
    "Renderer": "render", "check_template": "render",
    "Notifier": "deliver", "privacy_url": "deliver", "validate_targets": "deliver",
})
