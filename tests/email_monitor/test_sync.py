"""A local-folder mailbox synced for real: stored once, classified, threaded, suppliers matched, quotes queued."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from email_monitor.sync import MailboxUnavailable, sync_mailbox
from partsiq.db.models import EmailMessage, EmailThread, Integration, JobQueue
from tests.email_monitor.conftest import ROOT, drop

QUOTE = "bench/quotes/q01-westside-text.eml"
ORDER = "bench/mail/oc01.eml"
SHIPPED = "bench/mail/sh01.eml"


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_sync_stores_classifies_matches_suppliers_and_queues_one_extraction_per_quote(
    database, broker, mail_settings, organization, mailbox: Path
):
    drop(mailbox, QUOTE, ORDER, SHIPPED, "bench/quotes/q04-atlas-pdf-de.eml")

    report = sync_mailbox(database, mail_settings, organization)

    assert (report.stored, report.quote_jobs, report.rejected) == (4, 2, [])
    assert report.by_class == {"QUOTE": 2, "ORDER_CONFIRMATION": 1, "SHIPPING_NOTICE": 1}
    with database.session() as session:
        messages = session.scalars(select(EmailMessage).order_by(EmailMessage.external_message_id)).all()
        assert all(m.classification_reasons for m in messages)
        assert {m.external_message_id: m.supplier_id is not None for m in messages} == {
            "local:oc01.eml": True,
            "local:q01-westside-text.eml": True,
            "local:q04-atlas-pdf-de.eml": True,
            "local:sh01.eml": True,
        }
        jobs = session.scalars(select(JobQueue).where(JobQueue.job_type == "quote-extraction")).all()
        assert len(jobs) == 2
        integration = session.scalar(select(Integration))
        assert integration.last_synced_at is not None and integration.sync_state["files"] == 4


def test_running_the_sync_again_stores_nothing_twice_and_picks_up_new_files(
    database, broker, mail_settings, organization, mailbox: Path
):
    drop(mailbox, QUOTE)
    sync_mailbox(database, mail_settings, organization)

    again = sync_mailbox(database, mail_settings, organization)
    drop(mailbox, ORDER)
    later = sync_mailbox(database, mail_settings, organization)

    assert (again.stored, again.known, again.quote_jobs) == (0, 1, 0)
    assert (later.stored, later.known) == (1, 1)
    assert count(database, EmailMessage) == 2
    assert count(database, JobQueue) == 1


def test_a_reply_joins_its_thread_by_references_then_by_subject(
    database, broker, mail_settings, organization, mailbox: Path
):
    first = (ROOT / "bench/mail/oc01.eml").read_bytes()
    (mailbox / "a.eml").write_bytes(first)
    (mailbox / "b.eml").write_bytes(
        b"From: sales@westsideheavy.com\nSubject: RE: Order Confirmation SO-55120 (your PO 4471)\n"
        b"In-Reply-To: <oc01@westsideheavy.com>\nMessage-ID: <b@westsideheavy.com>\n\nAdded a line."
    )
    (mailbox / "c.eml").write_bytes(
        b"From: other@westsideheavy.com\nSubject: Fwd: order confirmation SO-55120 (your PO 4471)\n"
        b"Date: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <c@westsideheavy.com>\n\nFYI"
    )

    sync_mailbox(database, mail_settings, organization)

    assert count(database, EmailThread) == 1
    assert count(database, EmailMessage) == 3


def test_an_oversized_message_is_rejected_with_its_reason_and_the_rest_stored(
    database, broker, mail_settings, organization, mailbox: Path
):
    drop(mailbox, ORDER)
    (mailbox / "huge.eml").write_bytes(b"Subject: big\n\n" + b"x" * 5000)
    small = mail_settings.model_copy(update={"mail_max_message_bytes": 4000})

    report = sync_mailbox(database, small, organization)

    assert report.stored == 1
    assert report.rejected == [{"id": "local:huge.eml", "reason": "message is 5014 bytes, over the 4000-byte limit"}]


def test_every_message_of_the_public_corpora_is_stored_or_rejected_with_a_reason(
    database, broker, mail_settings, organization, mailbox: Path
):
    corpus = [
        p
        for folder in ("mikel-mail", "spamscope-mail-parser")
        for p in (ROOT / "bench" / "corpora" / folder).rglob("*")
        if p.is_file() and p.name != "LICENSE"
    ]
    for n, path in enumerate(corpus):
        (mailbox / f"{n:03d}-{path.name}.eml").write_bytes(path.read_bytes())

    report = sync_mailbox(database, mail_settings, organization)

    with database.session() as session:
        with_defects = session.scalar(
            select(func.count()).select_from(EmailMessage).where(text("jsonb_array_length(defects) > 0"))
        )
    print(f"\ncorpus: {len(corpus)} messages, {report.stored} stored ({with_defects} with defects noted), "
          f"{len(report.rejected)} rejected, by class {dict(report.by_class)}")  # fmt: skip
    assert report.stored + len(report.rejected) == len(corpus)
    assert with_defects > 0


def test_a_second_sync_of_a_mailbox_being_synced_is_skipped(database, broker, mail_settings, organization, mailbox):
    drop(mailbox, QUOTE)
    with database.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"email-sync:{organization}"})
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(r=sync_mailbox(database, mail_settings, organization)))
        thread.start()
        thread.join(timeout=30)
        conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"email-sync:{organization}"})

    assert result["r"].skipped == "another sync of this mailbox is running"
    assert count(database, EmailMessage) == 0


def test_an_organization_without_a_mailbox_fails_with_a_clear_permanent_error(
    database, broker, mail_settings, organization
):
    with pytest.raises(MailboxUnavailable, match="has no connected mailbox"):
        sync_mailbox(database, mail_settings, organization)
