"""The quote-extraction job end to end: a real worker process, real Redis and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from partsiq import runtime
from partsiq.db.models import (
    EmailMessage,
    EmailThread,
    EmailThreadStatus,
    JobStatus,
    Part,
    QuoteRequest,
    QuoteRequestItem,
    QuoteStatus,
)
from partsiq.jobs import enqueue
from partsiq.mail import parse_message, save_message
from partsiq.part_numbers import normalize
from tests.quote_extraction.conftest import labelled
from tests.quote_extraction.test_source import mail_with_pdf
from tests.support.jobs import wait_for_status
from tests.support.metrics import scrape

#: A quote whose total is not what its one line adds up to.
WRONG_TOTAL_MAIL = (
    b"From: sales@westsideheavy.com\nSubject: quote\nContent-Type: text/plain\n\n"
    b"Quote No: Q-1\nCurrency: USD\n1 1R-0750 Fuel filter 2 EA 12.50 25.00\nTotal: USD 99.00\n"
)


def store(database, organization: str, raw: bytes, external_id: str) -> str:
    with database.session() as session:
        return save_message(session, organization, parse_message(raw), external_id=external_id)[0].id


def extract(settings, database, worker_process, organization: str, *message_ids: str, worker=None) -> list:
    worker = worker or worker_process("quote-extraction").wait_started()
    producer = runtime.start(settings)
    job_ids = [enqueue("quote-extraction", organization, {"emailMessageId": m}) for m in message_ids]
    producer.close()
    rows = [wait_for_status(database, job_id, timeout=60) for job_id in job_ids]
    assert worker.proc.poll() is None
    return rows


def test_a_pdf_quote_is_stored_verified_linked_to_the_catalog_and_its_thread_processed(
    settings, database, worker_process, organization
):
    raw, label = labelled("q04-atlas-pdf-de")
    message_id = store(database, organization, raw, "q04")
    with database.session() as session:
        session.add(
            Part(
                organization_id=organization,
                part_number="9W7162",
                normalized_part_number=normalize("9W7162"),
                name="Roller",
            )
        )

    (row,) = extract(settings, database, worker_process, organization, message_id)

    assert row.status is JobStatus.COMPLETED, row.error
    assert row.result["status"] == "PROCESSED" and row.progress == 100
    with database.session() as session:
        quote = session.scalar(select(QuoteRequest).where(QuoteRequest.email_message_id == message_id))
        items = session.scalars(
            select(QuoteRequestItem)
            .where(QuoteRequestItem.quote_request_id == quote.id)
            .order_by(QuoteRequestItem.line_number)
        ).all()
        thread = session.get(EmailThread, quote.email_thread_id)
        assert (quote.status, quote.total, quote.currency, quote.extractor) == (
            QuoteStatus.PROCESSED,
            Decimal(label["total"]),
            "EUR",
            "rules",
        )
        assert [i.part_number for i in items] == ["9W-7162", "6Y-1248", "7T-1253"]
        assert items[0].part_id is not None and items[1].part_id is None
        assert thread.status is EmailThreadStatus.PROCESSED


def test_a_redelivered_job_replaces_the_quote_instead_of_adding_one(settings, database, worker_process, organization):
    raw, _ = labelled("q01-westside-text")
    message_id = store(database, organization, raw, "q01")

    rows = extract(settings, database, worker_process, organization, message_id, message_id)

    assert [r.status for r in rows] == [JobStatus.COMPLETED, JobStatus.COMPLETED]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(QuoteRequest)) == 1
        assert session.scalar(select(func.count()).select_from(QuoteRequestItem)) == 3


def test_a_broken_pdf_is_recorded_on_the_message_and_the_body_still_extracted(
    settings, database, worker_process, organization
):
    quote_mail, label = labelled("q01-westside-text")
    raw = mail_with_pdf(b"%PDF-1.4 broken", parse_message(quote_mail).text or "")
    message_id = store(database, organization, raw, "broken-pdf")

    (row,) = extract(settings, database, worker_process, organization, message_id)

    assert row.status is JobStatus.COMPLETED, row.error
    with database.session() as session:
        message = session.get(EmailMessage, message_id)
        quote = session.scalar(select(QuoteRequest).where(QuoteRequest.email_message_id == message_id))
        assert [d["part"] for d in message.defects] == ["quote.pdf"]
        assert quote.total == Decimal(label["total"])
        assert "source_defect" in {f["check"] for f in quote.findings}


def test_a_quote_that_fails_verification_sends_the_thread_to_review(settings, database, worker_process, organization):
    message_id = store(database, organization, WRONG_TOTAL_MAIL, "wrong-total")

    (row,) = extract(settings, database, worker_process, organization, message_id)

    assert row.result["status"] == "NEEDS_REVIEW" and "total_mismatch" in row.result["findings"]
    with database.session() as session:
        quote = session.scalar(select(QuoteRequest).where(QuoteRequest.email_message_id == message_id))
        assert session.get(EmailThread, quote.email_thread_id).status is EmailThreadStatus.NEEDS_REVIEW


def test_a_job_naming_a_message_of_another_organization_fails_at_once_with_the_reason(
    settings, database, worker_process, organization
):
    (row,) = extract(settings, database, worker_process, organization, "no-such-message")

    assert row.status is JobStatus.FAILED and row.attempts == 1
    assert "not found in organization" in row.error


def test_the_worker_counts_quotes_and_findings_in_metrics_that_pass_promtool(
    settings, database, worker_process, organization
):
    worker = worker_process("quote-extraction").wait_started()
    good = store(database, organization, labelled("q01-westside-text")[0], "good")
    bad = store(database, organization, WRONG_TOTAL_MAIL, "bad")

    extract(settings, database, worker_process, organization, good, bad, worker=worker)
    body = scrape(worker)

    assert 'partsiq_quotes_extracted_total{extractor="rules",status="PROCESSED"} 1.0' in body
    assert 'partsiq_quotes_extracted_total{extractor="rules",status="NEEDS_REVIEW"} 1.0' in body
    assert 'partsiq_quote_findings_total{check="total_mismatch",severity="error"} 1.0' in body
