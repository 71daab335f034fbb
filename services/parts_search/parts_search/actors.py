"""The ``search`` job: answer a parts question in a conversation (seed: ``partsSearchQueue.add('search', ...)``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from parts_search.agents import Agent
from parts_search.agents.catalog import CatalogAgent
from parts_search.agents.relationships import RelationshipAgent
from parts_search.orchestrator import search
from partsiq import runtime
from partsiq.db.models import Conversation, ConversationMessage, MessageRole
from partsiq.errors import PayloadInvalid
from partsiq.ids import new_id
from partsiq.jobs import JobContext, job
from partsiq.payloads import SearchPayload


@job("search")
def parts_search(context: JobContext, payload: SearchPayload) -> dict[str, Any]:
    """Search, store the answer as the assistant's message (once per job), return it."""
    database = runtime.current().database
    with database.session() as session:
        conversation = session.scalar(
            select(Conversation.id).where(
                Conversation.id == payload.conversationId, Conversation.organization_id == payload.organizationId
            )
        )
    if conversation is None:
        raise PayloadInvalid(
            f"conversation {payload.conversationId!r} not found in organization {payload.organizationId!r}"
        )
    context.progress(10, "searching")
    jt = context.job_type
    agents: list[Agent] = [CatalogAgent(database), RelationshipAgent(database)]
    answer = search(
        database,
        payload.organizationId,
        payload.query,
        agents,
        timeouts=dict(jt.step_timeouts),
        budget_s=jt.budget_s or 5.0,
        progress=context.progress,
    )
    result = answer.as_json()
    with database.session() as session:
        statement = insert(ConversationMessage.__table__).values(  # type: ignore[arg-type]
            id=new_id(),
            conversationId=payload.conversationId,
            role=MessageRole.ASSISTANT.value,
            content=answer.text(),
            metadata={"type": "parts-search", **result},
            jobId=context.job_id,
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["jobId"],
                set_={"content": statement.excluded.content, "metadata": statement.excluded.metadata},
            )
        )
    return result
