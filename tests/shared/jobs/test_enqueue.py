"""Enqueue from Python: validated, recorded, published, idempotent."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from partsiq import runtime
from partsiq.db.models import JobStatus
from partsiq.errors import PayloadInvalid, UnknownJobType
from partsiq.jobs import enqueue
from partsiq.settings import Settings
from tests.support.jobs import job_row, rows


@pytest.fixture
def producer(settings: Settings):
    rt = runtime.start(settings)
    yield rt
    rt.close()


def test_enqueue_records_a_queued_row_and_publishes_its_message(producer, database, settings):
    job_id = enqueue("canary", "org_a", {"note": "x"})

    row = job_row(database, job_id)
    assert (row.status, row.queue_name, row.job_type, row.organization_id) == (
        JobStatus.QUEUED,
        "platform",
        "canary",
        "org_a",
    )
    assert producer.broker.client.llen(f"{settings.redis_namespace}:platform") == 1


def test_enqueue_with_the_same_job_id_twice_makes_one_job_and_one_message(producer, database, settings):
    first = enqueue("canary", "org_a", {}, job_id="job-1")
    second = enqueue("canary", "org_a", {}, job_id="job-1")

    assert first == second == "job-1"
    assert len(rows(database)) == 1
    assert producer.broker.client.llen(f"{settings.redis_namespace}:platform") == 1


def test_enqueue_with_the_same_idempotency_key_returns_the_first_job(producer, database):
    first = enqueue("canary", "org_a", {}, idempotency_key="sync:org_a:2026-12-04T10:05")
    second = enqueue("canary", "org_a", {}, idempotency_key="sync:org_a:2026-12-04T10:05")

    assert first == second
    assert len(rows(database)) == 1


def test_enqueue_refuses_an_invalid_payload_and_records_nothing(producer, database):
    with pytest.raises(PayloadInvalid, match="sleepSeconds: Input should be greater than or equal to 0"):
        enqueue("canary", "org_a", {"sleepSeconds": -1})

    assert rows(database) == []


def test_enqueue_refuses_an_unknown_job_type_naming_the_known_ones(producer):
    with pytest.raises(UnknownJobType, match="known: canary, email-sync, quote-extraction, retention, search"):
        enqueue("serach", "org_a", {})


def test_enqueue_keeps_the_job_pending_when_redis_is_unreachable(settings, database):
    rt = runtime.start(settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:1/0")}))

    job_id = enqueue("canary", "org_a", {})
    rt.close()

    assert job_row(database, job_id).status is JobStatus.PENDING
