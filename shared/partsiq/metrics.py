"""Prometheus metrics of our processes (bounded labels only: queue, job type, outcome, state, action, actor).

Counters and histograms are updated by the middleware as jobs run; queue depths are read
from Redis at scrape time by :class:`QueueCollector`, so every replica reports the same
backlog (dashboards should use ``max`` over replicas for them, ``sum`` for the counters).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from partsiq.broker_state import queue_depths

#: Everything this process exports (plus the default process and platform collectors).
REGISTRY = CollectorRegistry(auto_describe=True)

JOBS = Counter(
    "partsiq_jobs",
    "Job attempts that ended, by outcome (completed, retried, failed).",
    ["queue", "job_type", "outcome"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "partsiq_job_duration_seconds",
    "Wall time of one job attempt.",
    ["queue", "job_type"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
IN_PROGRESS = Gauge(
    "partsiq_jobs_in_progress", "Job attempts running now in this process.", ["queue", "job_type"], registry=REGISTRY
)
DEFERRALS = Counter(
    "partsiq_rate_limit_deferrals",
    "Jobs put back because their rate limit was reached (no attempt used).",
    ["queue", "job_type"],
    registry=REGISTRY,
)
SKIPS = Counter(
    "partsiq_duplicate_messages",
    "Messages skipped because their job had finished or was running elsewhere.",
    ["queue", "job_type", "reason"],
    registry=REGISTRY,
)
PERIODIC_SUCCESS = Gauge(
    "partsiq_periodic_last_success_timestamp_seconds",
    "When each periodic job last completed (Unix time).",
    ["job_type"],
    registry=REGISTRY,
)
# The dispatcher's and the scheduler's own series: registered only by the process that runs them
# (:func:`export`), so workers do not report a dispatcher pass at 1970.
DISPATCHED = Counter(
    "partsiq_dispatcher_jobs",
    "Jobs the dispatcher handled: published (PENDING rows), refused (failed as invalid), recovered (republished).",
    ["action"],
    registry=None,
)
DISPATCHER_PASS = Gauge(
    "partsiq_dispatcher_last_pass_timestamp_seconds",
    "When the dispatcher last completed a pass over PostgreSQL and Redis (Unix time).",
    registry=None,
)
SCHEDULER_SENDS = Counter(
    "partsiq_scheduler_ticks", "Periodic actors the scheduler sent, by actor.", ["actor"], registry=None
)
SCHEDULER_WAKE = Gauge(
    "partsiq_scheduler_last_wake_timestamp_seconds", "When the scheduler last woke up (Unix time).", registry=None
)
STARTED_AT = time.time()
UPTIME = Gauge("partsiq_uptime_seconds", "Seconds since this process started.", registry=REGISTRY)
UPTIME.set_function(lambda: time.time() - STARTED_AT)


def export(*metrics: Collector) -> None:
    """Add series that only this kind of process reports to its /metrics."""
    for metric in metrics:
        REGISTRY.register(metric)


class QueueCollector(Collector):
    """``partsiq_queue_messages{queue, state}`` read from the broker's Redis keys at scrape time.

    States: ``ready`` (waiting in the list; what more workers can speed up), ``in_flight``
    (fetched by a worker, not yet acknowledged), ``delayed`` (retries and rate-limit
    deferrals waiting for their time) and ``dead`` (dead letters).
    """

    def __init__(self, client: redis.Redis, namespace: str, queues: list[str]) -> None:
        self.client, self.namespace, self.queues = client, namespace, queues

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "partsiq_queue_messages", "Messages in each queue by state.", labels=["queue", "state"]
        )
        try:
            depths = queue_depths(self.client, self.namespace, self.queues)
        except redis.RedisError:
            return  # Redis down: no backlog figures rather than a failed scrape
        for queue, depth in depths.items():
            for state in ("ready", "in_flight", "delayed", "dead"):
                family.add_metric([queue, state], getattr(depth, state))
        yield family
