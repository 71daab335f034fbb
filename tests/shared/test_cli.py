"""The ``partsiq`` command against real services."""

from __future__ import annotations

import json
import subprocess
import sys

from partsiq.credentials import Keyring
from tests.support.processes import settings_env


def partsiq(settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partsiq", *args],
        env=settings_env(settings, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_enqueue_with_wait_prints_the_result_when_the_job_is_done(settings, organization, worker_process):
    worker_process().wait_started()

    result = partsiq(
        settings, "jobs", "enqueue", "canary", "--org", organization, "--data", '{"note": "cli"}', "--wait"
    )

    assert result.returncode == 0, result.stderr
    job_id, _, body = result.stdout.partition("\n")
    assert json.loads(body)["note"] == "cli"
    listed = partsiq(settings, "jobs", "list", "--status", "COMPLETED")
    assert job_id in listed.stdout and "attempts=1" in listed.stdout
    shown = json.loads(partsiq(settings, "jobs", "show", job_id).stdout)
    assert (shown["status"], shown["attempts"], shown["progress"]) == ("COMPLETED", 1, 100)


def test_enqueue_refuses_invalid_data_with_one_line(settings):
    result = partsiq(settings, "jobs", "enqueue", "canary", "--org", "org_x", "--data", '{"failTimes": "x"}')

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "partsiq: invalid canary payload: failTimes: Input should be a valid integer, unable to parse string as an "
        "integer"
    )


def test_new_key_prints_an_entry_the_keyring_accepts(settings):
    result = partsiq(settings, "credentials", "new-key", "--key-id", "k7")

    keyring = Keyring.parse(result.stdout.strip())
    assert keyring.keys[0][0] == "k7"


def test_invalid_settings_are_reported_without_a_traceback(settings):
    result = partsiq(settings, "jobs", "list", REDIS_URL="https://eu1-example.upstash.io")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "REDIS_URL" in result.stderr and "Upstash's REST URL" in result.stderr


def test_show_says_where_the_job_s_message_is(settings, organization):
    job_id = partsiq(settings, "jobs", "enqueue", "canary", "--org", organization).stdout.strip()

    shown = json.loads(partsiq(settings, "jobs", "show", job_id).stdout)

    assert (shown["status"], shown["message"]) == ("QUEUED", "ready")


def test_retry_runs_a_failed_job_again_once_its_cause_is_fixed(settings, database, worker_process):
    from partsiq.db.models import JobStatus, Organization
    from tests.support.jobs import wait_for_status

    worker_process().wait_started()
    failed = partsiq(settings, "jobs", "enqueue", "canary", "--org", "org_later", "--wait")
    job_id = failed.stdout.splitlines()[0]
    assert failed.returncode == 1
    assert json.loads(partsiq(settings, "jobs", "show", job_id).stdout)["message"] == "dead letter"
    with database.session() as session:
        session.add(Organization(id="org_later", name="Created after the job failed"))

    result = partsiq(settings, "jobs", "retry", job_id)
    row = wait_for_status(database, job_id, JobStatus.COMPLETED, timeout=60)

    assert result.stdout.strip() == f"job {job_id} queued again"
    assert (row.attempts, row.error) == (1, None)
    assert json.loads(partsiq(settings, "jobs", "show", job_id).stdout)["message"] == "not in Redis"


def test_retry_refuses_a_job_that_has_not_failed(settings, organization):
    job_id = partsiq(settings, "jobs", "enqueue", "canary", "--org", organization).stdout.strip()

    result = partsiq(settings, "jobs", "retry", job_id)

    assert result.returncode == 1
    assert f"job {job_id} is QUEUED; only FAILED jobs are retried" in result.stderr


def test_queues_shows_backlog_rows_and_workers(settings, organization, worker_process):
    for _ in range(3):
        partsiq(settings, "jobs", "enqueue", "canary", "--org", organization, "--data", '{"sleepSeconds": 30}')

    before = partsiq(settings, "queues")
    worker_process().wait_started()
    after = partsiq(settings, "queues")

    platform = next(line for line in before.stdout.splitlines() if line.startswith("platform"))
    assert platform.split()[:5] == ["platform", "3", "0", "0", "0"]
    assert "QUEUED=3" in platform
    alive = [
        int(line.rsplit(" ", 1)[1])
        for out in (before, after)
        for line in out.stdout.splitlines()
        if line.startswith("workers alive")
    ]
    assert alive[1] == alive[0] + 1
