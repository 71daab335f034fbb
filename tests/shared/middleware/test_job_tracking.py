"""The job lifecycle on real Redis and PostgreSQL, through the production middleware."""

from __future__ import annotations

import dramatiq
from dramatiq import Message

from partsiq.db.models import JobStatus
from partsiq.jobs import enqueue
from partsiq.settings import Settings
from tests.support.jobs import job_row, rows, wait_for_status
from tests.support.waiting import wait_for


def publish_raw(broker: dramatiq.Broker, data: object, job_id: str | None = None) -> Message[object]:
    """Publish a canary message directly, as a buggy or foreign producer might."""
    options = {"job_id": job_id} if job_id else {}
    message: Message[object] = Message(
        queue_name="platform", actor_name="canary", args=(data,), kwargs={}, options=options
    )
    return broker.enqueue(message)


def test_an_enqueued_job_waits_as_queued_until_a_worker_takes_it(broker, database, organization):
    job_id = enqueue("canary", organization, {})

    row = job_row(database, job_id)
    assert row.status is JobStatus.QUEUED
    assert row.attempts == 0
    assert row.data == {"organizationId": organization, "sleepSeconds": 0.0, "failTimes": 0}


def test_a_running_job_is_active_with_its_attempt_start_and_lease(broker, worker, database, organization):
    job_id = enqueue("canary", organization, {"sleepSeconds": 1.5})

    row = wait_for_status(database, job_id, JobStatus.ACTIVE)

    assert row.attempts == 1
    assert row.started_at is not None
    assert row.worker_id and row.lease_id and row.lease_expires_at
    assert row.progress == 10 and row.progress_message == "canary started"


def test_a_finished_job_is_completed_with_its_result_and_lease_released(broker, worker, database, organization):
    job_id = enqueue("canary", organization, {"note": "hello"})

    row = wait_for_status(database, job_id)

    assert row.status is JobStatus.COMPLETED
    assert row.attempts == 1
    assert row.result["note"] == "hello" and row.result["attempt"] == 1
    assert row.completed_at is not None and row.failed_at is None
    assert row.progress == 100
    assert row.lease_id is None and row.lease_expires_at is None
    assert row.worker_id, "the row keeps which worker ran it"


def test_a_failed_attempt_is_retrying_with_its_error_kept(broker, worker, database, organization):
    job_id = enqueue("canary", organization, {"failTimes": 1, "sleepSeconds": 0})

    row = wait_for_status(database, job_id, JobStatus.RETRYING, JobStatus.COMPLETED)
    final = wait_for_status(database, job_id)

    assert row.status is JobStatus.RETRYING
    assert "rehearsed failure 1 of 1" in row.error
    assert final.status is JobStatus.COMPLETED and final.attempts == 2


def test_a_job_failing_twice_then_succeeding_completes_on_its_third_attempt(broker, worker, database, organization):
    job_id = enqueue("canary", organization, {"failTimes": 2})

    row = wait_for_status(database, job_id, timeout=60)

    assert row.status is JobStatus.COMPLETED
    assert row.attempts == 3


def test_a_job_that_always_fails_is_failed_after_three_attempts_and_dead_lettered(
    broker, worker, database, organization, settings: Settings
):
    job_id = enqueue("canary", organization, {"failTimes": 9})

    row = wait_for_status(database, job_id, timeout=60)

    assert row.status is JobStatus.FAILED
    assert row.attempts == 3
    assert row.error == "CanaryFailure: rehearsed failure 3 of 9"
    assert row.failed_at is not None
    dead = wait_for(lambda: broker.client.zcard(f"{settings.redis_namespace}:platform.XQ"), what="dead letter")
    assert dead == 1


def test_a_job_for_an_unknown_organization_fails_at_once(broker, worker, database):
    job_id = enqueue("canary", "org_missing", {})

    row = wait_for_status(database, job_id)

    assert row.status is JobStatus.FAILED
    assert row.attempts == 1
    assert row.error == "UnknownOrganization: organization 'org_missing' does not exist"


def test_a_message_with_an_invalid_payload_fails_at_once_with_the_reason(broker, worker, database, organization):
    publish_raw(broker, {"organizationId": organization, "failTimes": "many"}, job_id="bad-payload")

    row = wait_for_status(database, "bad-payload")

    assert row.status is JobStatus.FAILED
    assert row.attempts == 1
    assert "failTimes: Input should be a valid integer" in row.error


