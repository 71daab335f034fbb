"""``partsiq jobs``: look at, enqueue and wait for jobs."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from sqlalchemy import select

from partsiq import runtime
from partsiq.broker_state import drop_dead_letters, message_location
from partsiq.connectivity import check_services
from partsiq.db.models import JobQueue, JobStatus
from partsiq.jobs import enqueue as enqueue_job
from partsiq.jobs import publish, wait_for_job
from partsiq.queues import job_type
from partsiq.settings import Settings

RET_JOB_FAILED = 1  #: ``--wait`` saw the job fail


@click.group("jobs")
def command() -> None:
    """Jobs in the JobQueue table."""


@command.command("list")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]))
@click.option("--queue")
@click.option("--org", "org_id")
@click.option("--limit", default=20, show_default=True)
@click.pass_obj
def list_(settings: Settings, status: str | None, queue: str | None, org_id: str | None, limit: int) -> None:
    """The newest jobs, filtered."""
    query = select(JobQueue).order_by(JobQueue.created_at.desc()).limit(limit)
    if status:
        query = query.where(JobQueue.status == JobStatus(status))
    if queue:
        query = query.where(JobQueue.queue_name == queue)
    if org_id:
        query = query.where(JobQueue.organization_id == org_id)
    with runtime.start(settings).database.session() as session:
        for row in session.scalars(query):
            click.echo(format_row(row))


def format_row(row: JobQueue) -> str:
    """One line per job: id, type, organisation, status, attempts, progress, error."""
    error = f"  {row.error.splitlines()[0][:80]}" if row.error else ""
    return (
        f"{row.job_id}  {row.job_type:<16} {row.organization_id:<12} {row.status.value:<9} "
        f"attempts={row.attempts} progress={row.progress}%{error}"
    )


@command.command("show")
@click.argument("job_id")
@click.pass_obj
def show(settings: Settings, job_id: str) -> None:
    """Everything the row says about one job."""
    rt = runtime.start(settings)
    with rt.database.session() as session:
        row = session.scalar(select(JobQueue).where(JobQueue.job_id == job_id))
        if row is None:
            raise click.ClickException(f"no job {job_id!r}")
        shown = row_dict(row)
    shown["message"] = message_location(rt.broker.client, settings.redis_namespace, row.queue_name, job_id)
    click.echo(json.dumps(shown, indent=2, default=str))


@command.command("retry")
@click.argument("job_id")
@click.pass_obj
def retry(settings: Settings, job_id: str) -> None:
    """Run a FAILED job again, with a fresh set of attempts."""
    check_services(settings)
    rt = runtime.start(settings)
    with rt.database.session() as session:
        row = session.scalar(select(JobQueue).where(JobQueue.job_id == job_id).with_for_update())
        if row is None:
            raise click.ClickException(f"no job {job_id!r}")
        if row.status is not JobStatus.FAILED:
            raise click.ClickException(f"job {job_id} is {row.status.value}; only FAILED jobs are retried")
        jt = job_type(row.job_type)
        row.progress_message = f"retried by hand after: {(row.error or '')[:200]}"
        row.status, row.attempts, row.error, row.failed_at, row.progress = JobStatus.QUEUED, 0, None, None, 0
        data = dict(row.data or {})
    drop_dead_letters(rt.broker.client, settings.redis_namespace, jt.queue, job_id)
    publish(rt.broker, jt, job_id, data)
    click.echo(f"job {job_id} queued again")


def row_dict(row: JobQueue) -> dict[str, Any]:
    """The row as a JSON-ready dict with Prisma's column names."""
    return {column.name: getattr(row, attr.key) for attr in JobQueue.__mapper__.column_attrs for column in attr.columns}


@command.command("enqueue")
@click.argument("job_type")
@click.option("--org", "org_id", required=True)
@click.option("--data", default="{}", help="Payload JSON (organizationId is added).")
@click.option("--job-id", default=None, help="Idempotency: the same id is never enqueued twice.")
@click.option("--wait", is_flag=True, help="Wait for the job to finish and print its result.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait with --wait.")
@click.pass_obj
def enqueue(
    settings: Settings, job_type: str, org_id: str, data: str, job_id: str | None, wait: bool, timeout: float
) -> None:
    """Enqueue a job (validated against its payload schema) and print its id."""
    try:
        payload = json.loads(data)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--data") from None
    check_services(settings)
    rt = runtime.start(settings)
    job_id = enqueue_job(job_type, org_id, payload, job_id=job_id)
    click.echo(job_id)
    if not wait:
        return
    row = wait_for_job(rt.database, job_id, timeout, interval=0.5)
    if row is None:
        raise click.ClickException(f"job {job_id} not finished after {timeout:g} s")
    outcome = row.result if row.status is JobStatus.COMPLETED else {"error": row.error}
    click.echo(json.dumps(outcome, indent=2, default=str))
    sys.exit(0 if row.status is JobStatus.COMPLETED else RET_JOB_FAILED)
