"""Every write the job lifecycle makes to the JobQueue table, one statement each.

A job costs two round trips on the worker's hot path: one conditional upsert that
claims it (and answers whether its organisation exists), one update that finishes
it. Writes after the claim are guarded by the attempt's lease id, so a worker
that lost its lease can never overwrite the attempt that replaced it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from partsiq.db.models import JobStatus
from partsiq.ids import new_id

_INSERT = """
INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", data,
                        "idempotencyKey", "progressMessage")
VALUES (%(id)s, %(job_id)s, %(queue)s, %(job_type)s, %(status)s::"JobStatus", %(org)s, %(data)s,
        %(idempotency_key)s, NULL)
ON CONFLICT DO NOTHING
RETURNING "jobId"
"""

_EXISTING = """
SELECT "jobId" FROM "JobQueue" WHERE "jobId" = %(job_id)s
   OR ("idempotencyKey" IS NOT NULL AND "idempotencyKey" = %(idempotency_key)s)
LIMIT 1
"""

# Claim: create the row if a message arrived without one, else take it when it is
# waiting, or ACTIVE under a lease that lapsed (its worker died).
_CLAIM = """
INSERT INTO "JobQueue" AS j (id, "jobId", "queueName", "jobType", status, "organizationId", data,
                             attempts, "startedAt", "workerId", "leaseId", "leaseExpiresAt")
VALUES (%(id)s, %(job_id)s, %(queue)s, %(job_type)s, 'ACTIVE', %(org)s, %(data)s,
        1, now(), %(worker_id)s, %(lease_id)s, now() + make_interval(secs => %(lease_s)s))
ON CONFLICT ("jobId") DO UPDATE
   SET status = 'ACTIVE', attempts = j.attempts + 1, "startedAt" = now(), "updatedAt" = now(),
       "workerId" = EXCLUDED."workerId", "leaseId" = EXCLUDED."leaseId",
       "leaseExpiresAt" = EXCLUDED."leaseExpiresAt"
 WHERE j.status IN ('PENDING', 'QUEUED', 'RETRYING')
    OR (j.status = 'ACTIVE' AND j."leaseExpiresAt" < now())
RETURNING j.attempts, j."organizationId",
          EXISTS (SELECT 1 FROM "Organization" o WHERE o.id = j."organizationId") AS org_exists
"""

_INSPECT = """
SELECT status, GREATEST(EXTRACT(EPOCH FROM "leaseExpiresAt" - now()), 0)
  FROM "JobQueue" WHERE "jobId" = %(job_id)s
"""

_FINISH = """
UPDATE "JobQueue"
   SET status = %(status)s::"JobStatus", result = %(result)s, error = %(error)s, "updatedAt" = now(),
       "completedAt" = CASE WHEN %(status)s::"JobStatus" = 'COMPLETED' THEN now() ELSE "completedAt" END,
       "failedAt" = CASE WHEN %(status)s::"JobStatus" = 'FAILED' THEN now() ELSE "failedAt" END,
       progress = CASE WHEN %(status)s::"JobStatus" = 'COMPLETED' THEN 100 ELSE progress END,
       "progressMessage" = CASE WHEN %(status)s::"JobStatus" = 'COMPLETED' THEN 'completed'
                                WHEN %(status)s::"JobStatus" = 'RETRYING' THEN 'waiting to retry'
                                ELSE "progressMessage" END,
       "leaseId" = NULL, "leaseExpiresAt" = NULL
 WHERE "jobId" = %(job_id)s AND "leaseId" = %(lease_id)s
"""

_PROGRESS = """
UPDATE "JobQueue" SET progress = %(progress)s, "progressMessage" = %(message)s, "updatedAt" = now()
 WHERE "jobId" = %(job_id)s AND "leaseId" = %(lease_id)s
"""

_RENEW = """
UPDATE "JobQueue" SET "leaseExpiresAt" = now() + make_interval(secs => %(lease_s)s)
 WHERE "leaseId" = ANY(%(lease_ids)s) AND status = 'ACTIVE'
"""

_SET_STATUS = """
UPDATE "JobQueue" SET status = %(status)s::"JobStatus", "updatedAt" = now()
 WHERE "jobId" = %(job_id)s AND status = %(from_status)s::"JobStatus"
"""


class StoreUnavailable(Exception):
    """PostgreSQL could not be reached for a lifecycle write (the connection was discarded)."""


#: Longest error text kept on a row.
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class Claim:
    """The outcome of a successful claim: this worker runs attempt ``attempt``."""

    attempt: int
    organization_exists: bool


@dataclass(frozen=True)
class JobState:
    """What a job's row says when a claim was refused."""

    status: JobStatus
    lease_remaining_s: float


