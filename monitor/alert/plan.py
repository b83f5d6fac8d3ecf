"""Planning: which due alerts of one target become which messages now, and which wait (pure).

For one target at ``now``:

* digest alerts (``mode: digest:NAME``) wait for the first run of their digest after they were
  queued; those whose time has come become one digest message per digest;
* during quiet hours every other alert waits for their end, except those of ``urgent`` watchlists;
* what is left forms units: each fresh alert is a unit, and all alerts that waited before (quiet
  hours or rate limit) together are one unit (a fold);
* with a rate limit, at most the free slots are used: if the units do not fit, the last free slot
  carries one summary listing every alert that did not get its own message; with no free slot
  everything waits for the next one.

A plan is only rows to write; sending happens later, message by message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitor.alert.policy import QuietHours, RateLimit, Usage
from monitor.model import HoldReason, MessageKind


@dataclass(frozen=True, slots=True)
class DueAlert:
    id: int
    mode: str
    urgent: bool = False
    hold_reason: str | None = None
    created: datetime | None = None


Schedule = Callable[[datetime], datetime]  # a digest: its first run at or after a time


@dataclass(frozen=True, slots=True)
class Planned:
    """A message to create: ``kind`` alert | quiet | summary | digest, and the alerts it carries."""

    kind: str
    alerts: tuple[int, ...]
    digest: str | None = None


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)
    holds: list[tuple[tuple[int, ...], datetime, str]] = field(default_factory=list)

    def hold(self, alerts: list[DueAlert], until: datetime, reason: str) -> None:
        if alerts:
            self.holds.append((tuple(a.id for a in alerts), until, reason))


def plan_target(due: list[DueAlert], now: datetime, *, digests: Mapping[str, Schedule],
                quiet: QuietHours | None = None, rate: RateLimit | None = None, usage: Usage | None = None) -> Plan:
    """The messages and holds for one target's due alerts (oldest first)."""
    plan = Plan()
    instant: list[DueAlert] = []
    by_digest: dict[str, list[int]] = {}
    for alert in due:
        name = alert.mode.removeprefix("digest:")
        schedule = digests.get(name) if alert.mode.startswith("digest:") else None
        if schedule is None:
            instant.append(alert)  # a digest removed from config: its alerts go out as instant ones
            continue
        if alert.hold_reason != HoldReason.DIGEST:
            fire = schedule(alert.created or now)
            if fire > now:
                plan.hold([alert], fire, HoldReason.DIGEST)
                continue
        by_digest.setdefault(name, []).append(alert.id)
    for name, ids in by_digest.items():
        plan.messages.append(Planned(MessageKind.DIGEST, tuple(ids), name))
    if quiet is not None and quiet.active(now):
        plan.hold([a for a in instant if not a.urgent], quiet.ends_after(now), HoldReason.QUIET)
        instant = [a for a in instant if a.urgent]
    units = _units(instant)
    if not units:
        return plan
    if rate is None:
        plan.messages.extend(_message(unit) for unit in units)
        return plan
    usage = usage or Usage(0, None)
    free = usage.free(rate)
    if free == 0:
        plan.hold([a for unit in units for a in unit], usage.next_slot(rate, now), HoldReason.RATE)
        return plan
    if len(units) <= free:
        plan.messages.extend(_message(unit) for unit in units)
        return plan
    plan.messages.extend(_message(unit) for unit in units[: free - 1])
    rest = tuple(a.id for unit in units[free - 1:] for a in unit)
    plan.messages.append(Planned(MessageKind.SUMMARY, rest))
    return plan


def _units(alerts: list[DueAlert]) -> list[list[DueAlert]]:
    waited = [a for a in alerts if a.hold_reason in (HoldReason.QUIET, HoldReason.RATE)]
    fresh = [[a] for a in alerts if a.hold_reason not in (HoldReason.QUIET, HoldReason.RATE)]
    return ([waited] if waited else []) + fresh


def _message(unit: list[DueAlert]) -> Planned:
    ids = tuple(a.id for a in unit)
    if len(unit) == 1:
        return Planned(MessageKind.ALERT, ids)
    kind = MessageKind.SUMMARY if any(a.hold_reason == HoldReason.RATE for a in unit) else MessageKind.QUIET
    return Planned(kind, ids)
