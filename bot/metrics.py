"""Prometheus metrics (the official ``prometheus_client``).

Counters and histograms are updated where things happen (requests, answers, posts,
Slack retries, database errors). Gauges that describe the database (outbox, jobs, open
rounds) are computed at scrape time by :class:`DatabaseCollector` with a few cheap
queries, so every replica reports the same truth and nothing has to be kept in step.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts) prometheus_client keeps
the counters in files in that directory and every scrape adds up all processes
(multiprocess mode): run several ``serve`` processes and one ``worker`` with the same
directory and scrape any of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import logs
from bot.config import current

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from storage.ops import JobStats, OutboxStats, RoundRate


class OpsReadings(Protocol):
    """What the collector reads at each scrape (:class:`bot.services.ops.Ops` provides it)."""

    def outbox(self) -> OutboxStats: ...

    def jobs(self, now: datetime) -> JobStats: ...

    def open_rounds(self) -> list[RoundRate]: ...


PREFIX = "dialogbot"

REQUESTS = Counter(
    f"{PREFIX}_requests",
    "Requests from the chat platform, by kind and outcome (ok, rejected, error).",
    ["kind", "outcome"],
)
ACK_SECONDS = Histogram(
    f"{PREFIX}_ack_seconds",
    "Time from receiving a platform request to its acknowledgement.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
ANSWERS = Counter(
    f"{PREFIX}_answers_stored",
    "Changes stored for participants (answered, edited, skipped, withdrawn, ...).",
    ["kind"],
)
POSTS = Counter(
    f"{PREFIX}_posts",
    "Posts to the chat platform by outcome (sent, failed, refused).",
    ["outcome"],
)
RETRIES = Counter(
    f"{PREFIX}_api_retries",
    "Web API calls retried, by reason (ratelimited, server_error, connection).",
    ["reason"],
)
RATE_LIMITED = Counter(f"{PREFIX}_api_ratelimited", "HTTP 429 answers received from the Web API.")
DB_ERRORS = Counter(
    f"{PREFIX}_database_errors",
    "Database errors by kind (operational: connection and server trouble; integrity: "
    "races resolved by a retry; other).",
    ["kind"],
)


for _kind in ("operational", "integrity", "other", "scrape"):
    DB_ERRORS.labels(_kind)
for _outcome in ("sent", "failed", "refused"):
    POSTS.labels(_outcome)
for _reason in ("ratelimited", "server_error", "connection"):
    RETRIES.labels(_reason)


# Updating ---------------------------------------------------------------------------


def request_done(kind: str, status: int, seconds: float) -> None:
    """Count a platform request and observe its ack latency."""
    outcome = "ok" if status < 400 else "rejected" if status < 500 else "error"
    REQUESTS.labels(kind, outcome).inc()
    ACK_SECONDS.observe(seconds)


def answer_stored(kind: str) -> None:
    """Count a change the engine stored for a participant."""
    ANSWERS.labels(kind).inc()


def post_done(outcome: str) -> None:
    """Count a post to the platform: ``sent``, ``failed`` (kept for later) or ``refused``."""
    POSTS.labels(outcome).inc()


def watch_engine(engine: Engine) -> None:
    """Count the database errors of ``engine`` (connection losses, failed statements)."""

    def on_error(context: ExceptionContext) -> None:
        error = context.sqlalchemy_exception
        kind = (
            "integrity"
            if isinstance(error, IntegrityError)
            else "operational"
            if isinstance(error, OperationalError) or context.is_disconnect
            else "other"
        )
        DB_ERRORS.labels(kind).inc()

    if not event.contains(engine, "handle_error", on_error):
        event.listen(engine, "handle_error", on_error)


# Database gauges --------------------------------------------------------------------


class DatabaseCollector(Collector):
    """Gauges computed from the database at scrape time (a few cheap queries)."""

    def __init__(self, queries: OpsReadings, now: Callable[[], datetime] | None = None) -> None:
        self.queries = queries
        self.now = now or (lambda: datetime.now(UTC))

    def collect(self) -> Iterable[Metric]:
        """Outbox depth and age, scheduler jobs, open rounds and their response rate."""
        try:
            now = self.now()
            outbox = self.queries.outbox()
            jobs = self.queries.jobs(now)
            rounds = self.queries.open_rounds()
        except Exception:
            DB_ERRORS.labels("scrape").inc()
            up = GaugeMetricFamily(f"{PREFIX}_database_up", "1 when the scrape could read it.")
            up.add_metric([], 0)
            return [up]
        up = GaugeMetricFamily(f"{PREFIX}_database_up", "1 when the scrape could read it.")
        up.add_metric([], 1)
        depth = GaugeMetricFamily(f"{PREFIX}_outbox_depth", "Posts not yet delivered.")
        depth.add_metric([], outbox.depth)
        age = GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_age_seconds", "Age of the oldest undelivered post (0: none)."
        )
        age.add_metric([], (now - outbox.oldest).total_seconds() if outbox.oldest else 0.0)
        job_gauge = GaugeMetricFamily(
            f"{PREFIX}_jobs", "Scheduler jobs: due now, running, failed.", labels=["state"]
        )
        job_gauge.add_metric(["due"], jobs.due)
        job_gauge.add_metric(["running"], jobs.running)
        job_gauge.add_metric(["failed"], jobs.failed)
        open_rounds = GaugeMetricFamily(f"{PREFIX}_open_rounds", "Rounds that are open.")
        open_rounds.add_metric([], len(rounds))
        rate = GaugeMetricFamily(
            f"{PREFIX}_round_response_rate",
            "Share of an open round's participants who have answered something.",
            labels=["workspace", "round"],
        )
        for r in rounds:
            share = r.responded / r.participations if r.participations else 0.0
            rate.add_metric([r.workspace_id, str(r.round_id)], share)
        return [up, depth, age, job_gauge, open_rounds, rate]


# Exposition -------------------------------------------------------------------------


class _ProcessMetrics(Collector):
    """This process's counters (or, in multiprocess mode, every process's)."""

    def collect(self) -> Iterator[Metric]:
        directory = current().prometheus_multiproc_dir
        if directory:
            scratch = CollectorRegistry()
            MultiProcessCollector(scratch, path=directory)  # type: ignore[no-untyped-call]
            yield from scratch.collect()
        else:
            yield from REGISTRY.collect()


def scrape_registry(database: Collector | None = None) -> CollectorRegistry:
    """A registry with the process (or multiprocess) metrics and the database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    if database is not None:
        registry.register(database)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The metrics in the Prometheus text format."""
    return generate_latest(registry)


def with_metrics(
    inner: WSGIApplication, database: Collector | None = None, path: str = "/metrics"
) -> WSGIApplication:
    """Serve ``GET /metrics``; time and count every other request as a platform request.

    The kind of request (``event:message``, ``command``, ``action`` …) is what the
    adapter put into the log context (:func:`bot.logs.bind`) while handling it.
    """
    registry = scrape_registry(database)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == path and environ.get("REQUEST_METHOD") == "GET":
            body = exposition(registry)
            start_response(
                "200 OK",
                [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))],
            )
            return [body]
        if environ.get("REQUEST_METHOD") != "POST":
            return inner(environ, start_response)
        logs.clear()
        started = time.perf_counter()
        status: list[int] = []

        def capture(code: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status.append(int(code.split(" ", 1)[0]))
            return start_response(code, headers, *exc)

        try:
            result = inner(environ, capture)
        except Exception:
            request_done(logs.current().get("kind", "unknown"), 500, time.perf_counter() - started)
            raise
        request_done(
            logs.current().get("kind", "unverified"),
            status[0] if status else 500,
            time.perf_counter() - started,
        )
        return result

    return application


def serve_metrics(port: int, database: Collector | None = None, addr: str = "0.0.0.0") -> Any:
    """Serve ``/metrics`` on ``port`` in a daemon thread (for ``dialogbot worker``).

    Returns prometheus_client's ``(server, thread)``; ``server.shutdown()`` stops it.
    """
    return start_http_server(port, addr=addr, registry=scrape_registry(database))
