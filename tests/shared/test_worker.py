"""``partsiq worker``: graceful shutdown, crash recovery and clear start-up errors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from partsiq import runtime
from partsiq.db.models import JobStatus
from partsiq.jobs import enqueue
from partsiq.settings import Settings
from partsiq.worker import RET_CONNECT, RET_KILLED, RET_OK
from tests.support.jobs import rows, wait_for_status
from tests.support.processes import settings_env
from tests.support.waiting import wait_for


def enqueue_one(settings: Settings, organization: str, payload: dict) -> str:
    producer = runtime.start(settings)
    job_id = enqueue("canary", organization, payload)
    producer.close()
    return job_id


def test_sigterm_lets_the_running_job_finish_and_exits_zero(settings, database, organization, worker_process):
    worker = worker_process().wait_started()
    job_id = enqueue_one(settings, organization, {"sleepSeconds": 3})
    wait_for_status(database, job_id, JobStatus.ACTIVE)

    worker.signal(signal.SIGTERM)
    code = worker.wait(timeout=60)

    assert code == RET_OK
    row = wait_for_status(database, job_id)
    assert (row.status, row.attempts) == (JobStatus.COMPLETED, 1)
    assert "finishing running jobs" in worker.log


def test_a_second_sigterm_stops_at_once_and_the_job_completes_on_another_worker(
    settings, database, organization, worker_process
):
    worker = worker_process().wait_started()
    job_id = enqueue_one(settings, organization, {"sleepSeconds": 20})
    wait_for_status(database, job_id, JobStatus.ACTIVE)

    worker.signal(signal.SIGTERM)
    wait_for(lambda: "finishing running jobs" in worker.log, what="the first signal to be handled")
    worker.signal(signal.SIGTERM)
    code = worker.wait(timeout=30)
    worker_process().wait_started()
    row = wait_for_status(database, job_id, timeout=90)

    assert code == RET_KILLED
    assert (row.status, row.attempts) == (JobStatus.COMPLETED, 2)
    assert len(rows(database)) == 1


def test_a_killed_worker_s_job_is_redelivered_and_completed_once(settings, database, organization, worker_process):
    doomed = worker_process().wait_started()
    job_id = enqueue_one(settings, organization, {"sleepSeconds": 30})
    wait_for_status(database, job_id, JobStatus.ACTIVE)

    doomed.signal(signal.SIGKILL)
    doomed.wait()
    rescuer = worker_process().wait_started()
    enqueue_one(settings, organization, {"note": "keeps the rescuer polling"})
    row = wait_for_status(database, job_id, timeout=120)

    assert (row.status, row.attempts) == (JobStatus.COMPLETED, 2)
    assert len([r for r in rows(database) if r.job_id == job_id]) == 1
    assert rescuer.proc.poll() is None


def test_an_unreachable_redis_is_one_clear_line_and_exit_code_three(settings):
    env = settings_env(settings, REDIS_URL="redis://127.0.0.1:1/0")

    result = subprocess.run(
        [sys.executable, "-m", "partsiq", "worker", "platform"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == RET_CONNECT
    assert result.stderr.strip().splitlines() == [
        "partsiq: cannot reach Redis at redis://127.0.0.1:1/0 (Error 111 connecting to 127.0.0.1:1. "
        "Connection refused.): start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
        "--save '' --appendonly no) or set REDIS_URL"
    ]


def test_an_unreachable_database_names_what_to_start_and_hides_the_password(settings):
    env = settings_env(settings, DATABASE_URL="postgresql://postgres:hunter2@127.0.0.1:1/partsiq")

    result = subprocess.run(
        [sys.executable, "-m", "partsiq", "worker", "platform"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == RET_CONNECT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot reach PostgreSQL at postgresql://postgres:***@127.0.0.1:1/partsiq" in lines[0]
    assert "pg_ctlcluster" in lines[0]
    assert "hunter2" not in result.stderr


# A service declared in the queue table whose package is not installed (as in an image built for another).
GHOST = (
    "import sys; from partsiq.queues import SERVICES, Service; "
    "SERVICES['ghost'] = Service('ghost', 'ghost_service.actors', 1, ()); "
    "from partsiq.cli import main; sys.argv = ['partsiq', 'worker', 'ghost']; main()"
)


def test_a_service_without_actors_says_so(settings):
    result = subprocess.run(
        [sys.executable, "-c", GHOST],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "service 'ghost' has no actors installed" in result.stderr


def test_worker_all_runs_every_installed_service_and_stops_cleanly_on_sigterm(
    settings, database, organization, worker_process
):
    supervisor = worker_process("all", LOG_FORMAT="json").wait_started()
    job_id = enqueue_one(settings, organization, {"note": "via worker all"})
    row = wait_for_status(database, job_id)
    for service in ("platform", "parts-search", "email-monitor", "quote-extraction"):  # search loads its model
        wait_for(lambda s=service: f"worker {s} started" in supervisor.log, timeout=90, what=f"{service} to start")

    supervisor.signal(signal.SIGTERM)
    code = supervisor.wait(timeout=60)

    assert row.status is JobStatus.COMPLETED
    assert code == RET_OK
    for service in ("platform", "parts-search", "email-monitor", "quote-extraction"):
        assert f"worker {service} started" in supervisor.log
    lines = [json.loads(line) for line in supervisor.log.splitlines() if line.startswith("{")]
    started = [
        line
        for line in lines
        if line["message"].endswith(f"started processing (attempt 1/3, organization {organization})")
    ]
    assert started and started[0]["job_id"] == job_id and started[0]["status"] == "ACTIVE"
