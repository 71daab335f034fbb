"""The parts catalog of each organisation: parts, their relationships and the equipment they fit.

Searched by parts-search (exact and trigram matching on the normalised number, full text on
``searchVector``), linked from quote lines. Relationships and fitment are the graph the
relationship agent walks (PostgreSQL recursive queries by default, Neo4j in production).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Computed,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import PartRelation

#: The text full-text search reads: name, description, manufacturer, category (``simple``: part
#: vocabulary is not English prose, stemming would merge what must stay apart).
SEARCH_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(manufacturer, '') || ' ' || coalesce(category, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'C')"
)


class Part(Base):
    """One catalog part: its number as given and normalised (:func:`partsiq.part_numbers.normalize`)."""

    __tablename__ = "Part"
    __table_args__ = (
        UniqueConstraint("organizationId", "manufacturer", "normalizedPartNumber"),
        Index(
            "Part_normalizedPartNumber_trgm_idx",
            "normalizedPartNumber",
            postgresql_using="gin",
            postgresql_ops={"normalizedPartNumber": "gin_trgm_ops"},
        ),
        Index("Part_searchVector_idx", "searchVector", postgresql_using="gin"),
    )

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
    search_vector: Mapped[Any] = mapped_column("searchVector", TSVECTOR, Computed(SEARCH_VECTOR, persisted=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class PartRelationship(Base):
    """``fromPart`` -[type]-> ``toPart``: a supersession (with its date), an alternate, a component (with quantity)."""

    __tablename__ = "PartRelationship"
    __table_args__ = (UniqueConstraint("fromPartId", "toPartId", "type"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    from_part_id: Mapped[str] = mapped_column("fromPartId", ForeignKey("Part.id", ondelete="CASCADE"), index=True)
    to_part_id: Mapped[str] = mapped_column("toPartId", ForeignKey("Part.id", ondelete="CASCADE"), index=True)
    type: Mapped[PartRelation] = mapped_column(Enum(PartRelation, name="PartRelation"))
    #: COMPONENT_OF: how many of ``from`` the assembly holds.
    quantity: Mapped[int | None] = mapped_column(Integer)
    #: SUPERSEDED_BY: since when.
    since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()


class EquipmentModel(Base):
    """A machine model parts fit (``CAT 320D``), per organisation."""

    __tablename__ = "EquipmentModel"
    __table_args__ = (UniqueConstraint("organizationId", "make", "model"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    make: Mapped[str] = mapped_column(String)
    model: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = created_at_column()


class PartFitment(Base):
    """A part fits an equipment model (optionally within a serial-number range)."""

    __tablename__ = "PartFitment"
    __table_args__ = (UniqueConstraint("partId", "equipmentModelId"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    part_id: Mapped[str] = mapped_column("partId", ForeignKey("Part.id", ondelete="CASCADE"), index=True)
    equipment_model_id: Mapped[str] = mapped_column(
        "equipmentModelId", ForeignKey("EquipmentModel.id", ondelete="CASCADE"), index=True
    )
    serial_from: Mapped[str | None] = mapped_column("serialFrom", String)
    serial_to: Mapped[str | None] = mapped_column("serialTo", String)


class PartEmbedding(Base):
    """A part's text embedding: the semantic agent's local index, and what was sent to a remote one.

    ``textHash`` and ``model`` say which text and which model the vector belongs to, so a re-import
    embeds only parts whose text changed. ``vector`` is little-endian float32, L2-normalised
    (``numpy.frombuffer(vector, "<f4")``): compact, and read straight into the in-process index.
    """

    __tablename__ = "PartEmbedding"
    __table_args__ = (Index("PartEmbedding_organizationId_updatedAt_idx", "organizationId", "updatedAt"),)

    part_id: Mapped[str] = mapped_column("partId", ForeignKey("Part.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[str] = mapped_column("organizationId", ForeignKey("Organization.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String)
    text_hash: Mapped[str] = mapped_column("textHash", String(32))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = updated_at_column()
