"""Quiet hours, rate limits, digest schedules and the planner, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from monitor.alert.plan import DueAlert, plan_target
from monitor.alert.policy import QuietHours, RateLimit, Usage, next_digest

BERLIN = "Europe/Berlin"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_quiet_hours_wrap_midnight_in_berlin_time_across_daylight_saving() -> None:
    quiet = QuietHours.parse("22:00-07:00", BERLIN)
    summer_night = _utc(2025, 10, 21, 20, 30)  # 22:30 CEST
    assert quiet.active(summer_night)
    assert quiet.ends_after(summer_night) == _utc(2025, 10, 22, 5, 0)  # 07:00 CEST
    assert not quiet.active(_utc(2025, 10, 22, 5, 0))
    assert quiet.active(_utc(2025, 10, 22, 4, 59))
    # the night the clocks go back: 07:00 CET is 06:00 UTC
    assert quiet.ends_after(_utc(2025, 10, 25, 23, 0)) == _utc(2025, 10, 26, 6, 0)
    day = QuietHours.parse("12:00-13:00", BERLIN)
    assert day.active(_utc(2025, 10, 21, 10, 30)) and not day.active(_utc(2025, 10, 21, 11, 0))
    assert not QuietHours.parse("07:00-07:00", BERLIN).active(summer_night)


def test_rate_limit_slots_free_up_when_the_oldest_send_leaves_the_window() -> None:
    limit = RateLimit.parse("3/hour")
    assert (limit.count, limit.window) == (3, 3600)
    now = _utc(2025, 10, 21, 8, 0)
    usage = Usage(3, now - timedelta(minutes=50))
    assert usage.free(limit) == 0
    assert usage.next_slot(limit, now) == now + timedelta(minutes=10)
    assert Usage(1, now).free(limit) == 2


def test_digest_fires_at_the_next_local_cron_time() -> None:
    assert next_digest("0 7 * * *", BERLIN, _utc(2025, 10, 21, 8, 0)) == _utc(2025, 10, 22, 5, 0)
    assert next_digest("0 7 * * *", BERLIN, _utc(2025, 10, 22, 4, 0)) == _utc(2025, 10, 22, 5, 0)
    assert next_digest("30 18 * * 1-5", BERLIN, _utc(2025, 10, 24, 17, 0)) == _utc(2025, 10, 27, 17, 30)


NOW = _utc(2025, 10, 21, 8, 0)


def _fresh(n: int, start: int = 1) -> list[DueAlert]:
    return [DueAlert(i, "instant") for i in range(start, start + n)]


def test_without_limits_every_alert_is_its_own_message() -> None:
    plan = plan_target(_fresh(3), NOW, digests={})
    assert [(m.kind, m.alerts) for m in plan.messages] == [("alert", (1,)), ("alert", (2,)), ("alert", (3,))]
    assert plan.holds == []


def test_rate_limit_uses_the_free_slots_and_the_last_one_carries_a_summary_of_the_rest() -> None:
    limit = RateLimit.parse("3/hour")
    plan = plan_target(_fresh(10), NOW, digests={}, rate=limit, usage=Usage(0, None))
    assert [m.kind for m in plan.messages] == ["alert", "alert", "summary"]
    assert sorted(i for m in plan.messages for i in m.alerts) == list(range(1, 11))
    full = plan_target(_fresh(2, 11), NOW, digests={}, rate=limit, usage=Usage(3, NOW - timedelta(minutes=5)))
    assert full.messages == [] and full.holds == [((11, 12), NOW + timedelta(minutes=55), "rate")]


def test_alerts_that_waited_fold_into_one_message_when_they_are_released() -> None:
    waited = [DueAlert(1, "instant", hold_reason="quiet"), DueAlert(2, "instant", hold_reason="quiet")]
    plan = plan_target([*waited, DueAlert(3, "instant")], NOW, digests={})
    assert [(m.kind, m.alerts) for m in plan.messages] == [("quiet", (1, 2)), ("alert", (3,))]
    one = plan_target([DueAlert(1, "instant", hold_reason="rate")], NOW, digests={})
    assert [(m.kind, m.alerts) for m in one.messages] == [("alert", (1,))]


def test_quiet_hours_hold_all_but_urgent_alerts_until_they_end() -> None:
    quiet = QuietHours.parse("22:00-07:00", BERLIN)
    night = _utc(2025, 10, 21, 21, 0)
    plan = plan_target([DueAlert(1, "instant"), DueAlert(2, "instant", urgent=True)], night, digests={},
                       quiet=quiet)
    assert [(m.kind, m.alerts) for m in plan.messages] == [("alert", (2,))]
    assert plan.holds == [((1,), _utc(2025, 10, 22, 5, 0), "quiet")]


def test_digest_alerts_wait_for_their_digest_then_become_one_message_each_and_unknown_ones_go_out() -> None:
    morgen = partial(next_digest, "0 7 * * *", BERLIN)
    abend = partial(next_digest, "0 18 * * *", BERLIN)
    fresh = [DueAlert(1, "digest:morgen", created=NOW), DueAlert(2, "digest:abend", created=NOW)]
    plan = plan_target(fresh, NOW, digests={"morgen": morgen, "abend": abend})
    assert plan.messages == []
    assert plan.holds == [((1,), _utc(2025, 10, 22, 5, 0), "digest"), ((2,), _utc(2025, 10, 21, 16, 0), "digest")]
    due = [DueAlert(1, "digest:morgen", hold_reason="digest"), DueAlert(2, "digest:morgen", hold_reason="digest"),
           DueAlert(3, "digest:abend", hold_reason="digest"), DueAlert(4, "digest:entfernt", hold_reason="digest"),
           DueAlert(5, "digest:morgen", created=NOW - timedelta(days=1))]  # queued before today's 07:00
    plan = plan_target(due, NOW, digests={"morgen": morgen, "abend": abend})
    assert [(m.kind, m.alerts, m.digest) for m in plan.messages] == [
        ("digest", (1, 2, 5), "morgen"), ("digest", (3,), "abend"), ("alert", (4,), None)]


def test_crontab_weekdays_count_from_sunday_as_in_cron() -> None:
    from monitor.units import cron_trigger

    friday_evening = _utc(2025, 10, 24, 17, 0)  # Friday 19:00 CEST
    sunday = cron_trigger("0 9 * * 0", BERLIN).get_next_fire_time(None, friday_evening)
    assert sunday.strftime("%a %H:%M") == "Sun 09:00"
    assert cron_trigger("0 9 * * 7", BERLIN).get_next_fire_time(None, friday_evening) == sunday
    weekend = cron_trigger("0 9 * * sat,sun", BERLIN).get_next_fire_time(None, friday_evening)
    assert weekend.strftime("%a") == "Sat"
    assert cron_trigger("0 9 * * 5-1", BERLIN).get_next_fire_time(None, friday_evening).strftime("%a") == "Sat"
