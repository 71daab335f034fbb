"""Every 5 minutes: one ``email-sync`` job per organisation with a connected mailbox.

The tick is a cheap fan-out on the email-monitor queue. Each job's idempotency key is the
organisation and the time slot, so a duplicate tick (or a second scheduler) enqueues nothing
twice; the sync itself takes a per-mailbox lock, so two syncs never run at once. A missed
tick only delays mail: the next sync resumes from stored state.
"""

from __future__ import annotations

import dramatiq
from periodiq import cron
from sqlalchemy import select

from email_monitor.sources import MAILBOX_PROVIDERS
from partsiq import runtime
from partsiq.db.models import Integration, IntegrationStatus
from partsiq.jobs import enqueue
from partsiq.metrics import PERIODIC_SUCCESS
from partsiq.periodic import time_slot

SCHEDULE = "*/5 * * * *"


def organizations_with_a_mailbox() -> list[str]:
    """Organisations whose mailbox is connected and active."""
    with runtime.current().database.session() as session:
        return sorted(
            set(
                session.scalars(
                    select(Integration.organization_id).where(
                        Integration.provider.in_(MAILBOX_PROVIDERS), Integration.status == IntegrationStatus.ACTIVE
                    )
                )
            )
        )


def fan_out(slot: str) -> list[str]:
    """Enqueue the slot's sync of every connected mailbox; returns the job ids."""
    return [
        enqueue(
            "email-sync",
            organization,
            {"trigger": "schedule", "slot": slot},
            idempotency_key=f"email-sync:{organization}:{slot}",
        )
        for organization in organizations_with_a_mailbox()
    ]


@dramatiq.actor(queue_name="email-monitor", periodic=cron(SCHEDULE), max_retries=0)
def email_sync_tick() -> None:
    """Periodic fan-out (see the module docstring)."""
    fan_out(time_slot())
    PERIODIC_SUCCESS.labels("email-sync-tick").set_to_current_time()
