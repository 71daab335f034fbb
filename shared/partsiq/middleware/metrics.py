"""Job counters and durations for Prometheus (see :mod:`partsiq.metrics`)."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from partsiq.jobs.context import current_job
from partsiq.metrics import DURATION, IN_PROGRESS, JOBS


class Metrics(Middleware):
    """Counts each attempt's outcome and times it; sits after JobTracking, before Retries."""

    def __init__(self) -> None:
        #: Attempts ended since start, by outcome (for the periodic health log line).
        self.totals: dict[str, int] = {"completed": 0, "retried": 0, "failed": 0}

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        context = current_job()
        if context is not None:
            IN_PROGRESS.labels(context.job_type.queue, context.job_type.name).inc()

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        context = current_job()
        if context is None:
            return
        labels = (context.job_type.queue, context.job_type.name)
        IN_PROGRESS.labels(*labels).dec()
        DURATION.labels(*labels).observe(context.elapsed)
        outcome = "completed" if exception is None else "failed" if message.failed else "retried"
        JOBS.labels(*labels, outcome).inc()
        self.totals[outcome] += 1
