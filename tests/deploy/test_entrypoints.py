"""What each image runs, as the manifests run it, started here as a local process.

The container's argv comes from the rendered prod overlay (its args, else the Dockerfile's CMD, after
the Dockerfile's ENTRYPOINT, ``/opt/venv/bin/partsiq``: the console script of this venv stands in for
it) and its environment from the ConfigMap and the container's own variables. Each worker, the
dispatcher and the scheduler must report ready on its health endpoint, pass the image's HEALTHCHECK and
exit 0 on SIGTERM; the workers and the dispatcher must take a job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from partsiq import runtime
from partsiq.credentials import new_key
from partsiq.db.models import Conversation, Integration, IntegrationProvider, JobStatus
from partsiq.jobs import enqueue
from partsiq.mail import parse_message, save_message
from partsiq.queues import SERVICES
from partsiq.settings import Settings
from tests.deploy.deployfiles import ROOT, argv_of, compose, documents, one, ours, render
from tests.support.jobs import wait_for_status
from tests.support.metrics import get, metrics_port
from tests.support.processes import PartsiqProcess
from tests.support.waiting import wait_for

#: Everything our images run, by workload name (a test below keeps this list complete).
WORKLOADS = ["parts-search", "email-monitor", "quote-extraction", "platform", "dispatcher", "scheduler", "migrate"]
ENTRYPOINT = "/opt/venv/bin/partsiq"
PARTSIQ = str(Path(sys.executable).with_name("partsiq"))

QUOTE_MAIL = (
    b"From: sales@westsideheavy.com\nTo: buyer@example.com\nSubject: Quote Q-77\nContent-Type: text/plain\n\n"
    b"Quote No: Q-77\nCurrency: USD\n1 1R-0750 Fuel filter 2 EA 12.50 25.00\nTotal: USD 25.00\n"
)


@pytest.fixture(scope="module")
def prod() -> list[dict[str, Any]]:
    return documents(render("prod"))


class Entrypoint(PartsiqProcess):
    """A workload's container command, run here with its manifest's environment; output to a file."""

    launcher = (PARTSIQ,)

    def __init__(self, workload: dict[str, Any], settings: Settings, config: dict[str, str], **extra: str) -> None:
        box = workload["spec"]["template"]["spec"]["containers"][0]
        argv = argv_of(box)
        assert argv[0] == ENTRYPOINT, argv
        env = {**config, **{e["name"]: e["value"] for e in box.get("env", [])}}
        env.update(
            # The test's Redis namespace and a free port (tests run side by side); a real key, as production needs.
            REDIS_NAMESPACE=settings.redis_namespace,
            METRICS_PORT="0",
            CREDENTIALS_ENCRYPTION_KEY=f"test:{new_key()}",
            SHUTDOWN_TIMEOUT_S=str(min(int(env.get("SHUTDOWN_TIMEOUT_S", 30)), 30)),
            **extra,
        )
        super().__init__(settings, *argv[1:], **env)

    def port(self) -> int:
        """The metrics port the process logged (up to a minute: parts-search loads its model first)."""
        self.wait_for_log("metrics and health on :")
        return metrics_port(self)

    def stop(self) -> int:
        self.signal(signal.SIGTERM)
        return self.wait(timeout=60)


@pytest.fixture
def start(settings, prod):
    config = one(prod, "ConfigMap", "partsiq-config")["data"]
    started: list[Entrypoint] = []

    def launch(name: str, kind: str = "Deployment", **extra: str) -> Entrypoint:
        process = Entrypoint(one(prod, kind, name), settings, config, **extra)
        started.append(process)
        return process

    yield launch
    for process in started:
        process.close()


def healthcheck(port: int) -> int:
    """The images' HEALTHCHECK command against ``port``."""
    env = {**os.environ, "METRICS_PORT": str(port)}
    return subprocess.run(
        [sys.executable, str(ROOT / "docker/healthcheck.py")], env=env, capture_output=True, timeout=30
    ).returncode


