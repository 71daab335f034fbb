"""Supplier mail: threads and their messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import EmailClassification, EmailThreadStatus


class EmailThread(Base):
    """A conversation with a supplier, grouped by provider thread id, references or subject."""

    __tablename__ = "EmailThread"
    __table_args__ = (
        UniqueConstraint("organizationId", "externalThreadId"),
        Index("EmailThread_organizationId_normalizedSubject_idx", "organizationId", "normalizedSubject"),
    )

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[str | None] = mapped_column("supplierId", ForeignKey("Supplier.id", ondelete="SET NULL"))
    external_thread_id: Mapped[str | None] = mapped_column("externalThreadId", String)
    subject: Mapped[str | None] = mapped_column(Text)
    #: The subject without ``Re:``/``Fwd:`` prefixes, lower-cased: how replies without headers find their thread.
    normalized_subject: Mapped[str | None] = mapped_column("normalizedSubject", Text)
    status: Mapped[EmailThreadStatus] = mapped_column(
        Enum(EmailThreadStatus, name="EmailThreadStatus"), default=EmailThreadStatus.NEW
    )
    last_message_at: Mapped[datetime | None] = mapped_column("lastMessageAt")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class EmailMessage(Base):
    """One fetched mail, with its text, classification and parsing defects."""

    __tablename__ = "EmailMessage"
    __table_args__ = (UniqueConstraint("organizationId", "externalMessageId"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column("organizationId", ForeignKey("Organization.id", ondelete="CASCADE"))
    thread_id: Mapped[str] = mapped_column("threadId", ForeignKey("EmailThread.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[str | None] = mapped_column("supplierId", ForeignKey("Supplier.id", ondelete="SET NULL"))
    #: The provider's id (Gmail message id, IMAP UID key, file name).
    external_message_id: Mapped[str] = mapped_column("externalMessageId", String)
    #: The RFC 5322 Message-ID header.
    message_id_header: Mapped[str | None] = mapped_column("messageIdHeader", String, index=True)
    from_address: Mapped[str | None] = mapped_column("fromAddress", String)
    to_addresses: Mapped[list[str]] = mapped_column("toAddresses", ARRAY(String), default=list, server_default="{}")
    subject: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column("bodyText", Text)
    #: The HTML body as received (untrusted: hidden elements are removed before any text is used).
    body_html: Mapped[str | None] = mapped_column("bodyHtml", Text)
    received_at: Mapped[datetime | None] = mapped_column("receivedAt")
    classification: Mapped[EmailClassification] = mapped_column(
        Enum(EmailClassification, name="EmailClassification"), default=EmailClassification.OTHER
    )
    #: Why it was classified so (the rules that fired, or the model's reason).
    classification_reasons: Mapped[list[str]] = mapped_column(
        "classificationReasons", JSONB, default=list, server_default="[]"
    )
    #: Attachments: name, content type, size, storage key.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    #: What could not be read, each ``{"part": ..., "reason": ...}`` (malformed MIME, a broken PDF...).
    defects: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    created_at: Mapped[datetime] = created_at_column()


class EmailAttachment(Base):
    """The bytes of one attachment (the embedded store; ``EmailMessage.attachments`` lists them)."""

    __tablename__ = "EmailAttachment"

    id: Mapped[str] = id_column()
    email_message_id: Mapped[str] = mapped_column(
        "emailMessageId", ForeignKey("EmailMessage.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str | None] = mapped_column(String)
    content_type: Mapped[str] = mapped_column("contentType", String)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()
