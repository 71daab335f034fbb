"""The parts catalog of each organisation (searched by parts-search, linked from quote lines)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column


class Part(Base):
    """One catalog part: its number as given and normalised (:func:`partsiq.part_numbers.normalize`)."""

    __tablename__ = "Part"
    __table_args__ = (UniqueConstraint("organizationId", "manufacturer", "normalizedPartNumber"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    part_number: Mapped[str] = mapped_column("partNumber", String)
    normalized_part_number: Mapped[str] = mapped_column("normalizedPartNumber", String, index=True)
    manufacturer: Mapped[str] = mapped_column(String, default="", server_default="")
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    stock: Mapped[int | None] = mapped_column(Integer)
    lead_time_days: Mapped[int | None] = mapped_column("leadTimeDays", Integer)
    supplier_id: Mapped[str | None] = mapped_column("supplierId", ForeignKey("Supplier.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
