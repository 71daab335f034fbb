"""The Alembic history builds the schema the models describe, with Prisma's names."""

from __future__ import annotations

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from partsiq.db import alembic_config, create_database_if_missing, upgrade
from partsiq.db.models import Base
from tests.conftest import SERVER_DATABASE, TEST_DATABASE, make_settings

SCRATCH = f"{TEST_DATABASE}_migrations"


def test_the_migrated_schema_matches_the_models(database):
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)

    assert diff == []


def test_tables_and_columns_follow_prisma_naming(settings):
    with psycopg.connect(settings.psycopg_url) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        }
        columns = {
            r[0]
            for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'JobQueue'")
        }
        enum = [r[0] for r in conn.execute('SELECT unnest(enum_range(NULL::"JobStatus"))::text')]

    assert {
        "JobQueue",
        "Organization",
        "Supplier",
        "Integration",
        "Conversation",
        "ConversationMessage",
        "EmailThread",
        "EmailMessage",
        "QuoteRequest",
        "QuoteRequestItem",
    } <= tables
    assert {
        "id",
        "jobId",
        "queueName",
        "jobType",
        "status",
        "organizationId",
        "data",
        "result",
        "error",
        "attempts",
        "startedAt",
        "completedAt",
        "failedAt",
        "createdAt",
        "updatedAt",
        "progress",
        "progressMessage",
        "idempotencyKey",
    } <= columns
    assert enum == ["PENDING", "QUEUED", "ACTIVE", "RETRYING", "COMPLETED", "FAILED"]


def test_the_history_downgrades_to_nothing_and_upgrades_again():
    # On a scratch database: recreating the enum types under the shared test database would leave
    # the session's long-lived connections holding the old types' ids.
    settings = make_settings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{SCRATCH}")
    with psycopg.connect(SERVER_DATABASE.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
    create_database_if_missing(settings)
    upgrade(settings)

    command.downgrade(alembic_config(settings), "base")
    with psycopg.connect(settings.psycopg_url) as conn:
        assert conn.execute("SELECT to_regclass('\"JobQueue\"')").fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM pg_type WHERE typname = 'JobStatus'").fetchone() == (0,)

    upgrade(settings)

    with psycopg.connect(settings.psycopg_url) as conn:
        assert conn.execute("SELECT to_regclass('\"JobQueue\"')").fetchone() == ('"JobQueue"',)
    with psycopg.connect(SERVER_DATABASE.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {SCRATCH} WITH (FORCE)")


def test_a_row_inserted_as_prisma_would_gets_defaults(settings):
    with psycopg.connect(settings.psycopg_url) as conn:
        conn.execute(
            'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", "organizationId", data) '
            "VALUES ('c1', 'j1', 'parts-search', 'search', 'org_1', '{}')"
        )
        row = conn.execute('SELECT status, attempts, progress, "createdAt" IS NOT NULL FROM "JobQueue"').fetchone()

    assert row == ("PENDING", 0, 0, True)
