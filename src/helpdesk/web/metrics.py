"""Prometheus metrics (`GET /metrics`, prometheus_client) and the health check (`GET /healthz`).

Each web application has its own registry, so the tests' many applications in one process never
share counters. Per-process figures (requests by route and status, latency histograms, tickets
opened, sweep results) are counted as they happen; figures about the whole help-desk (outbox
backlog by channel and state, sweep lag, knowledge-base answers and silences, who holds the
singletons' lease) are read from the database at scrape time by a collector, with cheap indexed
queries (adapters/db/ops_store.py). Prometheus adds the per-process counters of all workers up.

/healthz answers 200 with `"status": "ok"` whenever the database answers (503 otherwise), and says
apart, under `checks`, what else may be wrong: `outbox` (messages waiting longer than
OUTBOX_STUCK, or given up), `singletons` (no live holder of their lease: nobody sweeps, sends or
listens for mail). A load balancer looks at the status code; an operator reads the checks.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from helpdesk.bootstrap import Container
from helpdesk.services.notify.outbox import CHANNELS

OUTBOX_STUCK = timedelta(minutes=15)  # a message waiting longer than this is reported on /healthz
KB_WINDOW = timedelta(hours=24)  # knowledge-base outcomes are counted over this window
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Snapshot:
    """The database-wide figures of one scrape or health check."""

    database: bool
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # the help-desk's clock at reading
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest: dict[str, datetime] = field(default_factory=dict)
    sweep_lag_s: float = 0.0
    kb: dict[str, int] = field(default_factory=dict)
    leases: dict[str, tuple[str, datetime, bool]] = field(default_factory=dict)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def snapshot(container: Container) -> Snapshot:
    """Read the database-wide figures (blocking); `database` False when it does not answer."""
    now = container.clock.now()

    def read(tx: Any) -> Snapshot:
        deadline = tx.earliest_deadline()
        lag = max(0.0, (now - _utc(deadline)).total_seconds()) if deadline is not None else 0.0
        return Snapshot(
            database=True,
            now=now,
            outbox=tx.outbox_counts(),
            oldest=tx.outbox_oldest_pending(),
            sweep_lag_s=lag,
            kb=tx.kb_outcomes(now - KB_WINDOW),
            leases=tx.lease_holders(now),
        )

    try:
        result: Snapshot = container.db.read(read)
        return result
    except Exception:
        return Snapshot(database=False, now=now)


class DatabaseCollector(Collector):
    """Collects the database-wide figures at scrape time (from the snapshot handed to it)."""

    def __init__(self) -> None:
        self.current = Snapshot(database=False)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.current
        up = GaugeMetricFamily("helpdesk_database_up", "Whether the database answers.")
        up.add_metric([], 1 if snap.database else 0)
        yield up
        if not snap.database:
            return
        outbox = GaugeMetricFamily(
            "helpdesk_outbox_messages",
            "Unsent notices by channel: waiting (pending) or given up (refused for good or out of "
            "attempts; see `helpdesk outbox list --given-up`).",
            labels=["channel", "state"],
        )
        for channel in sorted(set(CHANNELS) | {c for c, _ in snap.outbox}):
            for state in ("pending", "given_up"):
                outbox.add_metric([channel, state], snap.outbox.get((channel, state), 0))
        yield outbox
        age = GaugeMetricFamily(
            "helpdesk_outbox_oldest_pending_seconds",
            "Age of the oldest notice still waiting to be sent, by channel.",
            labels=["channel"],
        )
        now = snap.now
        for channel in sorted(CHANNELS):
            at = snap.oldest.get(channel)
            age.add_metric([channel], max(0.0, (now - _utc(at)).total_seconds()) if at else 0.0)
        yield age
        lag = GaugeMetricFamily(
            "helpdesk_sweep_lag_seconds",
            "How long the earliest stored SLA deadline is overdue for the sweep (0: the sweep keeps up).",
        )
        lag.add_metric([], snap.sweep_lag_s)
        yield lag
        kb = GaugeMetricFamily(
            "helpdesk_kb_questions_24h",
            "Knowledge-base questions in the last 24 hours by outcome: answered, or silent (no answer).",
            labels=["outcome"],
        )
        for outcome in ("answered", "silent"):
            kb.add_metric([outcome], snap.kb.get(outcome, 0))
        yield kb
        leases = GaugeMetricFamily(
            "helpdesk_lease_held",
            "1 for the live holder of each lease (the singletons run in that process), 0 once it expired.",
            labels=["lease", "holder"],
        )
        for name, (holder, _expires, live) in sorted(snap.leases.items()):
            leases.add_metric([name, holder], 1 if live else 0)
        yield leases


class Metrics:
    """The metrics of one web application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "helpdesk_http_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "helpdesk_http_request_duration_seconds",
            "Time to answer HTTP requests, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tickets_created = Counter(
            "helpdesk_tickets_created", "Tickets opened through this process.", registry=self.registry
        )
        self.sweep = Counter(
            "helpdesk_sla_sweep_results",
            "What the SLA sweeps of this process did: warnings, breaches, first-line alerts.",
            ["kind"],
            registry=self.registry,
        )
        for kind in ("warning", "breach", "first_line_alert"):
            self.sweep.labels(kind)  # exported as 0 before the first sweep, not missing
        self.singletons_here = Gauge(
            "helpdesk_singletons_here", "1 when this process runs the singletons.", registry=self.registry
        )
        self.database = DatabaseCollector()
        self.registry.register(self.database)

    def observe(self, request: web.Request, status: int, started: float) -> None:
        """Count one answered request under its route's pattern (never the raw path: bounded labels)."""
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        self.requests.labels(name, request.method, str(status)).inc()
        self.latency.labels(name).observe(time.perf_counter() - started)

    def render(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)


def health(snap: Snapshot) -> tuple[int, dict[str, Any]]:
    """The /healthz status and body for `snap`."""
    if not snap.database:
        return 503, {"status": "unavailable", "checks": {"database": "brak połączenia z bazą danych"}}
    now = snap.now
    checks: dict[str, Any] = {"database": "ok"}
    stuck = {
        channel: int((now - _utc(at)).total_seconds())
        for channel, at in snap.oldest.items()
        if now - _utc(at) > OUTBOX_STUCK
    }
    given_up = {channel: n for (channel, state), n in snap.outbox.items() if state == "given_up" and n}
    if stuck or given_up:
        problems = [f"{c}: najstarsza wiadomość czeka {s // 60} min" for c, s in sorted(stuck.items())]
        problems += [f"{c}: porzucono {n} wiadomości" for c, n in sorted(given_up.items())]
        checks["outbox"] = "; ".join(problems)
    else:
        checks["outbox"] = "ok"
    live = [holder for holder, _expires, alive in snap.leases.values() if alive]
    checks["singletons"] = (
        f"ok ({live[0]})"
        if live
        else "brak działającego procesu z zadaniami pojedynczymi (dzierżawa wygasła)"
    )
    return 200, {"status": "ok", "checks": checks}
