"""``partsiq dispatcher``: publishes rows the web app writes, and recovers jobs Redis lost.

JobQueue is the source of truth; Redis only carries messages. The dispatcher:

- **publishes PENDING rows** (inserted by the web app through Prisma, or kept PENDING by an
  enqueue that could not reach Redis) as soon as PostgreSQL NOTIFYs it, and on a sweep every
  ``DISPATCHER_SWEEP_S`` in case a notification was missed. Rows are taken with
  ``FOR UPDATE SKIP LOCKED``, so several dispatcher replicas never publish a row twice. A row
  naming an unknown job type or carrying an invalid payload is FAILED with the reason.
- **recovers lost messages** every ``DISPATCHER_RECOVERY_S``: a QUEUED or RETRYING job, or an
  ACTIVE one whose lease lapsed, that has not changed for ``DISPATCHER_GRACE_S`` and whose
  message is in none of its queue's Redis structures (ready, in flight, delayed) is
  published again. A Redis restart that drops everything loses no job; the claim's
  duplicate handling makes sure none runs twice.

The Redis scan reads every message hash of the table's queues, so its cost grows with the
backlog (HSCAN, in pages); at tens of thousands of waiting messages, lengthen the interval.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import psycopg
import redis
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from partsiq.broker_state import job_ids_in_redis
from partsiq.db.engine import CONNECT_TIMEOUT_S
from partsiq.errors import PayloadInvalid, UnknownJobType
from partsiq.jobs.actor import validate_payload
from partsiq.jobs.enqueue import publish
from partsiq.metrics import DISPATCHED, DISPATCHER_PASS
from partsiq.queues import job_type, job_types
from partsiq.settings import Settings

log = logging.getLogger("partsiq.dispatcher")

#: NOTIFY channel the JobQueue trigger signals new PENDING rows on.
PENDING_CHANNEL = "partsiq_jobs_pending"
#: Rows handled per transaction.
BATCH = 500
#: The liveness probe fails when the loop (which turns every ``DISPATCHER_SWEEP_S``, and at least
#: once per batch or every 30 s while Redis or PostgreSQL is down) has not turned for this long.
STALLED_AFTER_S = 120.0

_TAKE_PENDING = """
SELECT "jobId", "jobType", "organizationId", data FROM "JobQueue"
 WHERE status = 'PENDING' ORDER BY "createdAt" LIMIT %(batch)s FOR UPDATE SKIP LOCKED
"""
_MARK_QUEUED = """
UPDATE "JobQueue" AS j SET status = 'QUEUED', "queueName" = v.queue, data = v.data::jsonb, "updatedAt" = now()
  FROM unnest(%(ids)s::text[], %(queues)s::text[], %(datas)s::text[]) AS v(job_id, queue, data)
 WHERE j."jobId" = v.job_id
"""
_MARK_FAILED = """
UPDATE "JobQueue" SET status = 'FAILED', error = %(error)s, "failedAt" = now(), "updatedAt" = now()
 WHERE "jobId" = %(job_id)s
"""
_TAKE_STALE = """
SELECT "jobId", "jobType", data FROM "JobQueue"
 WHERE ((status IN ('QUEUED', 'RETRYING') AND "updatedAt" < now() - make_interval(secs => %(grace)s))
     OR (status = 'ACTIVE' AND "leaseExpiresAt" < now() - make_interval(secs => %(grace)s)))
   AND "jobId" <> ALL(%(present)s::text[])
 ORDER BY "updatedAt" LIMIT %(batch)s FOR UPDATE SKIP LOCKED
