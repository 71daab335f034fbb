"""Read a stored message as a document; store an outcome once per message (a redelivery replaces it)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partsiq.db.models import (
    EmailAttachment,
    EmailMessage,
    EmailThread,
    EmailThreadStatus,
    Part,
    QuoteRequest,
    QuoteRequestItem,
    QuoteStatus,
)
from partsiq.errors import PayloadInvalid
from partsiq.mail import Attachment
from quote_extraction.pipeline import Outcome
from quote_extraction.source import SourceDocument, from_parts


def load_message(session: Session, organization_id: str, message_id: str, *, lock: bool = False) -> EmailMessage:
    """The organisation's message, or :class:`PayloadInvalid` (a job naming another org's message is refused)."""
    query = select(EmailMessage).where(EmailMessage.id == message_id, EmailMessage.organization_id == organization_id)
    message = session.scalar(query.with_for_update() if lock else query)
    if message is None:
        raise PayloadInvalid(f"email message {message_id!r} not found in organization {organization_id!r}")
    return message


def load_document(session: Session, message: EmailMessage) -> SourceDocument:
    """The message's body, HTML and attachment bytes as a document."""
    rows = session.scalars(
        select(EmailAttachment).where(EmailAttachment.email_message_id == message.id).order_by(EmailAttachment.id)
    )
    attachments = [Attachment(row.filename, row.content_type, row.content) for row in rows]
    return from_parts(
        text=message.body_text,
        html=message.body_html,
        attachments=attachments,
        subject=message.subject,
        sender=message.from_address,
    )


def save(session: Session, message: EmailMessage, document: SourceDocument, outcome: Outcome) -> QuoteRequest:
    """Replace the message's quote with ``outcome``; link catalog parts; move the thread on.

    The caller holds the message row locked, so two deliveries of one job store one quote.
    """
    session.execute(delete(QuoteRequest).where(QuoteRequest.email_message_id == message.id))
    q = outcome.quote
    quote = QuoteRequest(
        organization_id=message.organization_id,
        supplier_id=message.supplier_id,
        email_message_id=message.id,
        email_thread_id=message.thread_id,
        quote_number=q.quote_number,
        quote_date=q.quote_date,
        valid_until=q.valid_until,
        currency=q.currency,
        subtotal=q.subtotal,
        tax=q.tax,
        shipping=q.shipping,
        total=q.total,
        payment_terms=q.payment_terms,
        shipping_method=q.shipping_method,
        lead_time=q.lead_time,
        notes=q.notes,
        status=outcome.status,
        extractor=outcome.extractor,
        findings=[f.as_json() for f in outcome.findings],
        usage=outcome.usage,
    )
    session.add(quote)
    session.flush()
    parts = _catalog_parts(session, message.organization_id, {i.normalized_part_number for i in q.items} - {None})
    session.add_all(
        QuoteRequestItem(
            quote_request_id=quote.id,
            line_number=item.line_number,
            part_number=item.part_number,
            description=item.description,
            quantity=item.quantity,
            unit=item.unit,
            unit_price=item.unit_price,
            line_total=item.line_total,
            part_id=parts.get(item.normalized_part_number or ""),
        )
        for item in q.items
    )
    known = {(d.get("part"), d.get("reason")) for d in message.defects}
    new = [d for d in document.defects if (d["part"], d["reason"]) not in known]
    if new:
        message.defects = [*message.defects, *new]
    thread = session.get(EmailThread, message.thread_id)
    if thread is not None:
        processed = outcome.status is QuoteStatus.PROCESSED
        thread.status = EmailThreadStatus.PROCESSED if processed else EmailThreadStatus.NEEDS_REVIEW
    return quote


def _catalog_parts(session: Session, organization_id: str, numbers: set[str | None]) -> dict[str, str]:
    if not numbers:
        return {}
    rows = session.execute(
        select(Part.normalized_part_number, Part.id).where(
            Part.organization_id == organization_id, Part.normalized_part_number.in_(numbers)
        )
    )
    return {number: part_id for number, part_id in rows}
