"""Reading jobs back from the JobQueue table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from partsiq.db import Database
from partsiq.db.models import FINAL_STATUSES, JobQueue, JobStatus
from tests.support.waiting import wait_for


def job_row(database: Database, job_id: str) -> JobQueue | None:
    """The row of ``job_id`` (detached), or None."""
    with database.session() as session:
        return session.scalar(select(JobQueue).where(JobQueue.job_id == job_id))


def rows(database: Database, **where: Any) -> list[JobQueue]:
    """Every row matching the given column values, oldest first."""
    query = select(JobQueue).order_by(JobQueue.created_at, JobQueue.job_id)
    for attr, value in where.items():
        query = query.where(getattr(JobQueue, attr) == value)
    with database.session() as session:
        return list(session.scalars(query))


def wait_for_status(database: Database, job_id: str, *statuses: JobStatus, timeout: float = 30) -> JobQueue:
    """Poll until the job's row has one of ``statuses`` (default: any final status)."""
    wanted = set(statuses) or FINAL_STATUSES

    def check() -> JobQueue | None:
        row = job_row(database, job_id)
        return row if row is not None and row.status in wanted else None

    return wait_for(check, timeout=timeout, what=f"job {job_id} to be {'/'.join(sorted(wanted))}")
