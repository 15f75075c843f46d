"""Prometheus metrics shared by every service; correct under gunicorn's many workers.

Names carry units; labels hold routes and event types, never ids. When
PROMETHEUS_MULTIPROC_DIR is set (gunicorn, the local stack) every process writes
its own files there and /metrics sums them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

HTTP_REQUESTS = Counter(
    "kinerja_http_requests_total",
    "HTTP requests answered, by route and status.",
    ["service", "endpoint", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "kinerja_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["service", "endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "kinerja_events_published_total",
    "Events the outbox relay published with a broker confirm.",
    ["service", "type"],
)
EVENTS_CONSUMED = Counter(
    "kinerja_events_consumed_total",
    "Events a consumer took off its queue, by outcome (applied or duplicate).",
    ["service", "type", "outcome"],
)
EVENTS_PER_TRANSACTION = Histogram(
    "kinerja_events_per_transaction",
    "Events a consumer applied in one transaction (a batch of those that arrived together).",
    ["service"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
EVENTS_FAILED = Counter(
    "kinerja_events_failed_total",
    "Handler attempts that raised; retried with backoff until the attempt limit.",
    ["service", "type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "kinerja_events_dead_lettered_total",
    "Events moved to the dead-letter queue after the attempt limit.",
    ["service", "type"],
)
OUTBOX_BACKLOG = Gauge(
    "kinerja_outbox_backlog_events",
    "Events written to the outbox and not yet confirmed by the broker.",
    ["service"],
    multiprocess_mode="mostrecent",
)
QUEUE_DEPTH = Gauge(
    "kinerja_queue_depth_messages",
    "Messages waiting in a consumer's queue (its lag in messages) and its dead-letter queue.",
    ["service", "queue"],
    multiprocess_mode="mostrecent",
)
CONSUMER_LAG = Histogram(
    "kinerja_consumer_lag_seconds",
    "Time from an event's occurrence to its effect being committed by a consumer.",
    ["service", "type"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

RECOMPUTE_DURATION = Histogram(
    "kinerja_recompute_duration_seconds",
    "Time to recompute every derived score of one cycle after its inputs changed.",
    ["service"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RECOMPUTE_PENDING = Gauge(
    "kinerja_recompute_pending_cycles",
    "Cycles whose inputs changed since their scores were last computed.",
    ["service"],
    multiprocess_mode="mostrecent",
)


def render_latest() -> tuple[bytes, str]:
    """The exposition text for this process, or for all processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
