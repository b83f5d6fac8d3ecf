"""Delivery on real parts: a feed server, a SQLite file, apprise posting to a local webhook, a clock.

Retries and dead letters, rate limits, quiet hours, digests, and the ``alerts`` commands.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon.scheduler import Runner
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer


def tomahawk(n: int, when: datetime | None = None) -> Item:
    return Item(f"Tomahawk-Meldung Nummer {n}", f"https://example.org/tomahawk/{n}.html", guid=f"tomahawk-{n}",
                description=f"Bericht {n} über Tomahawk-Raketen.", published=when or datetime(2025, 10, 21, tzinfo=UTC))


def watchlists(**ukraine: Any) -> dict[str, Any]:
    return {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"], **ukraine},
                           {"name": "eilig", "query": "Eilmeldung", "notify": ["hook"], "urgent": True}]}


def runner(folder: Path, feed: str, target: object, clock: Clock, **extra: Any) -> Runner:
    lists = extra.pop("watchlists", None) or watchlists()
    config = write_config(folder, {"Testfeed": feed}, {"hook": target}, watchlists=lists, **extra)
    return Runner(load(config), clock=clock)


def links(messages: list[dict[str, Any]]) -> list[str]:
    import re

    return sorted(set(re.findall(r"https://example\.org/tomahawk/\d+\.html", " ".join(m["message"] for m in messages))))


def all_links(numbers: range) -> list[str]:
    return sorted(f"https://example.org/tomahawk/{n}.html" for n in numbers)


def test_a_target_that_fails_three_times_gets_the_alert_exactly_once(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook(fail_first=3) as hook:
        run = runner(tmp_path, server.serve("/f.xml", rss([tomahawk(1)])), hook.url, clock)
        assert run.cycle().delivery.retried == 1
        for wait in (30, 60, 120):  # backoff 30s, doubling
            clock.advance(seconds=wait - 1)
            assert run.deliver().sent == 0
            clock.advance(seconds=1)
            run.deliver()
        clock.advance(hours=1)
        run.cycle()
        run.close()
    assert hook.attempts == 4 and len(hook.messages) == 1
    assert "Tomahawk-Meldung Nummer 1" in hook.messages[0]["title"]
    assert collect(run.settings)["outbox"] == {"pending": 0, "sent": 1, "dead": 0}


def test_an_always_failing_target_ends_dead_is_listed_and_retried_on_demand(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    cli = CliRunner()
    with FeedServer() as server, Webhook(always_fail=True) as hook:
        feed = server.serve("/f.xml", rss([tomahawk(1), tomahawk(2)]))
        run = runner(tmp_path, feed, hook.url, clock, database=db_url)
        run.cycle()
        for _ in range(6):
            clock.advance(hours=1)
            run.deliver()
        assert hook.attempts == 2 * 4  # two alerts, max_attempts 4 each
        config = str(run.settings.path)
        assert collect(run.settings)["outbox"] == {"pending": 0, "sent": 0, "dead": 2}
        listed = cli.invoke(main, ["--config", config, "alerts", "list", "--dead", "--json"])
        assert listed.exit_code == 0, listed.output
        dead = [json.loads(line) for line in listed.output.splitlines()]
        assert [row["state"] for row in dead] == ["dead", "dead"]
        assert all(row["attempts"] == 4 and "500" in (row["last_error"] or "") for row in dead)
        human = cli.invoke(main, ["--config", config, "alerts", "list", "--dead"])
        assert "Tomahawk-Meldung Nummer 2" in human.output

        hook.always_fail = False
        one = dead[0]["id"]
        retried = cli.invoke(main, ["--config", config, "alerts", "retry", one])
        assert retried.exit_code == 0 and "1 dead alert queued" in retried.output
        assert run.deliver().sent == 1
        assert cli.invoke(main, ["--config", config, "alerts", "retry", one]).exit_code == 1  # no longer dead
        assert cli.invoke(main, ["--config", config, "alerts", "retry", "--all-dead"]).exit_code == 0
        assert run.deliver().sent == 1
        assert cli.invoke(main, ["--config", config, "alerts", "retry"]).exit_code == 2
        run.close()
    assert links(hook.messages) == all_links(range(1, 3)) and len(hook.messages) == 2
    assert collect(run.settings)["outbox"] == {"pending": 0, "sent": 2, "dead": 0}


def test_ten_matches_at_once_on_3_per_hour_name_all_ten_in_at_most_four_messages(tmp_path: Path,
                                                                                 db_url: str) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([tomahawk(n) for n in range(10)]))
        run = runner(tmp_path, feed, {"url": hook.url, "rate_limit": "3/hour"}, clock, database=db_url)
        run.cycle()
        for _ in range(8):
            clock.advance(minutes=20)
            run.cycle()
        run.close()
    assert len(hook.messages) <= 4
    assert links(hook.messages) == all_links(range(10))
    assert "Ratenlimit 3/hour" in hook.messages[-1]["title"]


def test_a_steady_stream_on_a_3_per_hour_target_never_exceeds_the_limit_and_loses_nothing(tmp_path: Path) -> None:
    clock = Clock()
    sent_at: list[datetime] = []
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([]))
        run = runner(tmp_path, feed, {"url": hook.url, "rate_limit": "3/hour"}, clock)
        for n in range(10):  # one new match every 5 minutes
            server.serve("/f.xml", rss([tomahawk(i) for i in range(n + 1)]))
            before = len(hook.messages)
            run.cycle()
            sent_at += [clock()] * (len(hook.messages) - before)
            clock.advance(minutes=5)
        for _ in range(7):  # until well after the first send left the hour
            before = len(hook.messages)
            run.cycle()
            sent_at += [clock()] * (len(hook.messages) - before)
            clock.advance(minutes=10)
        run.close()
    assert len(hook.messages) == 4
    assert links(hook.messages) == all_links(range(10))
    for start in sent_at:
        assert sum(start <= t < start + timedelta(hours=1) for t in sent_at) <= 3
    assert collect(run.settings)["outbox"]["pending"] == 0


def test_quiet_hours_hold_alerts_and_release_them_folded_while_urgent_ones_pass(tmp_path: Path) -> None:
    night = Clock(datetime(2025, 10, 21, 21, 0, tzinfo=UTC))  # 23:00 in Berlin
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([tomahawk(1), tomahawk(2)]))
        run = runner(tmp_path, feed, {"url": hook.url, "quiet_hours": "22:00-07:00"}, night)
        run.cycle()
        assert hook.messages == []
        assert collect(run.settings)["outbox"] == {"pending": 2, "sent": 0, "dead": 0}
        night.advance(hours=2)
        server.serve("/f.xml", rss([tomahawk(1), tomahawk(2), tomahawk(3),
                                    Item("Eilmeldung: Waffenruhe", "https://example.org/eil.html")]))
        run.cycle()
        assert [m["title"] for m in hook.messages] == ["[eilig] Eilmeldung: Waffenruhe"]
        night.now = datetime(2025, 10, 22, 4, 59, tzinfo=UTC)  # 06:59 in Berlin
        run.cycle()
        assert len(hook.messages) == 1
        night.now = datetime(2025, 10, 22, 5, 0, tzinfo=UTC)  # 07:00: quiet hours are over
        run.cycle()
        run.close()
    assert len(hook.messages) == 2
    folded = hook.messages[1]
    assert "Während der Ruhezeit: 3 Meldungen" in folded["title"]
    assert links([folded]) == all_links(range(1, 4))


def test_a_digest_collects_a_days_matches_into_one_message_at_its_cron_time(tmp_path: Path, db_url: str) -> None:
    clock = Clock(datetime(2025, 10, 21, 5, 30, tzinfo=UTC))  # 07:30 in Berlin
    digests = {"morgen": {"cron": "0 7 * * *", "title": "Morgenlage"}}
    lists = watchlists(mode="digest:morgen")
    with FeedServer() as server, Webhook() as hook:
        feed = server.serve("/f.xml", rss([]))
        run = runner(tmp_path, feed, hook.url, clock, digests=digests, watchlists=lists, database=db_url)
        for n in range(5):  # a match every four hours through the day and night
            server.serve("/f.xml", rss([tomahawk(i) for i in range(n + 1)]))
            run.cycle()
            clock.advance(hours=4)
        assert hook.messages == []
        assert collect(run.settings)["outbox"]["pending"] == 5
        clock.now = datetime(2025, 10, 22, 5, 0, 30, tzinfo=UTC)  # 07:00:30 next morning
        server.serve("/f.xml", rss([tomahawk(i) for i in range(6)]))  # the 6th arrives after 07:00
        run.cycle()
        assert len(hook.messages) == 1
        clock.now = datetime(2025, 10, 23, 5, 0, tzinfo=UTC)
        run.cycle()
        run.close()
    first, second = hook.messages
    assert first["title"] == "[ukraine] Morgenlage: 5 Meldungen"
    assert links([first]) == all_links(range(5))
    assert links([second]) == all_links(range(5, 6)) and "1 Meldung" in second["title"]


def test_a_digest_can_name_its_own_targets(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 10, 21, 5, 30, tzinfo=UTC))
    with FeedServer() as server, Webhook() as chat, Webhook() as mail:
        config = write_config(tmp_path, {"f": server.serve("/f.xml", rss([tomahawk(1)]))},
                              {"hook": chat.url, "mail": mail.url}, watchlists=watchlists(mode="digest:abend"),
                              digests={"abend": {"cron": "0 18 * * 1-5", "targets": ["mail"]}})
        run = Runner(load(config), clock=clock)
        run.cycle()
        clock.now = datetime(2025, 10, 21, 16, 0, tzinfo=UTC)  # Tuesday 18:00 in Berlin
        run.cycle()
        run.close()
    assert chat.messages == [] and len(mail.messages) == 1
    assert "Digest abend: 1 Meldung" in mail.messages[0]["title"]


def test_a_watchlist_naming_an_unknown_digest_is_a_config_error(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=watchlists(mode="digest:x"),
                          digests={"morgen": {"cron": "0 7 * * *"}})
    try:
        load(config)
    except ConfigError as err:
        assert "unknown digest 'x'" in str(err) and "ukraine.mode" in str(err)
    else:
        raise AssertionError("expected a ConfigError")
    bad_cron = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, digests={"m": {"cron": "7 Uhr"}})
    try:
        load(bad_cron)
    except ConfigError as err:
        assert "digests.m" in str(err) and "five" in str(err)
    else:
        raise AssertionError("expected a ConfigError")


def test_the_daemon_wakes_delivery_at_each_digest_time_and_follows_a_reload(tmp_path: Path) -> None:
    from monitor.daemon.scheduler import Daemon

    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=watchlists(mode="digest:m"),
                          digests={"m": {"cron": "0 7 * * 1-5"}})
    daemon = Daemon(Runner(load(config), clock=Clock()))
    daemon.scheduler.start(paused=True)
    try:
        daemon._sync_digest_jobs()
        job = daemon.scheduler.get_job("digest:m")
        fire = job.trigger.get_next_fire_time(None, datetime(2025, 10, 24, 6, 0, tzinfo=UTC))  # a Friday
        assert fire.astimezone(UTC) == datetime(2025, 10, 27, 6, 0, tzinfo=UTC)  # Monday 07:00 CET
        daemon.runner.settings = load(write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"},
                                                   watchlists=watchlists(), digests={"abend": {"cron": "0 18 * * *"}}))
        daemon._sync_digest_jobs()
        assert [j.id for j in daemon.scheduler.get_jobs() if j.id.startswith("digest:")] == ["digest:abend"]
    finally:
        daemon.scheduler.shutdown(wait=False)
        daemon.runner.close()


def test_two_daemons_sharing_postgresql_send_each_message_once_and_keep_the_rate_limit(
        tmp_path: Path, pg_schema_url: str) -> None:
    import threading

    from monitor.alert.send import deliver_due

    clock = Clock()
    lists = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook", "limited"]}]}
    with FeedServer() as server, Webhook() as hook, Webhook() as limited:
        config = write_config(tmp_path, {"f": server.serve("/f.xml", rss([tomahawk(n) for n in range(10)]))},
                              {"hook": hook.url, "limited": {"url": limited.url, "rate_limit": "3/hour"}},
                              watchlists=lists, database=pg_schema_url)
        daemons = [Runner(load(config), clock=clock) for _ in range(2)]
        assert sum(o.alerts for o in daemons[0].poll_due()) == 20
        start = threading.Barrier(2)

        def deliver(index: int) -> None:
            start.wait()
            run = daemons[index]
            deliver_due(run.db, run.notifier, run.settings, clock, owner=f"daemon-{index}")

        threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for run in daemons:
            run.close()
    assert sorted(m["title"] for m in hook.messages) == sorted(f"[ukraine] Tomahawk-Meldung Nummer {n}"
                                                               for n in range(10))
    assert len(limited.messages) == 3 and links(limited.messages) == all_links(range(10))


def test_a_stop_between_messages_hands_the_rest_back_at_once(tmp_path: Path) -> None:
    clock = Clock()
    with FeedServer() as server, Webhook() as hook:
        run = runner(tmp_path, server.serve("/f.xml", rss([tomahawk(n) for n in range(3)])), hook.url, clock)
        run.poll_due()
        assert run.deliver(stop=lambda: len(hook.messages) >= 1).sent == 1
        assert run.deliver().sent == 2  # same moment: the leases were given back, not left to expire
        run.close()
    assert links(hook.messages) == all_links(range(3)) and len(hook.messages) == 3
