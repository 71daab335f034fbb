"""The seed's log lines for every job: started, progress (from the context), completed, failed."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from partsiq.errors import NON_RETRYABLE
from partsiq.jobs.context import current_job

log = logging.getLogger("partsiq.jobs")


class JobLogging(Middleware):
    """Logs ``[Parts Search] Job abc123 started processing`` and how each attempt ended.

    Sits after JobTracking (it reads the running job's context) and before Retries
    (so it knows whether a failure is final).
    """

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        context = current_job()
        if context is None:
            return
        log.info(
            "[%s] Job %s started processing (attempt %d/%d, organization %s)",
            context.job_type.display,
            context.job_id,
            context.attempt,
            context.job_type.retry.max_attempts,
            context.organization_id,
            extra=_extra(context, "ACTIVE"),
        )

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        context = current_job()
        if context is None:
            return
        elapsed = context.elapsed
        name, job_id = context.job_type.display, context.job_id
        if exception is None:
            log.info("[%s] Job %s completed in %.2f s", name, job_id, elapsed, extra=_extra(context, "COMPLETED"))
            return
        # Expected errors (bad payload, unknown organisation) need no traceback.
        trace = None if isinstance(exception, NON_RETRYABLE) else exception
        level, status, what = (
            (logging.ERROR, "FAILED", "failed after attempt %d")
            if message.failed
            else (logging.WARNING, "RETRYING", "attempt %d failed, will retry")
        )
        log.log(
            level,
            f"[%s] Job %s {what}: %s: %s",
            name,
            job_id,
            context.attempt,
            type(exception).__name__,
            exception,
            exc_info=trace,
            extra=_extra(context, status),
        )


def _extra(context: Any, status: str) -> dict[str, Any]:
    return {
        "job_id": context.job_id,
        "job_type": context.job_type.name,
        "queue": context.job_type.queue,
        "organization_id": context.organization_id,
        "attempt": context.attempt,
        "status": status,
    }
