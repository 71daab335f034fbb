"""Per-worker /metrics, /healthz and /readyz, against a real worker process and a real Redis."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable, Iterator

import pytest

from partsiq import runtime
from partsiq.db.models import JobStatus
from partsiq.jobs import enqueue
from partsiq.settings import Settings
from tests.support.jobs import wait_for_status
from tests.support.metrics import get, metrics_port, scrape
from tests.support.waiting import wait_for

SPARE_REDIS_PORT = 6391


def test_metrics_count_jobs_and_backlog_and_pass_promtool(settings, database, organization, worker_process):
    worker = worker_process().wait_started()
    producer = runtime.start(settings)
    job_id = enqueue("canary", organization, {})
    producer.close()
    wait_for_status(database, job_id, JobStatus.COMPLETED)

    body = scrape(worker)

    assert 'partsiq_jobs_total{job_type="canary",outcome="completed",queue="platform"} 1.0' in body
    assert 'partsiq_job_duration_seconds_count{job_type="canary",queue="platform"} 1.0' in body
    assert 'partsiq_queue_messages{queue="platform",state="ready"} 0.0' in body
    assert "partsiq_uptime_seconds" in body
    assert job_id not in body and organization not in body, "labels stay bounded"


@pytest.fixture
def spare_redis() -> Iterator[Callable]:
    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(
            subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(SPARE_REDIS_PORT),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        wait_for(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(SPARE_REDIS_PORT), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ),
            what="spare redis",
        )

    def stop() -> None:
        procs[-1].terminate()
        procs[-1].wait(timeout=10)

    start()
    yield start, stop
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_readiness_follows_redis_while_liveness_stays_healthy(settings: Settings, worker_process, spare_redis):
    start_redis, stop_redis = spare_redis
    worker = worker_process(REDIS_URL=f"redis://127.0.0.1:{SPARE_REDIS_PORT}/0").wait_started()
    port = metrics_port(worker)
    assert get(port, "/readyz")[0] == 200

    stop_redis()
    unready = wait_for(lambda: (r := get(port, "/readyz"))[0] == 503 and r, what="readyz to fail")
    live_during_outage = [get(port, "/healthz")[0] for _ in range(3)]
    wait_for(lambda: get(port, "/healthz")[0] == 200 and "last reached" in get(port, "/healthz")[1], timeout=5)
    start_redis()

    wait_for(lambda: get(port, "/readyz")[0] == 200, timeout=30, what="readyz to recover")
    assert "redis:" in unready[1]
    assert live_during_outage == [200, 200, 200]
    assert get(port, "/healthz")[0] == 200
    assert worker.proc.poll() is None


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other process on this host already listens on."""
    with socket.socket() as other:
        other.bind(("0.0.0.0", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("command", [("worker", "platform"), ("dispatcher",), ("scheduler",)])
def test_a_process_whose_metrics_port_is_taken_exits_2_saying_what_to_set_before_taking_any_job(
    command, settings, database, organization, partsiq_process, taken_port
):
    producer = runtime.start(settings)
    job_id = enqueue("canary", organization, {})
    producer.close()

    process = partsiq_process(*command, METRICS_PORT=str(taken_port))
    code = process.wait(timeout=60)

    assert code == 2, process.log
    assert f"partsiq: cannot serve /metrics, /healthz and /readyz on port {taken_port}" in process.log
    assert "give each process on this host its own METRICS_PORT" in process.log
    assert "Traceback" not in process.log
    assert wait_for_status(database, job_id, JobStatus.QUEUED).attempts == 0, "no job was taken"
