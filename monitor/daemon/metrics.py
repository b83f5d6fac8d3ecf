"""Optional Prometheus metrics (``metrics.listen``, e.g. ``127.0.0.1:9464``), with prometheus-client.

Counters and histograms are counted by the daemon as it works (polls, errors, new articles, alerts
queued, deliveries, durations, reloads); gauges that describe the stored state (articles, alerts by
state, matches by watchlist, feed health) are read from the database at scrape time, so they are
right for every daemon sharing it and survive restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from monitor.errors import MonitorError
from monitor.store.counts import stored_counts
from monitor.store.db import Database


class Metrics:
    """The daemon's metrics in their own registry; ``start`` serves them over HTTP. Without
    ``counters`` (the ``workers: N`` supervisor, which polls nothing itself) only the stored state."""

    def __init__(self, database: Callable[[], Database], *, counters: bool = True) -> None:
        try:
            from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        except ImportError as err:  # the optional extra
            raise MonitorError("metrics.listen is set but prometheus-client is not installed: "
                               "pip install 'newsmon[metrics]'") from err
        self.registry = CollectorRegistry()
        reg = self.registry if counters else None
        self.polls = Counter("newsmon_polls", "Feed polls by outcome (ok, not_modified, error)",
                             ["feed", "outcome"], registry=reg)
        self.poll_errors = Counter("newsmon_poll_errors", "Failed feed polls", ["feed"], registry=reg)
        self.new_articles = Counter("newsmon_new_articles", "New articles stored", ["feed"], registry=reg)
        self.alerts_queued = Counter("newsmon_alerts_queued", "Outbox rows written for new articles", ["feed"],
                                     registry=reg)
        self.deliveries = Counter("newsmon_deliveries", "Delivery attempts by result (sent, retry, dead)",
                                  ["result"], registry=reg)
        self.reloads = Counter("newsmon_config_reloads", "SIGHUP reloads by result (ok, refused)", ["result"],
                               registry=reg)
        self.poll_seconds = Histogram("newsmon_poll_duration_seconds", "Time for one feed poll (fetch to outbox)",
                                      registry=reg, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60))
        self.delivery_seconds = Histogram("newsmon_delivery_duration_seconds", "Time for one delivery round",
                                          registry=reg, buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60))
        self.started = Gauge("newsmon_start_time_seconds", "When the daemon started (Unix time)", registry=reg)
        self.started.set_to_current_time()
        self.registry.register(_StoredState(database))

    def observe_poll(self, feed: str, seconds: float, *, new: int, alerts: int, error: str | None,
                     not_modified: bool) -> None:
        outcome = "error" if error else "not_modified" if not_modified else "ok"
        self.polls.labels(feed, outcome).inc()
        if error:
            self.poll_errors.labels(feed).inc()
        if new:
            self.new_articles.labels(feed).inc(new)
        if alerts:
            self.alerts_queued.labels(feed).inc(alerts)
        self.poll_seconds.observe(seconds)

    def observe_delivery(self, seconds: float, *, sent: int, retried: int, dead: int) -> None:
        for result, count in (("sent", sent), ("retry", retried), ("dead", dead)):
            if count:
                self.deliveries.labels(result).inc(count)
        self.delivery_seconds.observe(seconds)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return bytes(generate_latest(self.registry))

    def start(self, listen: str) -> Callable[[], None]:
        """Serve ``/metrics`` at ``HOST:PORT``; returns a function that stops the server."""
        from prometheus_client import start_http_server

        host, _, port = listen.rpartition(":")
        try:
            server, thread = start_http_server(int(port), host.strip("[]"), registry=self.registry)
        except OSError as err:
            raise MonitorError(f"metrics: cannot listen on {listen}: {err.strerror}") from err

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        return stop


class _StoredState:
    """Gauges read from the database at scrape time."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self.database = database

    def describe(self) -> list[Any]:
        return []  # no duplicate check at registration: the values come from the database

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        started = time.perf_counter()
        articles = GaugeMetricFamily("newsmon_articles", "Articles stored")
        alerts = GaugeMetricFamily("newsmon_alerts", "Alerts by state (pending, held for quiet hours, a rate limit "
                                   "or a digest, queued in a message, sent, dead)", labels=["state"])
        matches = GaugeMetricFamily("newsmon_matches", "Articles that matched, by watchlist", labels=["watchlist"])
        last_ok = GaugeMetricFamily("newsmon_feed_last_success_time_seconds", "Last successful poll (Unix time)",
                                    labels=["feed"])
        failures = GaugeMetricFamily("newsmon_feed_consecutive_failures", "Failed polls in a row", labels=["feed"])
        with self.database().reading() as session:
            counts = stored_counts(session)
        articles.add_metric([], counts.articles)
        for state, count in counts.alerts.items():
            alerts.add_metric([state], count)
        for watchlist, count in counts.matched.items():
            matches.add_metric([watchlist], count)
        for feed in counts.feeds:
            failures.add_metric([feed.name], feed.failures)
            if feed.last_ok is not None:
                last_ok.add_metric([feed.name], feed.last_ok.timestamp())
        scrape = GaugeMetricFamily("newsmon_scrape_database_seconds", "Time to read the stored state for this scrape")
        scrape.add_metric([], time.perf_counter() - started)
        yield from (articles, alerts, matches, last_ok, failures, scrape)


def serve_stored_state(listen: str, database_url: str) -> Callable[[], None]:
    """Metrics of the stored state only, at ``listen`` (for the ``workers: N`` supervisor)."""
    from monitor.store.db import open_database

    db = open_database(database_url)
    stop = Metrics(lambda: db, counters=False).start(listen)

    def close() -> None:
        stop()
        db.dispose()
    return close
