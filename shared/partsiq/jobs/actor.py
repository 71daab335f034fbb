"""``@job(name)``: declare the Dramatiq actor of a job type from the queue table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import dramatiq
from pydantic import ValidationError

from partsiq.errors import NON_RETRYABLE, PayloadInvalid, UnknownOrganization
from partsiq.jobs.context import JobContext, current_job, set_current_job
from partsiq.payloads import Payload, organization_of
from partsiq.queues import JobType, job_type

P = TypeVar("P", bound=Payload)

#: An actor body: the running job's context and its validated payload, returning a JSON result.
JobFunction = Callable[[JobContext, P], Any]


def validate_payload(jt: JobType, data: Any) -> Payload:
    """Parse ``data`` with the job type's schema; a mismatch is :class:`PayloadInvalid`."""
    try:
        return jt.payload.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in error.errors())
        raise PayloadInvalid(f"invalid {jt.name} payload: {problems}") from None


def job(name: str, *, broker: dramatiq.Broker | None = None) -> Callable[[JobFunction[Any]], dramatiq.Actor[Any, Any]]:
    """Declare ``fn`` as the actor of job type ``name``: queue, time limit and retries from the table.

    The actor receives the job's JSON payload as its only argument; the wrapper validates it,
    refuses unknown organisations (non-retryable) and stores the return value as the result.
    """
    jt = job_type(name)

    def decorate(fn: JobFunction[Any]) -> dramatiq.Actor[Any, Any]:
        def run(data: Any) -> None:
            context = current_job()
            token = None
            if context is None:  # no tracking middleware (unit tests on the stub broker)
                from dramatiq.middleware import CurrentMessage

                message = CurrentMessage.get_current_message()
                context = JobContext(
                    job_id=message.options.get("job_id", message.message_id) if message else "local",
                    job_type=jt,
                    organization_id=organization_of(data),
                    attempt=(message.options.get("retries", 0) + 1) if message else 1,
                )
                token = set_current_job(context)
            try:
                payload = validate_payload(jt, data)
                if jt.organization_scoped and not context.organization_exists:
                    raise UnknownOrganization(f"organization {payload.organizationId!r} does not exist")
                context.result = fn(context, payload)
            finally:
                if token is not None:
                    set_current_job(None)

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        declare = dramatiq.actor(
            actor_name=jt.actor,
            queue_name=jt.queue,
            broker=broker,
            max_retries=jt.retry.max_attempts - 1,
            min_backoff=jt.retry.min_backoff_ms,
            max_backoff=jt.retry.max_backoff_ms,
            time_limit=jt.time_limit_s * 1000,
            throws=NON_RETRYABLE,
        )
        return declare(run)

    return decorate
