"""Connect an organisation's integration: one row per provider, credentials sealed (never stored in clear)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partsiq.credentials import Keyring
from partsiq.db.models import Integration, IntegrationProvider, IntegrationStatus, Organization
from partsiq.errors import PartsIQError


def connect(
    session: Session,
    organization_id: str,
    provider: IntegrationProvider,
    config: dict[str, Any],
    secret: dict[str, Any] | None = None,
    keyring: Keyring | None = None,
) -> Integration:
    """Create or replace the organisation's ``provider`` integration, ACTIVE, with a fresh sync state."""
    if session.get(Organization, organization_id) is None:
        raise PartsIQError(f"organization {organization_id!r} does not exist (partsiq orgs create)")
    integration = session.scalar(
        select(Integration).where(Integration.organization_id == organization_id, Integration.provider == provider)
    )
    if integration is None:
        integration = Integration(organization_id=organization_id, provider=provider)
        session.add(integration)
    integration.config = config
    integration.status = IntegrationStatus.ACTIVE
    integration.status_reason = None
    integration.sync_state = {}
    if secret is not None:
        if keyring is None:
            raise PartsIQError("credentials need CREDENTIALS_ENCRYPTION_KEY")
        integration.credentials = keyring.encrypt_json(secret, f"{organization_id}/{provider.value}")
    session.flush()
    return integration
