"""Declarative base and the column conventions Prisma introspection expects.

Tables are PascalCase, columns camelCase, ids are strings (cuid-like), timestamps
are ``timestamptz(3)`` and enums are PostgreSQL enum types.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, String, func
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partsiq.ids import new_id

#: Constraint names Alembic can diff deterministically.
NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    """Base of every PartsIQ table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: TIMESTAMP(timezone=True, precision=3)}


def id_column() -> Mapped[str]:
    """A string primary key filled with :func:`partsiq.ids.new_id`."""
    return mapped_column(String, primary_key=True, default=new_id)


def created_at_column() -> Mapped[datetime]:
    """``createdAt``, set by the database on insert."""
    return mapped_column("createdAt", server_default=func.now())


def updated_at_column() -> Mapped[datetime]:
    """``updatedAt``, set on insert and on every ORM update (Prisma's ``@updatedAt``)."""
    return mapped_column("updatedAt", server_default=func.now(), onupdate=func.now())
