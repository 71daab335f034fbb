"""``partsiq catalog import FILE --org ID`` loads a parts catalog; ``partsiq search QUERY --org ID`` asks it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from parts_search.catalog import import_catalog
from partsiq import runtime
from partsiq.connectivity import check_services
from partsiq.db import Database
from partsiq.db.models import Conversation, ConversationMessage, JobStatus
from partsiq.jobs import enqueue, wait_for_job
from partsiq.settings import Settings

if TYPE_CHECKING:
    from parts_search.backends import Backends


@click.group("catalog")
def command() -> None:
    """The parts catalog."""


@command.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "organization_id", required=True, help="The organisation whose catalog this is.")
@click.pass_obj
def import_(settings: Settings, path: Path, organization_id: str) -> None:
    """Validate each row (bad ones are reported by line and skipped), upsert the good ones, index them."""
    with _backends(settings) as backends:
        report = import_catalog(backends.database, organization_id, path, backends, progress=_progress)
    for line, reason in report.errors:
        click.echo(f"{path.name}:{line}: {reason}", err=True)
    click.echo(
        f"{report.rows} rows: {report.created} parts created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.relationships} relationships and {report.fitments} fitments in the file (added or kept), "
        f"{len(report.errors)} problems; {_indexed(report.index)}"
    )


@command.command("reindex")
@click.option("--org", "organization_id", required=True)
@click.option("--resend", is_flag=True, help="Send every stored vector again (a new or emptied remote index).")
@click.pass_obj
def reindex(settings: Settings, organization_id: str, resend: bool) -> None:
    """Embed the organisation's changed parts and bring the vector index and graph in step."""
    with _backends(settings) as backends:
        result = backends.sync(organization_id, resend=resend, progress=_progress)
    click.echo(_indexed(result))


@contextmanager
def _backends(settings: Settings) -> Iterator[Backends]:
    """The configured backends on a database of their own, closed after the block."""
    # Imported here: every `partsiq` command loads this module, and the backends bring numpy.
    from parts_search.backends import build
    from parts_search.settings import PartsSearchSettings

    database = Database(settings)
    backends = build(PartsSearchSettings(**settings.model_dump()), database)
    try:
        yield backends
    finally:
        backends.close()
        database.dispose()


def _progress(done: int, total: int) -> None:
    click.echo(f"embedded {done}/{total} parts", err=True)


def _indexed(result: dict[str, object]) -> str:
    text = f"{result['embedded']} parts embedded, {result['unchanged']} unchanged, {result['sent']} vectors sent"
    graph = result.get("graph")
    if isinstance(graph, dict):
        text += f"; graph: {graph['parts']} parts, {graph['models']} models, {graph['edges']} edges merged"
    return text


@click.command("search")
@click.argument("query")
@click.option("--org", "organization_id", required=True)
@click.option("--conversation", "conversation_id", default=None, help="Default: a new conversation.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the answer.")
@click.pass_obj
def search_command(
    settings: Settings, query: str, organization_id: str, conversation_id: str | None, as_json: bool, timeout: float
) -> None:
    """Ask the parts-search workers QUERY for an organisation, wait and print the answer."""
    check_services(settings)
    rt = runtime.start(settings)
    try:
        if conversation_id is None:
            with rt.database.session() as session:
                conversation = Conversation(organization_id=organization_id, title=f"partsiq search: {query}"[:200])
                session.add(conversation)
                session.flush()
                conversation_id = conversation.id
        job_id = enqueue("search", organization_id, {"conversationId": conversation_id, "query": query})
        row = wait_for_job(rt.database, job_id, timeout)
    finally:
        rt.close()
    if row is None:
        raise click.ClickException(f"no answer after {timeout:g} s (job {job_id}; are parts-search workers running?)")
    if row.status is not JobStatus.COMPLETED:
        raise click.ClickException(f"search failed: {row.error}")
    if as_json:
        click.echo(json.dumps(row.result, indent=2))
        return
    with rt.database.session() as session:
        message = session.scalar(select(ConversationMessage.content).where(ConversationMessage.job_id == job_id))
    click.echo(message)
