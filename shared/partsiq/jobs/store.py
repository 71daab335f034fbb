"""Every write the job lifecycle makes to the JobQueue table.

A job costs two writes on the worker's hot path: a conditional upsert that claims
it (and answers whether its organisation exists) and an update that finishes it,
each batched with other threads' by :mod:`partsiq.jobs.group_commit`. Writes after
the claim are guarded by the attempt's lease id, so a worker that lost its lease
can never overwrite the attempt that replaced it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from partsiq.db.models import JobStatus
from partsiq.errors import ServiceUnreachable
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

# Claim a batch: create the row if a message arrived without one, else take it when it is
# waiting, or ACTIVE under a lease that lapsed (its worker died). Job ids are unique within
# a batch (ON CONFLICT may touch a row only once per statement).
_CLAIM_MANY = """
INSERT INTO "JobQueue" AS j (id, "jobId", "queueName", "jobType", status, "organizationId", data,
                             attempts, "startedAt", "workerId", "leaseId", "leaseExpiresAt")
SELECT v.id, v.job_id, v.queue, v.job_type, 'ACTIVE', v.org, v.data::jsonb,
       1, now(), %(worker_id)s, v.lease_id, now() + make_interval(secs => %(lease_s)s)
  FROM unnest(%(ids)s::text[], %(job_ids)s::text[], %(queues)s::text[], %(job_types)s::text[], %(orgs)s::text[],
              %(datas)s::text[], %(lease_ids)s::text[]) AS v(id, job_id, queue, job_type, org, data, lease_id)
ON CONFLICT ("jobId") DO UPDATE
   SET status = 'ACTIVE', attempts = j.attempts + 1, "startedAt" = now(), "updatedAt" = now(),
       "workerId" = EXCLUDED."workerId", "leaseId" = EXCLUDED."leaseId",
       "leaseExpiresAt" = EXCLUDED."leaseExpiresAt"
 WHERE j.status IN ('PENDING', 'QUEUED', 'RETRYING')
    OR (j.status = 'ACTIVE' AND j."leaseExpiresAt" < now())
RETURNING j."jobId", j.attempts,
          EXISTS (SELECT 1 FROM "Organization" o WHERE o.id = j."organizationId") AS org_exists
"""

_FINISH_MANY = """
UPDATE "JobQueue" AS j
   SET status = v.status::"JobStatus", result = v.result::jsonb, error = v.error, "updatedAt" = now(),
       "completedAt" = CASE WHEN v.status = 'COMPLETED' THEN now() ELSE j."completedAt" END,
       "failedAt" = CASE WHEN v.status = 'FAILED' THEN now() ELSE j."failedAt" END,
       progress = CASE WHEN v.status = 'COMPLETED' THEN 100 ELSE j.progress END,
       "progressMessage" = CASE WHEN v.status = 'COMPLETED' THEN 'completed'
                                WHEN v.status = 'RETRYING' THEN 'waiting to retry'
                                ELSE j."progressMessage" END,
       "leaseId" = NULL, "leaseExpiresAt" = NULL
  FROM unnest(%(job_ids)s::text[], %(lease_ids)s::text[], %(statuses)s::text[], %(results)s::text[],
              %(errors)s::text[]) AS v(job_id, lease_id, status, result, error)
 WHERE j."jobId" = v.job_id AND j."leaseId" = v.lease_id
RETURNING j."jobId"
"""

_INSPECT = """
SELECT status, GREATEST(EXTRACT(EPOCH FROM "leaseExpiresAt" - now()), 0)
  FROM "JobQueue" WHERE "jobId" = %(job_id)s
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


class StoreUnavailable(ServiceUnreachable):
    """PostgreSQL could not be reached for a job write (the connection was discarded)."""


#: Longest error text kept on a row.
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class Claim:
    """The outcome of a successful claim: this worker runs attempt ``attempt``."""

    attempt: int
    organization_exists: bool


@dataclass(frozen=True)
class ClaimRequest:
    """One job a worker thread wants to start."""

    job_id: str
    queue: str
    job_type: str
    organization_id: str
    data: Any
    lease_id: str


@dataclass(frozen=True)
class FinishRequest:
    """How one attempt ended."""

    job_id: str
    lease_id: str
    status: JobStatus
    result: Any = None
    error: str | None = None


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

    def claim_many(self, requests: list[ClaimRequest], *, worker_id: str, lease_s: float) -> list[Claim | None]:
        """Start an attempt of each job; None where the job is finished or held by a live lease.

        One statement per batch (two when a job appears twice in it).
        """
        claims: dict[int, Claim | None] = {}
        pending = list(enumerate(requests))
        while pending:
            now: list[tuple[int, ClaimRequest]] = []
            later: list[tuple[int, ClaimRequest]] = []
            seen: set[str] = set()
            for i, r in pending:  # a job twice in a batch: the second waits for the next statement
                (later if r.job_id in seen else now).append((i, r))
                seen.add(r.job_id)
            pending = later
            rows = self._execute(
                _CLAIM_MANY,
                {
                    "worker_id": worker_id,
                    "lease_s": lease_s,
                    "ids": [new_id() for _ in now],
                    "job_ids": [r.job_id for _, r in now],
                    "queues": [r.queue for _, r in now],
                    "job_types": [r.job_type for _, r in now],
                    "orgs": [r.organization_id for _, r in now],
                    "datas": [json.dumps(r.data, default=str) for _, r in now],
                    "lease_ids": [r.lease_id for _, r in now],
                },
            )
            won = {job_id: Claim(attempt=attempt, organization_exists=exists) for job_id, attempt, exists in rows}
            for i, r in now:
                claims[i] = won.get(r.job_id)
        return [claims[i] for i in range(len(requests))]

    def finish_many(self, requests: list[FinishRequest]) -> list[bool]:
        """Record how each attempt ended; True where its lease was still held (False: lease lost)."""
        rows = self._execute(
            _FINISH_MANY,
            {
                "job_ids": [r.job_id for r in requests],
                "lease_ids": [r.lease_id for r in requests],
                "statuses": [r.status.value for r in requests],
                "results": [None if r.result is None else json.dumps(r.result, default=str) for r in requests],
                "errors": [None if r.error is None else r.error[:MAX_ERROR_CHARS] for r in requests],
            },
        )
        recorded = {row[0] for row in rows}
        return [r.job_id in recorded for r in requests]

    def inspect(self, job_id: str) -> JobState | None:
        """The status and remaining lease of a job, or None when it has no row."""
        rows = self._execute(_INSPECT, {"job_id": job_id})
        if not rows:
            return None
        status, remaining = rows[0]
        return JobState(JobStatus(status), float(remaining or 0))

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
