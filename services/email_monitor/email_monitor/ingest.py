"""One message: parse, classify, match the supplier, thread and store it (once per provider id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from email_monitor.classify import classify
from partsiq.db.models import EmailClassification, EmailMessage
from partsiq.mail import parse_message, save_message
from partsiq.suppliers import match_supplier


@dataclass
class Ingested:
    """What became of one fetched message."""

    message_id: str
    created: bool
    classification: EmailClassification
    supplier_id: str | None
    defects: int


def ingest(
    session: Session,
    organization_id: str,
    raw: bytes,
    *,
    external_id: str,
    thread_key: str | None = None,
    resync: bool = False,
) -> Ingested:
    """Store ``raw`` as the organisation's message ``external_id`` (a second call returns the stored one).

    ``resync``: the provider renumbered its messages, so one already stored with the same
    Message-ID is this message under its old id (returned, not stored twice).
    """
    mail = parse_message(raw)
    if resync and mail.message_id:
        known = session.scalar(
            select(EmailMessage).where(
                EmailMessage.organization_id == organization_id, EmailMessage.message_id_header == mail.message_id
            )
        )
        if known is not None:
            return Ingested(known.id, False, known.classification, known.supplier_id, len(known.defects))
    result = classify(mail)
    supplier = match_supplier(session, organization_id, mail.from_address)
    message, created = save_message(
        session,
        organization_id,
        mail,
        external_id=external_id,
        thread_key=thread_key,
        supplier_id=supplier.id if supplier else None,
        classification=result.label,
        reasons=result.reasons,
    )
    return Ingested(message.id, created, message.classification, message.supplier_id, len(message.defects))
