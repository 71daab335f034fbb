"""The email-sync job in a real worker process, and the 5-minute fan-out."""

from __future__ import annotations

from sqlalchemy import func, select

from partsiq import runtime
from partsiq.db.models import EmailMessage, JobQueue, JobStatus, Organization
from partsiq.jobs import enqueue
from tests.email_monitor.conftest import drop
from tests.support.jobs import wait_for_status
from tests.support.metrics import scrape


def test_an_email_sync_job_stores_the_mail_and_reports_what_it_did(
    settings, database, worker_process, organization, mailbox
):
    drop(mailbox, "bench/quotes/q01-westside-text.eml", "bench/mail/sh01.eml")
    worker = worker_process("email-monitor").wait_started()
    producer = runtime.start(settings)
    job_id = enqueue("email-sync", organization, {"trigger": "manual"})
    producer.close()

    row = wait_for_status(database, job_id, timeout=60)

    assert row.status is JobStatus.COMPLETED, f"{row.error}\n{worker.log}"
    assert row.result["stored"] == 2 and row.result["quoteJobs"] == 1 and row.result["provider"] == "LOCAL_MAILBOX"
    assert row.progress == 100
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(EmailMessage)) == 2


def test_a_sync_for_an_organization_without_a_mailbox_fails_at_once_with_the_reason(
    settings, database, worker_process, organization
):
    worker_process("email-monitor").wait_started()
    producer = runtime.start(settings)
    job_id = enqueue("email-sync", organization, {"trigger": "manual"})
    producer.close()

    row = wait_for_status(database, job_id, timeout=60)

    assert row.status is JobStatus.FAILED and row.attempts == 1
    assert "has no connected mailbox" in row.error


def test_the_fan_out_enqueues_one_sync_per_connected_mailbox_once_per_slot(database, broker, organization, mailbox):
    from email_monitor.schedule import fan_out  # declares the tick actor: only once the production broker is set

    with database.session() as session:
        session.add(Organization(id="org_without_mailbox", name="No mail"))

    first = fan_out("2026-12-04T10:05:00+00:00")
    duplicate_tick = fan_out("2026-12-04T10:05:00+00:00")
    next_slot = fan_out("2026-12-04T10:10:00+00:00")

    assert len(first) == 1 and duplicate_tick == first and next_slot != first
    with database.session() as session:
        rows = session.scalars(select(JobQueue).where(JobQueue.job_type == "email-sync")).all()
        assert {r.organization_id for r in rows} == {organization}
        assert len(rows) == 2


def test_the_worker_exports_mail_metrics_that_pass_promtool(settings, database, worker_process, organization, mailbox):
    drop(mailbox, "bench/quotes/q01-westside-text.eml", "bench/mail/sh01.eml")
    worker = worker_process("email-monitor").wait_started()
    producer = runtime.start(settings)
    job_id = enqueue("email-sync", organization, {"trigger": "manual"})
    producer.close()
    wait_for_status(database, job_id, timeout=60)

    body = scrape(worker)

    assert 'partsiq_mail_messages_total{outcome="quote",provider="local"} 1.0' in body
    assert 'partsiq_mail_messages_total{outcome="shipping_notice",provider="local"} 1.0' in body
    assert 'partsiq_mail_mailboxes{status="ACTIVE"} 1.0' in body
    assert "partsiq_mail_oldest_sync_age_seconds" in body
