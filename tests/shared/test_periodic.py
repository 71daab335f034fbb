"""Periodic ticks are cheap fan-outs, idempotent per time slot; retention deletes only what is old."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import psycopg

from partsiq.db.models import JobStatus
from partsiq.retention import drop_old_dead_letters
from tests.support.jobs import rows, wait_for_status
from tests.support.waiting import wait_for


def test_a_periodic_actor_ticked_twice_in_one_slot_runs_once(broker, worker, database):
    tick = broker.get_actor("retention_tick")
    slot = datetime.now(UTC).replace(microsecond=0).isoformat()

    tick.send_with_options(scheduled_at=slot)
    tick.send_with_options(scheduled_at=slot)
    broker.join("platform", timeout=30_000)
    worker.join()

    jobs = rows(database, job_type="retention")
    assert len(jobs) == 1
    row = wait_for_status(database, jobs[0].job_id)
    assert row.status is JobStatus.COMPLETED
    assert row.idempotency_key == f"retention:{datetime.fromisoformat(slot).replace(second=0).isoformat()}"


def test_retention_deletes_only_rows_past_their_retention(settings, database, broker, worker):
    now = datetime.now(UTC)
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        for job_id, status, finished in [
            ("old-done", "COMPLETED", now - timedelta(days=31)),
            ("new-done", "COMPLETED", now - timedelta(days=29)),
            ("old-failed", "FAILED", now - timedelta(days=91)),
            ("new-failed", "FAILED", now - timedelta(days=89)),
            ("old-queued", "QUEUED", None),
        ]:
            conn.execute(
                'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", '
                "\"completedAt\", \"failedAt\", \"createdAt\") VALUES (%s, %s, 'platform', 'canary', %s, 'o', %s, %s, "
                "now() - interval '200 days')",
                (
                    job_id,
                    job_id,
                    status,
                    finished if status == "COMPLETED" else None,
                    finished if status == "FAILED" else None,
                ),
            )
    tick = broker.get_actor("retention_tick")

    tick.send()
    retention = wait_for(lambda: rows(database, job_type="retention"), what="the retention job")
    done = wait_for_status(database, retention[0].job_id)

    assert done.status is JobStatus.COMPLETED
    assert done.result["rowsDeleted"] == 2
    assert {r.job_id for r in rows(database) if r.job_type == "canary"} == {"new-done", "new-failed", "old-queued"}


def test_retention_drops_only_old_dead_letters(settings, broker):
    key = f"{settings.redis_namespace}:platform.XQ"
    now_ms = int(time.time() * 1000)
    broker.client.zadd(key, {"old": now_ms - 8 * 86_400_000, "new": now_ms - 6 * 86_400_000})
    broker.client.hset(f"{key}.msgs", mapping={"old": json.dumps({}), "new": json.dumps({})})

    dropped = drop_old_dead_letters(broker.client, settings)

    assert dropped == 1
    assert broker.client.zrange(key, 0, -1) == [b"new"]
    assert broker.client.hkeys(f"{key}.msgs") == [b"new"]


def test_the_scheduler_lists_its_periodic_actors_and_stops_on_sigterm(settings):
    import signal
    import subprocess
    import sys

    from tests.support.processes import settings_env

    proc = subprocess.Popen(
        [sys.executable, "-m", "partsiq", "scheduler"],
        env=settings_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    for line in proc.stdout:
        output.append(line)
        if "periodic retention_tick" in line:
            break
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)

    assert proc.returncode == 0, "".join(output) + rest
    assert "periodic retention_tick: 17 * * * *" in "".join(output)
    assert "scheduler stopping" in rest
