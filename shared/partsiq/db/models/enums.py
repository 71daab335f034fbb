"""PostgreSQL enum types shared by the tables (Prisma maps each to a TypeScript union)."""

from __future__ import annotations

import enum


class JobStatus(enum.StrEnum):
    """Where a job is in its lifecycle."""

    PENDING = "PENDING"  #: row written (e.g. by the web app), message not yet published
    QUEUED = "QUEUED"  #: message published, waiting for a worker (rate-limit deferrals stay here)
    ACTIVE = "ACTIVE"  #: a worker holds the job's lease and runs it
    RETRYING = "RETRYING"  #: an attempt failed; another is scheduled (error kept)
    COMPLETED = "COMPLETED"  #: finished; ``result`` holds the outcome
    FAILED = "FAILED"  #: attempts exhausted or a non-retryable error; ``error`` says why


#: Statuses from which a job never moves again.
FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED})


class IntegrationProvider(enum.StrEnum):
    """External systems an organisation connects."""

    GMAIL = "GMAIL"
    IMAP = "IMAP"
    LOCAL_MAILBOX = "LOCAL_MAILBOX"


class IntegrationStatus(enum.StrEnum):
    """Whether an integration can be used."""

    ACTIVE = "ACTIVE"
    NEEDS_REAUTH = "NEEDS_REAUTH"  #: the grant was revoked; a person must reconnect it
    DISABLED = "DISABLED"


class MessageRole(enum.StrEnum):
    """Who wrote a conversation message."""

    USER = "USER"
    ASSISTANT = "ASSISTANT"
    SYSTEM = "SYSTEM"


class EmailClassification(enum.StrEnum):
    """What a supplier email is."""

    QUOTE = "QUOTE"
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"
    SHIPPING_NOTICE = "SHIPPING_NOTICE"
    INVOICE = "INVOICE"
    OTHER = "OTHER"


class EmailThreadStatus(enum.StrEnum):
    """Processing state of an email thread."""

    NEW = "NEW"
    PROCESSING = "PROCESSING"
    PROCESSED = "PROCESSED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


class QuoteStatus(enum.StrEnum):
    """Whether an extracted quote passed verification against its source."""

    PROCESSED = "PROCESSED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


class PartRelation(enum.StrEnum):
    """How one catalog part relates to another (``from`` -> ``to``)."""

    SUPERSEDED_BY = "SUPERSEDED_BY"  #: ``from`` is obsolete; order ``to`` instead
    ALTERNATE_OF = "ALTERNATE_OF"  #: interchangeable (stored once, read both ways)
    COMPONENT_OF = "COMPONENT_OF"  #: ``from`` is a component of the assembly ``to`` (with a quantity)
