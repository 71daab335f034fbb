"""``@job``: payload validation and results, as pure actor logic on the stub broker."""

from __future__ import annotations

import pytest
from dramatiq import Worker

from partsiq.errors import NON_RETRYABLE, PayloadInvalid
from partsiq.jobs import JobContext, job, validate_payload
from partsiq.payloads import CanaryPayload
from partsiq.queues import job_type


def test_validation_names_every_bad_field():
    with pytest.raises(PayloadInvalid) as error:
        validate_payload(job_type("search"), {"organizationId": "o", "query": "", "extra": 1})

    message = str(error.value)
    assert "conversationId: Field required" in message
    assert "query: String should have at least 1 character" in message
    assert "extra: Extra inputs are not permitted" in message


def test_a_job_actor_takes_its_queue_limits_and_retries_from_the_table(stub_broker):
    @job("canary", broker=stub_broker)
    def canary(context: JobContext, payload: CanaryPayload) -> dict:
        return {"attempt": context.attempt}

    assert canary.queue_name == "platform"
    assert canary.actor_name == "canary"
    assert canary.options["max_retries"] == 2
    assert canary.options["time_limit"] == job_type("canary").time_limit_s * 1000
    assert canary.options["throws"] == NON_RETRYABLE


def test_a_job_actor_runs_with_a_validated_payload_and_keeps_its_result(stub_broker):
    seen = []

    @job("canary", broker=stub_broker)
    def canary(context: JobContext, payload: CanaryPayload) -> dict:
        seen.append((context.organization_id, payload.note, context.attempt))
        return {"ok": True}

    canary.send({"organizationId": "org_1", "note": "hi"})
    worker = Worker(stub_broker, worker_timeout=100)
    worker.start()
    stub_broker.join("platform")
    worker.join()
    worker.stop()

    assert seen == [("org_1", "hi", 1)]


def test_a_job_actor_refuses_a_bad_payload_without_running(stub_broker):
    ran = []

    @job("canary", broker=stub_broker)
    def canary(context: JobContext, payload: CanaryPayload) -> None:
        ran.append(payload)

    canary.send({"organizationId": "org_1", "failTimes": -3})
    worker = Worker(stub_broker, worker_timeout=100)
    worker.start()
    with pytest.raises(PayloadInvalid, match="failTimes"):
        stub_broker.join("platform", fail_fast=True)
    worker.stop()

    assert ran == []
