"""Store a parsed message: its thread, the message row and its attachment bytes (idempotent per message)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from partsiq.db.models import EmailAttachment, EmailMessage, EmailThread
from partsiq.mail.mime import ParsedMail


def save_message(
    session: Session,
    organization_id: str,
    mail: ParsedMail,
    *,
    external_id: str,
    thread_key: str | None = None,
    supplier_id: str | None = None,
) -> EmailMessage:
    """The stored message for ``external_id`` (created with its thread and attachments on first sight).

    ``thread_key`` groups messages (a provider's thread id); by default the message starts its own thread.
    """
    existing = session.scalar(
        select(EmailMessage).where(
            EmailMessage.organization_id == organization_id, EmailMessage.external_message_id == external_id
        )
    )
    if existing is not None:
        return existing
    key = thread_key or mail.message_id or external_id
    thread = session.scalar(
        select(EmailThread).where(EmailThread.organization_id == organization_id, EmailThread.external_thread_id == key)
    )
    if thread is None:
        thread = EmailThread(organization_id=organization_id, external_thread_id=key, subject=mail.subject)
        thread.supplier_id = supplier_id
        session.add(thread)
        session.flush()
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
    return message