def a_job_for(service: str, database, organization: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """A job of the service's own type that can complete on an empty database."""
    if service == "platform":
        return "canary", {"note": "entrypoint"}
    if service == "quote-extraction":
        with database.session() as session:
            message = save_message(session, organization, parse_message(QUOTE_MAIL), external_id="entrypoint")[0]
        return "quote-extraction", {"emailMessageId": message.id}
    if service == "email-monitor":
        with database.session() as session:
            session.add(
                Integration(
                    organization_id=organization,
                    provider=IntegrationProvider.LOCAL_MAILBOX,
                    config={"path": str(tmp_path)},
                )
            )
        return "email-sync", {}
    with database.session() as session:
        conversation = Conversation(organization_id=organization, title="entrypoint")
        session.add(conversation)
        session.flush()
        conversation_id = conversation.id
    return "search", {"conversationId": conversation_id, "query": "fuel filter 1R-0750"}


def test_the_list_of_workloads_is_every_one_the_manifests_and_compose_run(prod):
    in_compose = {name for name, service in compose()["services"].items() if "build" in service}

    assert sorted(d["metadata"]["name"] for d in ours(prod)) == sorted(WORKLOADS)
    assert in_compose == set(WORKLOADS)


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_worker_image_s_command_gets_ready_passes_its_healthcheck_takes_a_job_and_exits_0_on_sigterm(
    service, start, settings, database, organization, tmp_path
):
    worker = start(service)
    port = worker.port()
    wait_for(lambda: get(port, "/readyz")[0] == 200, what="/readyz")

    assert healthcheck(port) == 0
    job_type, payload = a_job_for(service, database, organization, tmp_path)
    producer = runtime.start(settings)
    job_id = enqueue(job_type, organization, payload)
    producer.close()
    row = wait_for_status(database, job_id, timeout=90)
    assert (row.status, row.attempts) == (JobStatus.COMPLETED, 1), row.error
    assert worker.stop() == 0, worker.log
    assert healthcheck(port) == 1


def test_the_dispatcher_publishes_a_row_the_web_app_inserted_and_exits_0_on_sigterm(
    start, settings, database, organization
):
    dispatcher = start("dispatcher")
    worker = start("platform")
    port = dispatcher.port()
    dispatcher.wait_for_log("dispatcher started")
    wait_for(lambda: get(port, "/readyz")[0] == 200, what="/readyz")
    assert healthcheck(port) == 0
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        conn.execute(
            'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", data, attempts, '
            '"updatedAt") VALUES (%s, %s, %s, %s, %s, %s, %s, 0, now())',
            ("centrypoint", "entrypoint-1", "platform", "canary", "PENDING", organization, json.dumps({})),
        )

    row = wait_for_status(database, "entrypoint-1", timeout=60)

    assert row.status == JobStatus.COMPLETED
    assert dispatcher.stop() == 0, dispatcher.log
    assert worker.stop() == 0, worker.log
    assert healthcheck(port) == 1


def test_the_scheduler_loads_every_periodic_actor_passes_its_healthcheck_and_exits_0_on_sigterm(start):
    scheduler = start("scheduler")
    port = scheduler.port()

    scheduler.wait_for_log("periodic email_sync_tick")
    scheduler.wait_for_log("periodic retention_tick")
    scheduler.wait_for_log("scheduler started")
    wait_for(lambda: get(port, "/readyz")[0] == 200, what="/readyz")

    assert healthcheck(port) == 0
    assert scheduler.stop() == 0, scheduler.log
    assert healthcheck(port) == 1


def test_the_migration_job_creates_and_migrates_a_missing_database(start, settings):
    scratch = settings.database_url.get_secret_value().rsplit("/", 1)[0] + "/partsiq_test_deploy_migrate"
    server = settings.psycopg_url.rsplit("/", 1)[0] + "/postgres"

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS partsiq_test_deploy_migrate WITH (FORCE)")

    drop()
    job = start("migrate", kind="Job", DATABASE_URL=scratch)
    try:
        code = job.proc.wait(timeout=120)
        with psycopg.connect(scratch.replace("+psycopg", ""), autocommit=True) as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        drop()

    assert code == 0, job.log
    assert {"JobQueue", "alembic_version", "EmailMessage", "QuoteRequest"} <= tables
