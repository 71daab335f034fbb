"""The JobQueue table: one row per job, the source of truth for its lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Enum, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import JobStatus


class JobQueue(Base):
    """A job: the seed's contract plus progress, timestamps, idempotency and the worker lease."""

    __tablename__ = "JobQueue"
    __table_args__ = (
        CheckConstraint('"progress" BETWEEN 0 AND 100', name="progress_range"),
        Index(None, "status", "queueName"),
        Index(None, "organizationId", "createdAt"),
        Index(None, "status", "updatedAt"),
    )

    id: Mapped[str] = id_column()
    job_id: Mapped[str] = mapped_column("jobId", String, unique=True)
    queue_name: Mapped[str] = mapped_column("queueName", String)
    job_type: Mapped[str] = mapped_column("jobType", String)
    status: Mapped[JobStatus] = mapped_column(Enum(JobStatus, name="JobStatus"), server_default="PENDING")
    organization_id: Mapped[str] = mapped_column("organizationId", String)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: 0-100, with a short human message ("searching catalog").
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_message: Mapped[str | None] = mapped_column("progressMessage", Text)
    #: Optional caller-chosen key: a second enqueue with the same key returns the first job.
    idempotency_key: Mapped[str | None] = mapped_column("idempotencyKey", String, unique=True)
    #: Which worker process runs it, or last ran it (host:pid), for operators.
    worker_id: Mapped[str | None] = mapped_column("workerId", String)
    #: Token of the current attempt's lease; only its holder may finish the attempt.
    lease_id: Mapped[str | None] = mapped_column("leaseId", String)
    #: The lease lapses unless the holder's heartbeat renews it; then the job may run again.
    lease_expires_at: Mapped[datetime | None] = mapped_column("leaseExpiresAt")
    started_at: Mapped[datetime | None] = mapped_column("startedAt")
    completed_at: Mapped[datetime | None] = mapped_column("completedAt")
    failed_at: Mapped[datetime | None] = mapped_column("failedAt")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
