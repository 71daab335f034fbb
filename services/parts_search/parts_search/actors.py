"""The ``search`` job: answer a parts question in a conversation (seed: ``partsSearchQueue.add('search', ...)``)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import dramatiq
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from parts_search import metrics
from parts_search.backends import Backends, build
from parts_search.orchestrator import search
from parts_search.settings import settings
from partsiq import runtime
from partsiq.db.models import Conversation, ConversationMessage, MessageRole
from partsiq.errors import PayloadInvalid
from partsiq.ids import new_id
from partsiq.jobs import JobContext, job
from partsiq.payloads import SearchPayload

log = logging.getLogger("parts_search")
_backends: Backends | None = None
_backends_lock = threading.Lock()


def backends() -> Backends:
    """The process's agents and stores (the embedding model and vector matrices load once)."""
    global _backends
    with _backends_lock:
        if _backends is None:
            _backends = build(settings(), runtime.current().database)
        return _backends


class WarmUp(dramatiq.Middleware):
    """Load the embedding model when the worker boots, before it takes jobs, not in a search's budget."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        log.info("loading the embedding model before taking jobs")
        try:
            backends().warm_up()
        except Exception as error:  # noqa: BLE001 (searches still run, the semantic source is reported down)
            log.warning("semantic search unavailable in this worker: %s", error)


dramatiq.get_broker().add_middleware(WarmUp())


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
    started = time.monotonic()
    answer = search(
        database,
        payload.organizationId,
        payload.query,
        backends().agents(),
        timeouts=dict(jt.step_timeouts),
        budget_s=jt.budget_s or 5.0,
        progress=context.progress,
    )
    metrics.observe(answer, time.monotonic() - started)
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
