"""One JobQueue row per job, moved through its lifecycle as the worker runs it."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware, SkipMessage

from partsiq.db.models import FINAL_STATUSES, JobStatus
from partsiq.jobs.context import JobContext, set_current_job
from partsiq.jobs.group_commit import GroupCommit
from partsiq.jobs.store import Claim, ClaimRequest, FinishRequest, JobStore, StoreUnavailable
from partsiq.lease import Heartbeat, process_id
from partsiq.logging import redact
from partsiq.metrics import SKIPS
from partsiq.payloads import organization_of
from partsiq.queues import JobType

log = logging.getLogger("partsiq.jobs")

#: Pauses between attempts to record an attempt's end while PostgreSQL is unreachable.
FINISH_RETRY_DELAYS_S = (1, 2, 4, 8)
#: How long a job waits when its claim could not be written.
CLAIM_RETRY_DELAY_MS = 5_000


@dataclass
class _Attempt:
    context: JobContext
    lease_id: str


class JobTracking(Middleware):
    """Claims each job's row before it runs and records how the attempt ended.

    - claim: ACTIVE, ``attempts + 1``, ``startedAt``, a lease renewed by the heartbeat;
      a message with no row gets one (created ACTIVE).
    - a message for a COMPLETED or FAILED job is acknowledged and skipped;
    - one for a job ACTIVE under a live lease is deferred until the lease ends (it is
      never run twice at once, and never dropped in case that worker dies);
    - the end of an attempt: COMPLETED with the result, RETRYING with the error, or
      FAILED with the error when Retries gave up or the error is non-retryable.

    Must sit *before* Retries in the middleware list, so that its after-hook runs
    after Retries has decided whether the message failed for good.

    Parameters
    ----------
      store: the JobQueue writes.
      job_types: resolves an actor name to its job type (None: an untracked actor).
      lease_s: how long an attempt's lease lasts without renewal.
      beat: extra work for each heartbeat (the broker's heartbeat in Redis).
    """

    def __init__(
        self,
        store: JobStore,
        job_types: Callable[[str], JobType | None],
        *,
        lease_s: float,
        beat: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.job_types = job_types
        self.lease_s = lease_s
        self.beat = beat
        self.heartbeat = Heartbeat(self._renew, interval_s=max(lease_s / 3, 0.5))
        self.claims: GroupCommit[ClaimRequest, Claim | None] = GroupCommit(
            lambda batch: store.claim_many(batch, worker_id=process_id(), lease_s=lease_s), name="partsiq-claims"
        )
        self.finishes: GroupCommit[FinishRequest, bool] = GroupCommit(store.finish_many, name="partsiq-finishes")
        self._attempts: dict[str, _Attempt] = {}
        self._lock = threading.Lock()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.heartbeat.start()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.heartbeat.stop()

    def _renew(self) -> None:
        if self.beat is not None:
            self.beat()
        with self._lock:
            leases = [attempt.lease_id for attempt in self._attempts.values()]
        self.store.renew(leases, self.lease_s)

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        jt = self.job_types(message.actor_name)
        if jt is None:
            return
        job_id = message.options.get("job_id") or message.message_id
        data = message.args[0] if message.args else None
        org = organization_of(data)
        lease_id = uuid.uuid4().hex
        try:
            claim = self.claims.submit(ClaimRequest(job_id, jt.queue, jt.name, org, data, lease_id))
        except StoreUnavailable as error:
            # Never run a job we could not record: put it back for later.
            log.warning(
                "[%s] Job %s deferred %d s: database unavailable (%s)",
                jt.display,
                job_id,
                CLAIM_RETRY_DELAY_MS // 1000,
                error,
                extra={"job_id": job_id},
            )
            broker.enqueue(message, delay=CLAIM_RETRY_DELAY_MS)
            raise SkipMessage("database unavailable") from None
        if claim is None:
            self._refuse(broker, message, jt, job_id)
        assert claim is not None
        context = JobContext(
            job_id=job_id,
            job_type=jt,
            organization_id=org,
            attempt=claim.attempt,
            organization_exists=claim.organization_exists,
        )
        context.progress_sink = lambda percent, text: self.store.progress(
            job_id=job_id, lease_id=lease_id, progress=percent, message=text
        )
        with self._lock:
            self._attempts[message.message_id] = _Attempt(context, lease_id)
        set_current_job(context)

    def _refuse(self, broker: dramatiq.Broker, message: Any, jt: JobType, job_id: str) -> None:
        state = self.store.inspect(job_id)
        if state is not None and state.status in FINAL_STATUSES:
            log.info(
                "[%s] Job %s already %s: duplicate message skipped",
                jt.display,
                job_id,
                state.status.value,
                extra={"job_id": job_id},
            )
            SKIPS.labels(jt.queue, jt.name, "finished").inc()
            raise SkipMessage("job already finished")
        wait_s = (state.lease_remaining_s if state else 0) + 1
        log.info(
            "[%s] Job %s is running on another worker: message deferred %.0f s",
            jt.display,
            job_id,
            wait_s,
            extra={"job_id": job_id},
        )
        SKIPS.labels(jt.queue, jt.name, "running_elsewhere").inc()
        broker.enqueue(message, delay=int(wait_s * 1000))
        raise SkipMessage("job held by a live lease")

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        with self._lock:
            attempt = self._attempts.pop(message.message_id, None)
        if attempt is None:
            return
        set_current_job(None)
        context = attempt.context
        if exception is None:
            status, error = JobStatus.COMPLETED, None
        else:
            status = JobStatus.FAILED if message.failed else JobStatus.RETRYING
            error = redact(f"{type(exception).__name__}: {exception}")
        recorded = self._finish_with_retries(
            FinishRequest(
                job_id=context.job_id,
                lease_id=attempt.lease_id,
                status=status,
                result=context.result if status is JobStatus.COMPLETED else None,
                error=error,
            )
        )
        if not recorded:
            log.warning(
                "[%s] Job %s lost its lease before finishing; its %s was not recorded",
                context.job_type.display,
                context.job_id,
                status.value,
                extra={"job_id": context.job_id},
            )

    def _finish_with_retries(self, request: FinishRequest) -> bool:
        """Record the attempt's end, riding out a short database outage.

        The message is acknowledged after this hook whatever happens, so giving up
        early would leave the row ACTIVE until its lease lapses and the job is
        recovered (and run again). Waiting here a little is cheaper.
        """
        for delay in FINISH_RETRY_DELAYS_S:
            try:
                return self.finishes.submit(request)
            except StoreUnavailable as error:
                log.warning("recording job %s failed (%s); retrying in %.0f s", request.job_id, error, delay)
                time.sleep(delay)
        return self.finishes.submit(request)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        with self._lock:
            self._attempts.pop(message.message_id, None)