class JobStore:
    """The JobQueue writes of one process, each one autocommitted statement.

    ``engine`` should be :attr:`partsiq.db.Database.autocommit_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, statement: str, params: dict[str, Any]) -> tuple[list[tuple[Any, ...]], int]:
        # A raw pooled psycopg connection: a third of the cost of going through a
        # SQLAlchemy Connection, and psycopg prepares the repeated statements itself.
        try:
            conn = self.engine.raw_connection()
        except (psycopg.OperationalError, DBAPIError) as error:
            raise StoreUnavailable(str(error).strip().splitlines()[0]) from error
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(statement, params)
                rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
                return rows, cursor.rowcount
            finally:
                cursor.close()
        except psycopg.OperationalError as error:
            conn.invalidate()  # broken: never hand it out again
            raise StoreUnavailable(str(error).strip().splitlines()[0]) from error
        finally:
            conn.close()

    def _execute(self, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self._run(statement, params)[0]

    def _update(self, statement: str, params: dict[str, Any]) -> int:
        return self._run(statement, params)[1]

    def insert(
        self,
        *,
        job_id: str,
        queue: str,
        job_type: str,
        organization_id: str,
        data: dict[str, Any],
        status: JobStatus = JobStatus.QUEUED,
        idempotency_key: str | None = None,
    ) -> tuple[str, bool]:
        """Write a new job row; ``(job id, True)``, or the existing job's id and False."""
        params = {
            "id": new_id(),
            "job_id": job_id,
            "queue": queue,
            "job_type": job_type,
            "status": status.value,
            "org": organization_id,
            "data": json.dumps(data),
            "idempotency_key": idempotency_key,
        }
        if self._execute(_INSERT, params):
            return job_id, True
        existing = self._execute(_EXISTING, params)
        return (existing[0][0] if existing else job_id), False

    def claim(
        self,
        *,
        job_id: str,
        queue: str,
        job_type: str,
        organization_id: str,
        data: Any,
        worker_id: str,
        lease_id: str,
        lease_s: float,
    ) -> Claim | None:
        """Start an attempt, or None when the job is finished or held by a live lease."""
        rows = self._execute(
            _CLAIM,
            {
                "id": new_id(),
                "job_id": job_id,
                "queue": queue,
                "job_type": job_type,
                "org": organization_id,
                "data": json.dumps(data, default=str),
                "worker_id": worker_id,
                "lease_id": lease_id,
                "lease_s": lease_s,
            },
        )
        if not rows:
            return None
        attempt, _, org_exists = rows[0]
        return Claim(attempt=attempt, organization_exists=org_exists)

    def inspect(self, job_id: str) -> JobState | None:
        """The status and remaining lease of a job, or None when it has no row."""
        rows = self._execute(_INSPECT, {"job_id": job_id})
        if not rows:
            return None
        status, remaining = rows[0]
        return JobState(JobStatus(status), float(remaining or 0))

    def finish(
        self,
        *,
        job_id: str,
        lease_id: str,
        status: JobStatus,
        result: Any = None,
        error: str | None = None,
    ) -> bool:
        """Record the end of an attempt (COMPLETED, RETRYING or FAILED); False if the lease was lost."""
        updated = self._update(
            _FINISH,
            {
                "job_id": job_id,
                "lease_id": lease_id,
                "status": status.value,
                "result": None if result is None else json.dumps(result, default=str),
                "error": None if error is None else error[:MAX_ERROR_CHARS],
            },
        )
        return bool(updated)

    def progress(self, *, job_id: str, lease_id: str, progress: int, message: str | None) -> None:
        """Store an attempt's progress (0-100) and message."""
        self._update(_PROGRESS, {"job_id": job_id, "lease_id": lease_id, "progress": progress, "message": message})

    def renew(self, lease_ids: list[str], lease_s: float) -> None:
        """Extend the leases of the attempts this process is running."""
        if lease_ids:
            self._update(_RENEW, {"lease_ids": lease_ids, "lease_s": lease_s})

    def set_status(self, job_id: str, status: JobStatus, *, from_status: JobStatus) -> bool:
        """Move a job between two waiting states (e.g. QUEUED back to PENDING)."""
        return bool(
            self._update(_SET_STATUS, {"job_id": job_id, "status": status.value, "from_status": from_status.value})
        )
