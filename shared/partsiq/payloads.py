"""Payload schemas of every job type (exported as JSON Schema to ``schemas/jobs/``).

Payloads carry ids, not content, and always the organisation the job runs for.
Field names are camelCase, as the web app writes them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


def organization_of(data: object) -> str:
    """The ``organizationId`` of a raw (not yet validated) payload, or ``""``."""
    return str(data.get("organizationId", "")) if isinstance(data, dict) else ""


class Payload(BaseModel):
    """Base of every payload: unknown fields are refused, the organisation is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    organizationId: str = Field(min_length=1, max_length=64)


class SearchPayload(Payload):
    """A parts search asked in a conversation (seed: ``partsSearchQueue.add('search', ...)``)."""

    conversationId: str = Field(min_length=1, max_length=64)
    query: str = Field(min_length=1, max_length=500)


class EmailSyncPayload(Payload):
    """Fetch and process new mail of one organisation's mailbox."""

    #: ``schedule`` for the 5-minute fan-out, ``manual`` for `partsiq mail sync`.
    trigger: Literal["schedule", "manual"] = "manual"
    #: The schedule's time slot (ISO 8601), which makes a duplicate tick idempotent.
    slot: str | None = None


class QuoteExtractionPayload(Payload):
    """Extract a structured quote from one stored email message."""

    emailMessageId: str = Field(min_length=1, max_length=64)


class RetentionPayload(Payload):
    """Delete old job rows and dead letters; ``organizationId`` is ``platform``."""

    #: The schedule's time slot (ISO 8601) this run belongs to.
    slot: str | None = None


class CanaryPayload(Payload):
    """A diagnostic job that exercises the whole path (enqueue, broker, worker, tracking).

    ``sleepSeconds`` and ``failTimes`` rehearse slow jobs and the retry path on a live system.
    """

    sleepSeconds: float = Field(default=0, ge=0, le=600)
    #: Fail the first N attempts with a retryable error, then succeed.
    failTimes: int = Field(default=0, ge=0, le=10)
    note: str | None = Field(default=None, max_length=200)
