"""Job notifications: NOTIFY on every status or progress change, and on new PENDING rows.

- ``partsiq_job_events``: ``{"jobId", "organizationId", "jobType", "status", "progress",
  "progressMessage"}`` for every insert and every change of status or progress, whoever
  wrote it (a worker, the dispatcher, the web app). The chat UI listens instead of polling.
- ``partsiq_jobs_pending``: the ``jobId`` of a row written (or put back) as PENDING, which
  wakes the dispatcher at once.

Revision ID: 7c2e5a1d9b3f
Revises: 415abd984338
Create Date: 2026-12-04 17:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c2e5a1d9b3f"
down_revision: str | None = "415abd984338"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION partsiq_job_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
             OR NEW.progress IS DISTINCT FROM OLD.progress THEN
            PERFORM pg_notify('partsiq_job_events', json_build_object(
              'jobId', NEW."jobId", 'organizationId', NEW."organizationId", 'jobType', NEW."jobType",
              'status', NEW.status, 'progress', NEW.progress, 'progressMessage', NEW."progressMessage")::text);
          END IF;
          IF NEW.status = 'PENDING' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'PENDING') THEN
            PERFORM pg_notify('partsiq_jobs_pending', NEW."jobId");
          END IF;
          RETURN NULL;
        END $$;
        """
    )
    op.execute(
        """
        CREATE TRIGGER "JobQueue_notify" AFTER INSERT OR UPDATE ON "JobQueue"
        FOR EACH ROW EXECUTE FUNCTION partsiq_job_notify();
        """
    )
    # The dispatcher's sweeps look for waiting and expired rows by status and age.
    op.execute('CREATE INDEX "JobQueue_status_updatedAt_idx" ON "JobQueue" (status, "updatedAt")')


def downgrade() -> None:
    op.execute('DROP INDEX "JobQueue_status_updatedAt_idx"')
    op.execute('DROP TRIGGER "JobQueue_notify" ON "JobQueue"')
    op.execute("DROP FUNCTION partsiq_job_notify()")
