"""The running job, as actors see it: ids, attempt number and progress reporting."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from partsiq.queues import JobType

log = logging.getLogger("partsiq.jobs")

_CURRENT: contextvars.ContextVar[JobContext | None] = contextvars.ContextVar("partsiq_job", default=None)


@dataclass
class JobContext:
    """One attempt of one job, set by the job-tracking middleware for the actor to use."""

    job_id: str
    job_type: JobType
    organization_id: str
    #: 1 for the first run, 2 for the first retry...
    attempt: int
    #: False when the job names an organisation that does not exist.
    organization_exists: bool = True
    #: Writes progress somewhere durable (the JobQueue row); None in pure unit tests.
    progress_sink: Callable[[int, str | None], None] | None = None
    #: What the actor returned, stored as the row's ``result``.
    result: Any = None
    #: When the attempt started (monotonic seconds).
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        """Seconds since the attempt started."""
        return time.monotonic() - self.started

    def progress(self, percent: int, message: str | None = None) -> None:
        """Report progress (0-100): stored on the job row and logged."""
        percent = max(0, min(100, int(percent)))
        suffix = f" ({message})" if message else ""
        log.info(
            "[%s] Job %s progress: %d%%%s",
            self.job_type.display,
            self.job_id,
            percent,
            suffix,
            extra={"job_id": self.job_id, "job_type": self.job_type.name},
        )
        if self.progress_sink is not None:
            self.progress_sink(percent, message)


def current_job() -> JobContext | None:
    """The job this thread is running, or None outside a job."""
    return _CURRENT.get()


def set_current_job(context: JobContext | None) -> contextvars.Token[JobContext | None]:
    """Make ``context`` the running job (the tracking middleware calls this)."""
    return _CURRENT.set(context)


def progress(percent: int, message: str | None = None) -> None:
    """Report the running job's progress: ``progress(50, "searching catalog")``."""
    context = current_job()
    if context is None:
        raise RuntimeError("progress() called outside a running job")
    context.progress(percent, message)
