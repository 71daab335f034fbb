"""Jobs as actors see them and as callers enqueue them."""

from partsiq.jobs.actor import job, validate_payload
from partsiq.jobs.context import JobContext, current_job, progress
from partsiq.jobs.enqueue import enqueue, publish
from partsiq.jobs.wait import wait_for_job

__all__ = ["JobContext", "current_job", "enqueue", "job", "progress", "publish", "validate_payload", "wait_for_job"]
