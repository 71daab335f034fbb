"""Every table of the shared schema (Alembic owns it; the web app introspects it with Prisma)."""

from partsiq.db.models.base import Base
from partsiq.db.models.catalog import EquipmentModel, Part, PartEmbedding, PartFitment, PartRelationship
from partsiq.db.models.conversations import Conversation, ConversationMessage
from partsiq.db.models.email import EmailAttachment, EmailMessage, EmailThread
from partsiq.db.models.enums import (
    FINAL_STATUSES,
    EmailClassification,
    EmailThreadStatus,
    IntegrationProvider,
    IntegrationStatus,
    JobStatus,
    MessageRole,
    PartRelation,
    QuoteStatus,
)
from partsiq.db.models.jobs import JobQueue
from partsiq.db.models.organizations import Integration, Organization, Supplier
from partsiq.db.models.quotes import QuoteRequest, QuoteRequestItem

__all__ = [
    "FINAL_STATUSES",
    "Base",
    "Conversation",
    "ConversationMessage",
    "EmailAttachment",
    "EmailClassification",
    "EmailMessage",
    "EmailThread",
    "EmailThreadStatus",
    "EquipmentModel",
    "Integration",
    "IntegrationProvider",
    "IntegrationStatus",
    "JobQueue",
    "JobStatus",
    "MessageRole",
    "Organization",
    "Part",
    "PartFitment",
    "PartRelation",
    "PartEmbedding",
    "PartRelationship",
    "QuoteRequest",
    "QuoteRequestItem",
    "QuoteStatus",
    "Supplier",
]
