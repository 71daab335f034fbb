"""Organisations, their suppliers and their connected integrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import IntegrationProvider, IntegrationStatus


class Organization(Base):
    """A customer of the web app; every other row belongs to one."""

    __tablename__ = "Organization"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Supplier(Base):
    """A supplier of one organisation, matched to mail by address, then by domain."""

    __tablename__ = "Supplier"
    __table_args__ = (UniqueConstraint("organizationId", "name"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String)
    #: Lower-cased addresses of the supplier's contacts.
    contact_emails: Mapped[list[str]] = mapped_column("contactEmails", ARRAY(String), default=list, server_default="{}")
    #: Lower-cased mail domains (never free-mail domains).
    email_domains: Mapped[list[str]] = mapped_column("emailDomains", ARRAY(String), default=list, server_default="{}")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Integration(Base):
    """Provider credentials of one organisation, encrypted (see :mod:`partsiq.credentials`)."""

    __tablename__ = "Integration"
    __table_args__ = (UniqueConstraint("organizationId", "provider"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column("organizationId", ForeignKey("Organization.id", ondelete="CASCADE"))
    provider: Mapped[IntegrationProvider] = mapped_column(Enum(IntegrationProvider, name="IntegrationProvider"))
    status: Mapped[IntegrationStatus] = mapped_column(
        Enum(IntegrationStatus, name="IntegrationStatus"), default=IntegrationStatus.ACTIVE
    )
    #: ``v1.<keyId>.<nonce>.<ciphertext>`` envelope of a JSON object; never logged.
    credentials: Mapped[str | None] = mapped_column(Text)
    #: Non-secret settings (mailbox address, folder path, ...).
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    #: Why the integration is not ACTIVE, for the person who must fix it.
    status_reason: Mapped[str | None] = mapped_column("statusReason", Text)
    #: Where the next sync resumes (Gmail ``historyId``, IMAP ``uidValidity``/``lastUid``, a folder's last file).
    sync_state: Mapped[dict[str, Any]] = mapped_column("syncState", JSONB, default=dict, server_default="{}")
    last_synced_at: Mapped[datetime | None] = mapped_column("lastSyncedAt")
    #: The last sync's error, cleared by the next success.
    last_sync_error: Mapped[str | None] = mapped_column("lastSyncError", Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
