"""The dispatcher: rows the web app writes get published; jobs Redis lost get recovered."""

from __future__ import annotations

import json
import re
import signal
import threading

import psycopg
import pytest

from partsiq.db.models import JobStatus
from partsiq.dispatcher import PENDING_CHANNEL, Dispatcher
from partsiq.jobs import enqueue
from partsiq.probes import deadline_liveness
from tests.support.jobs import job_row, rows, wait_for_status
from tests.support.metrics import get, metrics_port, scrape
from tests.support.waiting import wait_for
from tests.support.workers import running_worker


def insert_as_prisma(settings, job_id: str, job_type: str, organization: str, data: object) -> None:
    """What the web app's ``prisma.jobQueue.create`` sends."""
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        conn.execute(
            'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", data, attempts, '
            '"updatedAt") VALUES (%s, %s, %s, %s, %s, %s, %s, 0, now())',
            (f"c{job_id}", job_id, "platform", job_type, "PENDING", organization, json.dumps(data)),
        )


@pytest.fixture
def dispatcher(settings, broker, database):
    fast = settings.model_copy(update={"dispatcher_grace_s": 0, "dispatcher_sweep_s": 0.2})
    return Dispatcher(fast, database.engine, broker)


@pytest.fixture
def running_dispatcher(dispatcher):
    thread = threading.Thread(target=dispatcher.run, daemon=True)
    thread.start()
    yield dispatcher
    dispatcher.stop()
    thread.join(timeout=10)


def test_a_row_inserted_as_prisma_would_is_published_and_completed(
    settings, database, organization, worker, running_dispatcher
):
    insert_as_prisma(settings, "web-1", "canary", organization, {"note": "from the web app"})

    row = wait_for_status(database, "web-1")

    assert (row.status, row.attempts) == (JobStatus.COMPLETED, 1)
    assert row.result["note"] == "from the web app"


def test_two_dispatchers_racing_on_500_rows_publish_each_exactly_once(settings, database, broker, dispatcher):
    for n in range(500):
        insert_as_prisma(settings, f"race-{n:03d}", "canary", "org_x", {})
    other = Dispatcher(dispatcher.settings, database.engine, broker)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda d=d: counts.append(d.publish_pending())) for d in (dispatcher, other)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(counts) == 500
    published = broker.client.hvals(f"{settings.redis_namespace}:platform.msgs")
    job_ids = [json.loads(raw)["options"]["job_id"] for raw in published]
    assert len(job_ids) == 500 and len(set(job_ids)) == 500
    assert {row.status for row in rows(database)} == {JobStatus.QUEUED}


def test_a_row_the_dispatcher_cannot_run_is_failed_with_the_reason(settings, database, dispatcher):
    insert_as_prisma(settings, "bad-type", "serach", "org_x", {})
    insert_as_prisma(settings, "bad-data", "canary", "org_x", {"failTimes": "lots"})
    insert_as_prisma(settings, "bad-shape", "canary", "org_x", [1, 2])
    insert_as_prisma(settings, "good", "canary", "org_x", {})

    dispatcher.publish_pending()

    assert job_row(database, "bad-type").status is JobStatus.FAILED
    assert "unknown job type 'serach'" in job_row(database, "bad-type").error
    assert "failTimes: Input should be a valid integer" in job_row(database, "bad-data").error
    assert job_row(database, "bad-shape").error == "PayloadInvalid: data must be a JSON object, not list"
    assert job_row(database, "good").status is JobStatus.QUEUED


def test_every_transition_of_a_job_is_notified(settings, database, organization, broker, worker):
    listener = psycopg.connect(settings.psycopg_url, autocommit=True)
    listener.execute("LISTEN partsiq_job_events")

    job_id = enqueue("canary", organization, {"failTimes": 1})
    wait_for_status(database, job_id)
    events = [json.loads(n.payload) for n in listener.notifies(timeout=2)]
    listener.close()

    mine = [e for e in events if e["jobId"] == job_id]
    statuses = [e["status"] for e in mine]
    assert _dedupe(statuses) == ["QUEUED", "ACTIVE", "RETRYING", "ACTIVE", "COMPLETED"]
    assert {"organizationId": organization, "progress": 10, "progressMessage": "canary started"}.items() <= next(
        e for e in mine if e["progress"] == 10
    ).items()
    assert mine[-1]["progress"] == 100


def _dedupe(items: list[str]) -> list[str]:
    return [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]


