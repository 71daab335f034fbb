"""Quotes extracted from supplier mail, with their line items."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Enum, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import QuoteStatus

#: Money: 18 digits, 4 after the point (unit prices below a cent exist).
Money = Numeric(18, 4)


class QuoteRequest(Base):
    """A supplier's quote: header fields and totals, linked to the mail it came from."""

    __tablename__ = "QuoteRequest"

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[str | None] = mapped_column("supplierId", ForeignKey("Supplier.id", ondelete="SET NULL"))
    #: One quote per message: a redelivered extraction job replaces it, never adds a second.
    email_message_id: Mapped[str | None] = mapped_column(
        "emailMessageId", ForeignKey("EmailMessage.id", ondelete="SET NULL"), unique=True
    )
    email_thread_id: Mapped[str | None] = mapped_column(
        "emailThreadId", ForeignKey("EmailThread.id", ondelete="SET NULL")
    )
    quote_number: Mapped[str | None] = mapped_column("quoteNumber", String)
    quote_date: Mapped[date | None] = mapped_column("quoteDate", Date)
    valid_until: Mapped[date | None] = mapped_column("validUntil", Date)
    #: ISO 4217 code.
    currency: Mapped[str | None] = mapped_column(String(3))
    subtotal: Mapped[Decimal | None] = mapped_column(Money)
    tax: Mapped[Decimal | None] = mapped_column(Money)
    shipping: Mapped[Decimal | None] = mapped_column(Money)
    total: Mapped[Decimal | None] = mapped_column(Money)
    payment_terms: Mapped[str | None] = mapped_column("paymentTerms", Text)
    shipping_method: Mapped[str | None] = mapped_column("shippingMethod", Text)
    lead_time: Mapped[str | None] = mapped_column("leadTime", Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[QuoteStatus] = mapped_column(Enum(QuoteStatus, name="QuoteStatus"), default=QuoteStatus.NEEDS_REVIEW)
    #: Which extractor produced it (``rules``, ``llm:<model>``).
    extractor: Mapped[str | None] = mapped_column(String)
    #: Verification findings, each ``{"check": ..., "severity": ..., "message": ...}``; empty when it passed.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    #: LLM token usage and cost (``promptTokens``, ``completionTokens``, ``costUsd``), when a model was used.
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class QuoteRequestItem(Base):
    """One line of a quote."""

    __tablename__ = "QuoteRequestItem"

    id: Mapped[str] = id_column()
    quote_request_id: Mapped[str] = mapped_column(
        "quoteRequestId", ForeignKey("QuoteRequest.id", ondelete="CASCADE"), index=True
    )
    line_number: Mapped[int] = mapped_column("lineNumber", Integer)
    part_number: Mapped[str | None] = mapped_column("partNumber", String)
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    unit: Mapped[str | None] = mapped_column(String)
    unit_price: Mapped[Decimal | None] = mapped_column("unitPrice", Money)
    line_total: Mapped[Decimal | None] = mapped_column("lineTotal", Money)
    #: The catalog part whose normalised number matches, if any.
    part_id: Mapped[str | None] = mapped_column("partId", ForeignKey("Part.id", ondelete="SET NULL"), index=True)
