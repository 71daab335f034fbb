"""Fixtures on real Redis and PostgreSQL (a missing service fails the run; nothing skips).

- ``settings``: a test database (``partsiq_test``, migrated once per run) and a Redis
  namespace of its own; both are emptied before every test.
- ``broker`` / ``worker``: the production broker (job tracking, rate limits, logging,
  retries) and an in-process Dramatiq worker on real Redis.
- ``stub_broker``: Dramatiq's stub broker, for pure actor logic only.
- ``worker_process``: ``partsiq worker`` children, as production runs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import dramatiq
import psycopg
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, Retries, TimeLimit

from partsiq import runtime
from partsiq.connectivity import check_services
from partsiq.db import Database, create_database_if_missing, upgrade
from partsiq.settings import Settings
from tests.support.processes import PartsiqProcess, WorkerProcess
from tests.support.workers import running_worker

#: Overridable so that two checkouts on one machine can run their suites side by side.
TEST_DATABASE = os.environ.get("PARTSIQ_TEST_DATABASE", "partsiq_test")
TEST_NAMESPACE = os.environ.get("PARTSIQ_TEST_NAMESPACE", "partsiq-test")
#: The server's maintenance database: it exists on a fresh server, and the test database is made from it.
SERVER_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TABLES = (
    "QuoteRequestItem",
    "QuoteRequest",
    "PartEmbedding",
    "PartFitment",
    "PartRelationship",
    "EquipmentModel",
    "Part",
    "EmailAttachment",
    "EmailMessage",
    "EmailThread",
    "ConversationMessage",
    "Conversation",
    "Integration",
    "Supplier",
    "JobQueue",
    "Organization",
)


def make_settings(**overrides: object) -> Settings:
    """Settings for tests: fast heartbeats and leases so crash recovery takes seconds."""
    values: dict[str, object] = {
        "environment": "test",
        "database_url": f"postgresql+psycopg://postgres@127.0.0.1:5432/{TEST_DATABASE}",
        "redis_namespace": TEST_NAMESPACE,
        "heartbeat_timeout_ms": 4000,
        "maintenance_chance": 300_000,
        "lease_seconds": 4,
        "shutdown_timeout_s": 30,
        "rate_limits": {"canary": "none"},
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    settings = make_settings()
    server = make_settings(database_url=SERVER_DATABASE)
    check_services(server, schema=False)
    with psycopg.connect(server.psycopg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
    create_database_if_missing(settings)
    upgrade(settings)
    return settings


def _clean(settings: Settings) -> None:
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " CASCADE")
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = list(client.scan_iter(f"{settings.redis_namespace}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def settings(base_settings: Settings) -> Iterator[Settings]:
    _clean(base_settings)
    yield base_settings
    _clean(base_settings)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture
def organization(database: Database) -> str:
    """An existing organisation's id."""
    from partsiq.db.models import Organization

    with database.session() as session:
        session.add(Organization(id="org_test", name="Test Org"))
    return "org_test"


@pytest.fixture(scope="session")
def _worker_runtime(base_settings: Settings) -> Iterator[runtime.Runtime]:
    """One production broker for the run: actors bind to the broker of their first import."""
    rt = runtime.start(base_settings, worker=True)
    import partsiq.platform_jobs  # noqa: F401  (declares the canary on this broker)

    rt.broker.emit_after("process_boot")
    yield rt
    rt.close()


@pytest.fixture
def broker(settings: Settings, _worker_runtime: runtime.Runtime) -> RedisBroker:
    dramatiq.set_broker(_worker_runtime.broker)
    runtime._current = _worker_runtime
    return _worker_runtime.broker


@pytest.fixture
def worker(broker: RedisBroker) -> Iterator[dramatiq.Worker]:
    with running_worker(broker) as worker:
        yield worker


@pytest.fixture
def stub_broker() -> Iterator[StubBroker]:
    broker = StubBroker(middleware=[TimeLimit(), CurrentMessage(), Retries(max_retries=0)])
    broker.emit_after("process_boot")
    yield broker
    broker.flush_all()
    broker.close()


@pytest.fixture
def partsiq_process(settings: Settings) -> Iterator[Callable[..., PartsiqProcess]]:
    """Starts ``partsiq ARGS...`` (``partsiq_process("dispatcher")``); killed at the end of the test."""
    started: list[PartsiqProcess] = []

    def start(*args: str, **env: str) -> PartsiqProcess:
        proc = PartsiqProcess(settings, *args, **env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.close()


@pytest.fixture
def worker_process(settings: Settings) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(service: str = "platform", **env: str) -> WorkerProcess:
        proc = WorkerProcess(settings, service, **env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.close()
