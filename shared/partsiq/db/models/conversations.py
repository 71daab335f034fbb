"""Chat conversations; search answers are appended as assistant messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partsiq.db.models.base import Base, created_at_column, id_column, updated_at_column
from partsiq.db.models.enums import MessageRole


class Conversation(Base):
    """A chat between a user of an organisation and the assistant."""

    __tablename__ = "Conversation"

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        "organizationId", ForeignKey("Organization.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class ConversationMessage(Base):
    """One message of a conversation; ``metadata`` carries structured content for the UI."""

    __tablename__ = "ConversationMessage"

    id: Mapped[str] = id_column()
    conversation_id: Mapped[str] = mapped_column(
        "conversationId", ForeignKey("Conversation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MessageRole] = mapped_column(Enum(MessageRole, name="MessageRole"))
    content: Mapped[str] = mapped_column(Text)
    message_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict, server_default="{}")
    #: The job that wrote it, if any (a re-run never appends a second answer).
    job_id: Mapped[str | None] = mapped_column("jobId", String, unique=True)
    created_at: Mapped[datetime] = created_at_column()