def test_after_redis_loses_everything_200_queued_jobs_complete_exactly_once(
    settings, database, organization, broker, dispatcher
):
    ids = [enqueue("canary", organization, {}) for _ in range(200)]
    broker.client.flushall()

    recovered = dispatcher.recover()
    assert dispatcher.recover() == 0, "a message present in Redis is not published again"
    with running_worker(broker, threads=4):
        done = wait_for(
            lambda: (r := rows(database)) and all(x.status is JobStatus.COMPLETED for x in r) and r,
            timeout=120,
            interval=0.5,
            what="200 completed jobs",
        )

    assert recovered == 200
    assert sorted(r.job_id for r in done) == sorted(ids)
    assert all(r.attempts == 1 for r in done)


def test_a_running_job_whose_worker_and_message_vanished_runs_again(
    settings, database, organization, broker, dispatcher
):
    job_id = enqueue("canary", organization, {})
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:  # a worker claimed it, then died
        conn.execute(
            "UPDATE \"JobQueue\" SET status = 'ACTIVE', attempts = 1, \"leaseId\" = 'dead', "
            '"leaseExpiresAt" = now() - interval \'1 minute\' WHERE "jobId" = %s',
            (job_id,),
        )
    broker.flush_all()

    assert dispatcher.recover() == 1
    with running_worker(broker):
        row = wait_for_status(database, job_id, JobStatus.COMPLETED)
    assert row.attempts == 2


def test_a_lost_job_of_a_job_type_that_no_longer_exists_is_failed_not_republished(settings, database, dispatcher):
    insert_as_prisma(settings, "legacy", "canary", "org_x", {})
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        conn.execute("""UPDATE "JobQueue" SET status = 'QUEUED', "jobType" = 'retired-type' WHERE "jobId" = 'legacy'""")

    assert dispatcher.recover() == 0

    row = job_row(database, "legacy")
    assert row.status is JobStatus.FAILED
    assert "unknown job type 'retired-type'" in row.error


def test_the_dispatcher_process_reports_what_it_did_and_its_health_and_exits_0_on_sigterm(
    settings, database, partsiq_process
):
    dispatcher = partsiq_process("dispatcher").wait_for_log("dispatcher started")
    port = metrics_port(dispatcher)
    insert_as_prisma(settings, "web-ok", "canary", "org_x", {})
    insert_as_prisma(settings, "web-bad", "serach", "org_x", {})
    wait_for(lambda: 'action="refused"} 1.0' in get(port, "/metrics")[1], what="the bad row counted")

    body = scrape(dispatcher)
    live, ready = get(port, "/healthz"), get(port, "/readyz")

    assert (job_row(database, "web-ok").status, job_row(database, "web-bad").status) == (
        JobStatus.QUEUED,
        JobStatus.FAILED,
    )
    assert 'partsiq_dispatcher_jobs_total{action="published"} 1.0' in body
    assert re.search(r"^partsiq_dispatcher_last_pass_timestamp_seconds 1\.\d+e\+09$", body, re.M)
    assert "partsiq_queue_messages" not in body, "backlogs are the workers' to report"
    assert live[0] == 200 and "next dispatch loop turn due within" in live[1]
    assert ready == (200, "ok: redis and postgres reachable\n")
    dispatcher.signal(signal.SIGTERM)
    assert dispatcher.wait() == 0, dispatcher.log


def test_a_dispatch_loop_that_stops_turning_is_reported_dead_until_it_turns_again(dispatcher):
    live = deadline_liveness("dispatch loop turn", lambda: dispatcher.deadline)
    dispatcher.last_turn -= 1_000  # a loop stuck for a quarter of an hour
    stuck = live()

    dispatcher.publish_pending()
    alive, _ = live()

    assert stuck[0] is False and stuck[1].startswith("dispatch loop turn overdue by 8")
    assert alive


def listeners(settings) -> list[int]:
    """Backend pids of the connections LISTENing for pending rows on the test database."""
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        return [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
                (f"LISTEN {PENDING_CHANNEL}",),
            )
        ]


def test_a_dispatcher_whose_listen_connection_dies_listens_again_and_keeps_publishing(
    settings, database, running_dispatcher
):
    (first,) = wait_for(lambda: listeners(settings), what="the LISTEN connection")
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (first,))

    (second,) = wait_for(lambda: [pid for pid in listeners(settings) if pid != first], what="a new LISTEN connection")
    insert_as_prisma(settings, "after-reconnect", "canary", "org_x", {})

    assert second != first
    assert wait_for_status(database, "after-reconnect", JobStatus.QUEUED).status is JobStatus.QUEUED
