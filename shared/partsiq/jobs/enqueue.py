"""Enqueue from Python: write the job's row, then publish its message."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
import redis
from dramatiq import Message

from partsiq.db.models import JobStatus
from partsiq.errors import PayloadInvalid
from partsiq.ids import new_id
from partsiq.jobs.actor import validate_payload
from partsiq.queues import JobType, job_type

log = logging.getLogger("partsiq.jobs")


def publish(
    broker: dramatiq.Broker, jt: JobType, job_id: str, data: dict[str, Any], *, delay_ms: int | None = None
) -> None:
    """Put the message of an already recorded job on its queue (the row is not touched)."""
    message: Message[Any] = Message(
        queue_name=jt.queue, actor_name=jt.actor, args=(data,), kwargs={}, options={"job_id": job_id}
    )
    broker.enqueue(message, delay=delay_ms)


def enqueue(
    job_type_name: str,
    organization_id: str,
    payload: dict[str, Any],
    *,
    job_id: str | None = None,
    idempotency_key: str | None = None,
    delay_ms: int | None = None,
) -> str:
    """Validate ``payload``, record the job (QUEUED) and publish it; returns the job id.

    Idempotent: a ``job_id`` or ``idempotency_key`` already recorded returns that job's
    id and publishes nothing. If Redis is unreachable the row is kept as PENDING, so
    the dispatcher publishes it once Redis is back, and the id is still returned.
    """
    from partsiq import runtime

    jt = job_type(job_type_name)
    data = {"organizationId": organization_id, **payload}
    if data["organizationId"] != organization_id:
        raise PayloadInvalid("payload organizationId differs from the job's organization")
    validated = validate_payload(jt, data).model_dump(mode="json", exclude_none=True)
    rt = runtime.current()
    job_id, created = rt.store.insert(
        job_id=job_id or new_id(),
        queue=jt.queue,
        job_type=jt.name,
        organization_id=organization_id,
        data=validated,
        idempotency_key=idempotency_key,
    )
    if not created:
        log.info("job %s already enqueued: nothing published", job_id)
        return job_id
    try:
        publish(rt.broker, jt, job_id, validated, delay_ms=delay_ms)
    except redis.RedisError as error:
        rt.store.set_status(job_id, JobStatus.PENDING, from_status=JobStatus.QUEUED)
        log.warning("job %s kept PENDING, Redis unreachable (%s): the dispatcher will publish it", job_id, error)
    return job_id
