"""Jobs the platform itself runs (the ``platform`` service), and its periodic ticks.

``canary`` proves the whole path works on a live system: a row is written, the
message crosses Redis, a worker claims it, reports progress and records a result
that says how long the job waited. ``sleepSeconds`` and ``failTimes`` rehearse slow
jobs and the retry path without touching any customer data.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import dramatiq
from periodiq import cron

from partsiq import runtime
from partsiq.jobs import JobContext, enqueue, job
from partsiq.metrics import PERIODIC_SUCCESS
from partsiq.payloads import CanaryPayload, RetentionPayload
from partsiq.periodic import time_slot
from partsiq.queues import PLATFORM_ORGANIZATION
from partsiq.retention import run_retention

#: Retention runs hourly, at 17 minutes past (away from the top-of-the-hour crowd).
RETENTION_SCHEDULE = "17 * * * *"


class CanaryFailure(RuntimeError):
    """The failure a canary was asked to rehearse (retryable)."""


@job("canary")
def canary(context: JobContext, payload: CanaryPayload) -> dict[str, Any]:
    """Sleep if asked, fail the first ``failTimes`` attempts, then report where it ran."""
    context.progress(10, "canary started")
    if payload.sleepSeconds:
        deadline = time.monotonic() + payload.sleepSeconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))
        context.progress(60, f"slept {payload.sleepSeconds:g} s")
    if context.attempt <= payload.failTimes:
        raise CanaryFailure(f"rehearsed failure {context.attempt} of {payload.failTimes}")
    return {
        "attempt": context.attempt,
        "worker": f"{socket.gethostname()}",
        "note": payload.note,
        "finishedAt": time.time(),
    }


@job("retention")
def retention(context: JobContext, payload: RetentionPayload) -> dict[str, Any]:
    """Delete old job rows and dead letters (see :mod:`partsiq.retention`)."""
    rt = runtime.current()
    report = run_retention(rt.database.engine, rt.broker.client, rt.settings)
    PERIODIC_SUCCESS.labels("retention").set_to_current_time()
    return {"slot": payload.slot, "rowsDeleted": report.rows, "deadLettersDropped": report.dead_letters}


@dramatiq.actor(queue_name="platform", periodic=cron(RETENTION_SCHEDULE), max_retries=0)
def retention_tick() -> None:
    """Periodic fan-out: one retention job per slot (a duplicate tick finds the slot's job exists)."""
    slot = time_slot()
    enqueue("retention", PLATFORM_ORGANIZATION, {"slot": slot}, idempotency_key=f"retention:{slot}")
