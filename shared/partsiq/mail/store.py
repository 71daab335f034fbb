"""Store a parsed message: its thread, the message row and its attachment bytes (once per provider id).

Threading, in order: the provider's thread id (Gmail ``threadId``); the thread of a stored
message named by ``In-Reply-To``/``References``; the newest thread of the organisation with
the same normalised subject (``Re:``/``Fwd:``/``AW:``... removed) from the same sender domain
in the last 30 days; else a new thread.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from partsiq.db.models import EmailAttachment, EmailClassification, EmailMessage, EmailThread
from partsiq.mail.mime import ParsedMail

_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr|sv|vs|antw|r)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
#: How far back a subject match may find a thread.
SUBJECT_THREAD_WINDOW = timedelta(days=30)


def normalize_subject(subject: str | None) -> str:
    """``"RE: Fwd:  Quote 123 "`` -> ``"quote 123"``."""
    return " ".join(_REPLY_PREFIX.sub("", subject or "").split()).lower()


def save_message(
    session: Session,
    organization_id: str,
    mail: ParsedMail,
    *,
    external_id: str,
    thread_key: str | None = None,
    supplier_id: str | None = None,
    classification: EmailClassification = EmailClassification.OTHER,
    reasons: list[str] | None = None,
) -> tuple[EmailMessage, bool]:
    """The stored message for ``external_id`` and whether it was created now (False: seen before)."""
    existing = session.scalar(
        select(EmailMessage).where(
            EmailMessage.organization_id == organization_id, EmailMessage.external_message_id == external_id
        )
    )
    if existing is not None:
        return existing, False
    thread = _thread(session, organization_id, mail, thread_key, supplier_id)
    if mail.date and (thread.last_message_at is None or mail.date > thread.last_message_at):
        thread.last_message_at = mail.date
    message = EmailMessage(
        organization_id=organization_id,
        thread_id=thread.id,
        supplier_id=supplier_id,
        external_message_id=external_id,
        message_id_header=mail.message_id,
        from_address=mail.from_address,
        to_addresses=mail.to_addresses,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        received_at=mail.date,
        classification=classification,
        classification_reasons=reasons or [],
        defects=mail.defects,
        attachments=[
            {"filename": a.filename, "contentType": a.content_type, "size": len(a.content)} for a in mail.attachments
        ],
    )
    session.add(message)
    session.flush()
    session.add_all(
        EmailAttachment(
            email_message_id=message.id,
            filename=a.filename,
            content_type=a.content_type,
            size=len(a.content),
            content=a.content,
        )
        for a in mail.attachments
    )
    return message, True


def _thread(
    session: Session, organization_id: str, mail: ParsedMail, thread_key: str | None, supplier_id: str | None
) -> EmailThread:
    in_org = select(EmailThread).where(EmailThread.organization_id == organization_id)
    key = thread_key or mail.message_id
    if key:
        found = session.scalar(in_org.where(EmailThread.external_thread_id == key))
        if found is not None:
            return found
    if mail.references:
        found = session.scalar(
            in_org.join(EmailMessage, EmailMessage.thread_id == EmailThread.id)
            .where(EmailMessage.message_id_header.in_(mail.references))
            .order_by(EmailMessage.received_at.desc().nulls_last())
            .limit(1)
        )
        if found is not None:
            return found
    subject = normalize_subject(mail.subject)
    domain = (mail.from_address or "").rpartition("@")[2]
    if subject and domain:
        since = (mail.date or datetime.now(UTC)) - SUBJECT_THREAD_WINDOW
        same_domain = (
            select(EmailMessage.id)
            .where(EmailMessage.thread_id == EmailThread.id, EmailMessage.from_address.like(f"%@{domain}"))
            .exists()
        )
        found = session.scalar(
            in_org.where(
                EmailThread.normalized_subject == subject,
                EmailThread.last_message_at >= since,
                same_domain,
            )
            .order_by(EmailThread.last_message_at.desc())
            .limit(1)
        )
        if found is not None:
            return found
    thread = EmailThread(
        organization_id=organization_id,
        external_thread_id=key,
        subject=mail.subject,
        normalized_subject=subject or None,
        supplier_id=supplier_id,
    )
    session.add(thread)
    session.flush()
    return thread
