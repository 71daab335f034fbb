"""Jobs the platform itself runs (the ``platform`` service).

``canary`` proves the whole path works on a live system: a row is written, the
message crosses Redis, a worker claims it, reports progress and records a result
that says how long the job waited. ``sleepSeconds`` and ``failTimes`` rehearse slow
jobs and the retry path without touching any customer data.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from partsiq.jobs import JobContext, job
from partsiq.payloads import CanaryPayload


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