"""
_TOUCH = """UPDATE "JobQueue" SET "updatedAt" = now() WHERE "jobId" = ANY(%(ids)s)"""


class Dispatcher:
    """Moves jobs from PostgreSQL into Redis: new PENDING rows, and messages Redis lost."""

    def __init__(self, settings: Settings, engine: Engine, broker: RedisBroker) -> None:
        self.settings = settings
        self.engine = engine
        self.broker = broker
        self.stop_event = threading.Event()
        #: When the loop last turned (monotonic s): what ``/healthz`` reads.
        self.last_turn = time.monotonic()

    @property
    def deadline(self) -> float:
        """When (monotonic s) the loop must have turned again, or the process counts as hung."""
        return self.last_turn + max(STALLED_AFTER_S, 3 * self.settings.dispatcher_sweep_s)

    def publish_pending(self) -> int:
        """Publish every PENDING row (in batches); returns how many were published."""
        published = 0
        while True:
            count, failed, more = self._publish_batch()
            self.last_turn = time.monotonic()
            published += count
            if not more:
                return published

    def _publish_batch(self) -> tuple[int, int, bool]:
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(_TAKE_PENDING, {"batch": BATCH})
            rows = cursor.fetchall()
            ids, queues, datas, failed = [], [], [], 0
            for job_id, type_name, organization_id, data in rows:
                try:
                    jt = job_type(type_name)
                    if data is not None and not isinstance(data, dict):
                        raise PayloadInvalid(f"data must be a JSON object, not {type(data).__name__}")
                    payload = {"organizationId": organization_id, **(data or {})}
                    if payload["organizationId"] != organization_id:
                        raise PayloadInvalid("data.organizationId differs from the row's organizationId")
                    validated = validate_payload(jt, payload).model_dump(mode="json", exclude_none=True)
                except (UnknownJobType, PayloadInvalid) as error:
                    cursor.execute(_MARK_FAILED, {"job_id": job_id, "error": f"{type(error).__name__}: {error}"})
                    log.warning("job %s refused: %s", job_id, error)
                    failed += 1
                    continue
                publish(self.broker, jt, job_id, validated)
                ids.append(job_id)
                queues.append(jt.queue)
                datas.append(json.dumps(validated))
            if ids:
                cursor.execute(_MARK_QUEUED, {"ids": ids, "queues": queues, "datas": datas})
            conn.commit()
            DISPATCHED.labels("published").inc(len(ids))
            DISPATCHED.labels("refused").inc(failed)
            if ids:
                log.info("published %d pending job(s)", len(ids))
            return len(ids), failed, len(rows) == BATCH
        finally:
            conn.close()

    def recover(self) -> int:
        """Publish again the jobs whose message Redis no longer has; returns how many."""
        queues = {jt.queue for jt in job_types().values()}
        present = job_ids_in_redis(self.broker.client, self.settings.redis_namespace, queues)
        self.last_turn = time.monotonic()  # the scan grows with the backlog: it counts as a turn
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            # Stale rows whose message is nowhere in Redis (a long backlog of waiting
            # messages must not hide a lost one behind the batch limit).
            params = {"grace": self.settings.dispatcher_grace_s, "batch": BATCH, "present": list(present)}
            cursor.execute(_TAKE_STALE, params)
            lost = cursor.fetchall()
            republished = []
            for job_id, type_name, data in lost:
                try:
                    publish(self.broker, job_type(type_name), job_id, data)
                    republished.append(job_id)
                except UnknownJobType as error:  # a job type removed since: it can never run
                    cursor.execute(_MARK_FAILED, {"job_id": job_id, "error": f"UnknownJobType: {error}"})
                    DISPATCHED.labels("refused").inc()
            if republished:
                cursor.execute(_TOUCH, {"ids": republished})
            conn.commit()
            DISPATCHED.labels("recovered").inc(len(republished))
        finally:
            conn.close()
        if republished:
            log.warning("republished %d job(s) whose message Redis had lost", len(republished))
        return len(republished)

    def run(self) -> None:
        """Publish on NOTIFY and on every sweep, recover on its interval, until :meth:`stop`.

        Redis or PostgreSQL going away is retried with backoff (up to 30 s), the LISTEN
        connection included: the loop keeps turning through an outage, so the process
        stays alive and resumes by itself.
        """
        listener: psycopg.Connection[Any] | None = None
        next_recovery = time.monotonic()
        failures = 0
        try:
            while not self.stop_event.is_set():
                self.last_turn = time.monotonic()
                try:
                    if listener is None:
                        listener = self._listen(again=failures > 0)
                    self.publish_pending()
                    if time.monotonic() >= next_recovery:
                        self.recover()
                        next_recovery = time.monotonic() + self.settings.dispatcher_recovery_s
                    failures = 0
                    DISPATCHER_PASS.set_to_current_time()
                    # Wake on the first notification (the rest of a burst is taken by the next
                    # publish_pending) or when the sweep is due.
                    for _ in listener.notifies(timeout=self.settings.dispatcher_sweep_s, stop_after=1):
                        pass
                except (redis.RedisError, psycopg.Error, DBAPIError) as error:
                    failures += 1
                    log.warning("dispatch failed (%s); retrying", str(error).strip().splitlines()[0])
                    if isinstance(error, psycopg.Error | DBAPIError) and listener is not None:
                        listener.close()  # it may be the connection that broke: LISTEN again on a fresh one
                        listener = None
                    self.stop_event.wait(min(2**failures, 30))
                except Exception:  # a bug must not become a crash loop that stops all publishing
                    failures += 1
                    log.exception("dispatch failed unexpectedly; retrying")
                    self.stop_event.wait(min(2**failures, 30))
        finally:
            if listener is not None:
                listener.close()
            log.info("dispatcher stopped")

    def _listen(self, *, again: bool) -> psycopg.Connection[Any]:
        listener = psycopg.connect(self.settings.psycopg_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        listener.execute(f"LISTEN {PENDING_CHANNEL}")
        if again:
            log.info("dispatcher listening again on %s", PENDING_CHANNEL)
        else:
            log.info("dispatcher started: listening on %s", PENDING_CHANNEL)
        return listener

    def stop(self) -> None:
        """Ask :meth:`run` to return (within a second)."""
        self.stop_event.set()
