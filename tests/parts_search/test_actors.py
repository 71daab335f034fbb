"""The search job in a real worker process: the answer is stored in the conversation, once per job."""

from __future__ import annotations

import signal
import subprocess
import sys

from sqlalchemy import select

from partsiq import runtime
from partsiq.db.models import Conversation, ConversationMessage, JobStatus, MessageRole
from partsiq.jobs import enqueue
from partsiq.worker import RET_OK
from tests.parts_search.conftest import ROWS
from tests.support.jobs import wait_for_status
from tests.support.metrics import scrape
from tests.support.processes import settings_env
from tests.support.waiting import wait_for

PUMP = next(r for r in ROWS if r["name"] == "Main hydraulic pump")


def conversation(database, organization: str) -> str:
    with database.session() as session:
        row = Conversation(organization_id=organization, title="pumps")
        session.add(row)
        session.flush()
        return row.id


def test_a_search_job_stores_its_answer_as_an_assistant_message_and_returns_it(
    settings, database, worker_process, catalog
):
    conversation_id = conversation(database, catalog)
    worker = worker_process("parts-search")
    worker.wait_started()
    producer = runtime.start(settings)
    payload = {"conversationId": conversation_id, "query": PUMP["part_number"]}
    job_id = enqueue("search", catalog, payload)
    again = enqueue("search", catalog, payload, job_id=job_id)
    producer.close()

    row = wait_for_status(database, job_id, timeout=60)

    assert again == job_id
    assert row.status is JobStatus.COMPLETED, row.error
    assert row.result["parts"][0]["partNumber"] == PUMP["part_number"] and row.progress == 100
    assert set(row.result["sources"]) == {"catalog", "semantic", "relationships"} and row.result["degraded"] is False
    with database.session() as session:
        messages = session.scalars(
            select(ConversationMessage).where(ConversationMessage.conversation_id == conversation_id)
        ).all()
    assert len(messages) == 1
    assert messages[0].role is MessageRole.ASSISTANT and messages[0].job_id == job_id
    assert PUMP["part_number"] in messages[0].content
    assert messages[0].message_metadata["parts"][0]["partId"] == row.result["parts"][0]["partId"]
    body = scrape(worker)
    for agent in ("catalog", "semantic", "relationships"):
        assert f'partsiq_search_agent_seconds_count{{agent="{agent}",outcome="ok"}} 1.0' in body
    assert 'partsiq_search_answers_total{degraded="false",found="true"} 1.0' in body


def test_a_search_in_a_conversation_of_another_organization_fails_at_once(
    settings, database, worker_process, catalog, other_org
):
    conversation_id = conversation(database, other_org)
    worker_process("parts-search").wait_started()
    producer = runtime.start(settings)
    job_id = enqueue("search", catalog, {"conversationId": conversation_id, "query": "pump"})
    producer.close()

    row = wait_for_status(database, job_id, timeout=60)

    assert row.status is JobStatus.FAILED and row.attempts == 1
    assert "not found in organization" in row.error


def test_the_cli_asks_the_workers_and_prints_the_answer(settings, database, worker_process, catalog):
    worker_process("parts-search").wait_started()

    done = subprocess.run(
        [sys.executable, "-m", "partsiq", "search", f"CAT {PUMP['part_number']}", "--org", catalog],
        capture_output=True,
        text=True,
        env=settings_env(settings),
        timeout=90,
    )

    assert done.returncode == 0, done.stderr
    assert f"1. **{PUMP['manufacturer']} {PUMP['part_number']}**" in done.stdout


def test_a_worker_signalled_while_it_loads_the_model_stops_cleanly_without_taking_a_job(settings, worker_process):
    worker = worker_process("parts-search")
    wait_for(lambda: "loading the embedding model" in worker.log, timeout=60, what="the model to start loading")

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=90) == RET_OK
    assert "worker parts-search stopped before it started" in worker.log
