"""Waiting for a job to finish, from a command line or a script (polls its row)."""

from __future__ import annotations

import time

from sqlalchemy import select

from partsiq.db import Database
from partsiq.db.models import FINAL_STATUSES, JobQueue


def wait_for_job(database: Database, job_id: str, timeout: float, *, interval: float = 0.25) -> JobQueue | None:
    """The job's row once COMPLETED or FAILED, or None if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        with database.session() as session:
            row = session.scalar(select(JobQueue).where(JobQueue.job_id == job_id))
        if row is not None and row.status in FINAL_STATUSES:
            return row
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