def test_a_duplicate_message_for_a_completed_job_is_skipped(broker, worker, database, organization):
    job_id = enqueue("canary", organization, {})
    first = wait_for_status(database, job_id)

    publish_raw(broker, first.data, job_id=job_id)
    broker.join("platform", timeout=10_000)
    worker.join()

    after = job_row(database, job_id)
    assert after.status is JobStatus.COMPLETED
    assert after.attempts == 1
    assert after.completed_at == first.completed_at
    assert len(rows(database)) == 1


def test_a_message_for_a_job_held_by_a_live_lease_waits_instead_of_running_twice(
    broker, worker, database, organization
):
    job_id = enqueue("canary", organization, {"sleepSeconds": 3})
    wait_for_status(database, job_id, JobStatus.ACTIVE)

    publish_raw(broker, job_row(database, job_id).data, job_id=job_id)
    final = wait_for_status(database, job_id, timeout=30)

    assert final.status is JobStatus.COMPLETED
    assert final.attempts == 1


def test_a_message_published_without_a_row_gets_exactly_one(broker, worker, database, organization):
    publish_raw(broker, {"organizationId": organization}, job_id="foreign-1")

    row = wait_for_status(database, "foreign-1")

    assert row.status is JobStatus.COMPLETED
    assert row.job_type == "canary" and row.queue_name == "platform"
    assert len(rows(database)) == 1


def test_progress_is_stored_on_the_row_and_logged(broker, database, organization, caplog):
    from partsiq.jobs import JobContext
    from partsiq.jobs.store import ClaimRequest, JobStore
    from partsiq.queues import job_type

    store = JobStore(database.autocommit_engine)
    job_id = enqueue("canary", organization, {})
    store.claim_many(
        [ClaimRequest(job_id, "platform", "canary", organization, {}, "lease-1")], worker_id="test", lease_s=30
    )
    context = JobContext(
        job_id=job_id,
        job_type=job_type("canary"),
        organization_id=organization,
        attempt=1,
        progress_sink=lambda p, m: store.progress(job_id=job_id, lease_id="lease-1", progress=p, message=m),
    )

    with caplog.at_level("INFO", logger="partsiq.jobs"):
        context.progress(50, "searching catalog")

    row = job_row(database, job_id)
    assert (row.progress, row.progress_message) == (50, "searching catalog")
    assert f"[Canary] Job {job_id} progress: 50% (searching catalog)" in caplog.text


def test_an_error_is_stored_without_the_secrets_it_quotes(broker, database, organization):
    from types import SimpleNamespace

    from partsiq.jobs.store import JobStore
    from partsiq.middleware import JobTracking
    from partsiq.queues import job_type

    tracking = JobTracking(JobStore(database.autocommit_engine), lambda _: job_type("canary"), lease_s=30)
    job_id = enqueue("canary", organization, {})
    message = SimpleNamespace(
        message_id="m1",
        actor_name="canary",
        options={"job_id": job_id},
        args=({"organizationId": organization},),
        failed=True,
    )
    tracking.before_process_message(broker, message)

    tracking.after_process_message(
        broker, message, exception=ConnectionError("cannot reach postgresql://app:hunter2@db/x (token=abc123)")
    )

    row = job_row(database, job_id)
    assert row.status is JobStatus.FAILED
    assert row.error == "ConnectionError: cannot reach postgresql://app:***@db/x (token=***)"


def test_a_job_whose_claim_cannot_be_written_is_put_back_not_run(broker, settings):
    import pytest
    from dramatiq.broker import MessageProxy
    from dramatiq.middleware import SkipMessage
    from sqlalchemy import create_engine

    from partsiq.jobs.store import JobStore
    from partsiq.middleware import JobTracking
    from partsiq.queues import job_type

    unreachable = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/partsiq", isolation_level="AUTOCOMMIT")
    tracking = JobTracking(JobStore(unreachable), lambda _: job_type("canary"), lease_s=30)
    message = MessageProxy(
        Message(
            queue_name="platform",
            actor_name="canary",
            args=({"organizationId": "o"},),
            kwargs={},
            options={"job_id": "j1"},
        )
    )

    with pytest.raises(SkipMessage):
        tracking.before_process_message(broker, message)

    delayed = broker.client.hgetall(f"{settings.redis_namespace}:platform.DQ.msgs")
    assert len(delayed) == 1 and b'"job_id":"j1"' in next(iter(delayed.values()))
