"""``partsiq demo``: the platform end to end on sample data, read back from the database.

Sets up two sample organisations and their suppliers, starts the dispatcher and
worker processes, enqueues a mix of jobs that exercise every path (rate-limit
deferrals, a retried job, a job that fails for good, an unknown organisation, a
duplicate enqueue), stores the sample supplier mail and extracts its quotes, waits
for everything, stops the workers with SIGTERM and prints what the JobQueue and
QuoteRequest tables say happened.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from partsiq import runtime
from partsiq.db import Database
from partsiq.db.models import (
    FINAL_STATUSES,
    Conversation,
    ConversationMessage,
    EmailMessage,
    IntegrationProvider,
    JobQueue,
    Organization,
    QuoteRequest,
    QuoteRequestItem,
    Supplier,
)
from partsiq.errors import PayloadInvalid
from partsiq.ids import new_id
from partsiq.integrations import connect
from partsiq.jobs import enqueue
from partsiq.settings import Settings
from partsiq.suppliers import import_suppliers

ORGANIZATIONS = {"org_demo_acme": "Acme Mining Co.", "org_demo_globex": "Globex Earthmoving"}
#: The demo tightens the canary's limit so deferrals show within seconds.
DEMO_RATE_LIMITS = {"canary": "4/2s"}


#: The mail pipeline's services are installed (``make install`` installs every service).
MAIL_INSTALLED = all(importlib.util.find_spec(s) is not None for s in ("email_monitor", "quote_extraction"))
#: The organisation whose mailbox receives the sample supplier mail.
DEMO_MAIL_ORG = "org_demo_acme"

#: The parts-search service is installed.
SEARCH_INSTALLED = importlib.util.find_spec("parts_search") is not None

#: Where the demo's workers write their logs.
WORKER_LOG = Path("demo-workers.log")


def _start_processes(commands: list[list[str]]) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "RATE_LIMITS": json.dumps(DEMO_RATE_LIMITS), "METRICS_PORT": "0"}
    log = WORKER_LOG.open("ab")
    return [
        subprocess.Popen([sys.executable, "-m", "partsiq", *command], env=env, stdout=log, stderr=log)
        for command in commands
    ]


def run(settings: Settings, samples: Path) -> None:
    """Run the demo and print its report."""
    rt = runtime.start(settings)
    _seed(rt.database, samples)
    run_id = new_id()[-6:]
    click.echo(
        f"\n== starting the dispatcher and 2 platform workers (canary limited to {DEMO_RATE_LIMITS['canary']}) =="
    )
    commands = [["dispatcher"], ["worker", "platform"], ["worker", "platform"]]
    if MAIL_INSTALLED:
        click.echo("== and an email-monitor and a quote-extraction worker ==")
        commands += [["worker", "email-monitor"], ["worker", "quote-extraction"]]
    if SEARCH_INSTALLED:
        _import_catalog(rt.database, samples / "catalog" / "parts.csv")
        click.echo("== and a parts-search worker ==")
        commands.append(["worker", "parts-search"])
    workers = _start_processes(commands)
    try:
        job_ids = _enqueue_jobs(run_id)
        job_ids.append(_insert_as_the_web_app(rt.database, run_id))
        if MAIL_INSTALLED:
            job_ids.append(_sync_sample_mailbox(rt.database, samples / "mail"))
        searches = _ask(rt.database, samples / "catalog" / "parts.csv") if SEARCH_INSTALLED else []
        _wait(rt.database, job_ids + searches, timeout=180)
        quote_jobs = _quote_jobs(rt.database) if MAIL_INSTALLED else []
        if quote_jobs:
            click.echo(f"{len(quote_jobs)} quote-extraction jobs for {DEMO_MAIL_ORG} (the sync's, earlier runs' too)")
            _wait(rt.database, quote_jobs, timeout=180)
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=60) for proc in workers]
    click.echo(f"dispatcher and workers stopped with SIGTERM, exit codes {codes}; their log: {WORKER_LOG}")
    _report(rt.database, job_ids)
    if MAIL_INSTALLED:
        _report_mail(rt.database)
        _report_quotes(rt.database)
    if searches:
        _report_searches(rt.database, searches)


def _seed(database: Database, samples: Path) -> None:
    click.echo("== sample organisations and suppliers ==")
    with database.session() as session:
        for org_id, name in ORGANIZATIONS.items():
            if session.get(Organization, org_id) is None:
                session.add(Organization(id=org_id, name=name))
    report = import_suppliers(database, "org_demo_acme", samples / "suppliers.csv")
    click.echo(
        f"suppliers for org_demo_acme: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} rejected"
    )
    for line, reason in report.errors:
        click.echo(f"  suppliers.csv:{line}: {reason}")


def _enqueue_jobs(run_id: str) -> list[str]:
    click.echo("== enqueueing jobs ==")
    jobs: list[tuple[str, dict[str, Any]]] = [
        *(("org_demo_acme", {"note": f"burst {i + 1} of 10"}) for i in range(10)),
        ("org_demo_globex", {"note": "another organisation, its own budget"}),
        ("org_demo_globex", {"failTimes": 2, "note": "fails twice, then succeeds"}),
        ("org_demo_globex", {"failTimes": 5, "note": "always fails"}),
        ("org_does_not_exist", {"note": "unknown organisation"}),
    ]
    ids = [enqueue("canary", org, payload, job_id=f"demo-{run_id}-{n:02d}") for n, (org, payload) in enumerate(jobs)]
    again = enqueue("canary", "org_demo_acme", {"note": "burst 1 of 10"}, job_id=ids[0])
    click.echo(f"enqueued {len(ids)} jobs; enqueueing {ids[0]} again returned {again} (no second job)")
    try:
        enqueue("canary", "org_demo_acme", {"sleepSeconds": -1})
    except PayloadInvalid as error:
        click.echo(f"refused at enqueue: {error}")
    return ids


def _insert_as_the_web_app(database: Database, run_id: str) -> str:
    """A PENDING row written with plain SQL, as Prisma would; the dispatcher publishes it."""
    job_id = f"demo-{run_id}-web"
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", data) '
            "VALUES (%(id)s, %(job_id)s, 'platform', 'canary', 'PENDING', 'org_demo_acme', %(data)s)",
            {"id": new_id(), "job_id": job_id, "data": json.dumps({"note": "inserted by the web app as PENDING"})},
        )
    click.echo(f"inserted {job_id} as the web app would (status PENDING): the dispatcher publishes it")
    return job_id


def _sync_sample_mailbox(database: Database, folder: Path) -> str:
    """Connect ``folder`` as the demo organisation's mailbox and enqueue a sync of it."""
    with database.session() as session:
        connect(session, DEMO_MAIL_ORG, IntegrationProvider.LOCAL_MAILBOX, {"path": str(folder.resolve())})
    job_id = enqueue("email-sync", DEMO_MAIL_ORG, {"trigger": "manual"})
    click.echo(f"connected {folder} as {DEMO_MAIL_ORG}'s mailbox; enqueued email-sync {job_id}")
    return job_id


def _quote_jobs(database: Database) -> list[str]:
    """The quote-extraction jobs the mailbox sync enqueued."""
    with database.session() as session:
        return list(
            session.scalars(
                select(JobQueue.job_id).where(
                    JobQueue.organization_id == DEMO_MAIL_ORG, JobQueue.job_type == "quote-extraction"
                )
            )
        )


def _import_catalog(database: Database, path: Path) -> None:
    from parts_search.backends import build
    from parts_search.catalog import import_catalog
    from parts_search.settings import PartsSearchSettings

    backends = build(PartsSearchSettings(**database.settings.model_dump()), database)
    click.echo("importing the sample catalog and embedding its parts on the CPU (about a minute the first time)")
    try:
        report = import_catalog(database, DEMO_MAIL_ORG, path, backends)
    finally:
        backends.close()
    click.echo(
        f"catalog for {DEMO_MAIL_ORG}: {report.rows} rows, {report.created} parts created, "
        f"{report.unchanged} unchanged, {len(report.errors)} rows refused; {report.index['embedded']} parts "
        f"embedded ({backends.embedder.name}, index {backends.index.name}, graph {backends.graph.name})"
    )
    for line, reason in report.errors:
        click.echo(f"  {path.name}:{line}: {reason}")


def _ask(database: Database, catalog: Path) -> list[str]:
    """Three questions in a demo conversation: an obsolete part number, a description, a paraphrase."""
    import csv

    with catalog.open() as f:
        rows = list(csv.DictReader(f))
    by_key = {f"{r['manufacturer']}:{r['part_number']}": r for r in rows}
    obsolete = next(r for r in rows if r["superseded_by"] and by_key[r["superseded_by"]]["superseded_by"])
    with database.session() as session:
        conversation = Conversation(organization_id=DEMO_MAIL_ORG, title="demo: parts questions")
        session.add(conversation)
        session.flush()
        conversation_id = conversation.id
    queries = [
        obsolete["part_number"].lower().replace("-", " "),
        "hydraulic pump for CAT 320D",
        "gasket kit to reseal a leaking boom ram",  # no catalog word for "gasket" or "ram": found by meaning
    ]
    click.echo(f"asked parts-search: {', '.join(repr(q) for q in queries)}")
    return [enqueue("search", DEMO_MAIL_ORG, {"conversationId": conversation_id, "query": q}) for q in queries]


def _report_searches(database: Database, job_ids: list[str]) -> None:
    click.echo("\n== ConversationMessage: the parts-search answers, read back from PostgreSQL ==")
    with database.session() as session:
        for job_id in job_ids:
            content = session.scalar(select(ConversationMessage.content).where(ConversationMessage.job_id == job_id))
            click.echo(f"{content or '(no answer: see the job)'}\n")


def _report_mail(database: Database) -> None:
    click.echo("\n== EmailMessage, read back from PostgreSQL ==")
    click.echo(f"{'subject':<44} {'supplier':<27} classification")
    with database.session() as session:
        rows = session.execute(
            select(EmailMessage.subject, Supplier.name, EmailMessage.classification)
            .outerjoin(Supplier, Supplier.id == EmailMessage.supplier_id)
            .where(EmailMessage.organization_id == DEMO_MAIL_ORG)
            .order_by(EmailMessage.classification, EmailMessage.subject)
        ).all()
    for subject, supplier, classification in rows:
        click.echo(f"{(subject or '')[:44]:<44} {(supplier or 'unmatched')[:27]:<27} {classification.value}")


def _report_quotes(database: Database) -> None:
    click.echo("\n== QuoteRequest, read back from PostgreSQL ==")
    click.echo(f"{'subject':<36} {'supplier':<27} {'status':<12} {'total':>12} cur items  findings")
    with database.session() as session:
        rows = session.execute(
            select(EmailMessage.subject, Supplier.name, QuoteRequest)
            .join(QuoteRequest, QuoteRequest.email_message_id == EmailMessage.id)
            .outerjoin(Supplier, Supplier.id == QuoteRequest.supplier_id)
            .where(EmailMessage.organization_id == DEMO_MAIL_ORG)
            .order_by(EmailMessage.subject)
        ).all()
        counts = dict(
            session.execute(
                select(QuoteRequestItem.quote_request_id, func.count())
                .where(QuoteRequestItem.quote_request_id.in_([q.id for _, _, q in rows]))
                .group_by(QuoteRequestItem.quote_request_id)
            ).all()
        )
    for subject, supplier, quote in rows:
        errors = ", ".join(f["check"] for f in quote.findings if f["severity"] == "error") or "-"
        click.echo(
            f"{(subject or '')[:36]:<36} {(supplier or '?')[:27]:<27} {quote.status.value:<12} "
            f"{'-' if quote.total is None else f'{quote.total:,.2f}':>12} {quote.currency or '-':<3} "
            f"{counts.get(quote.id, 0):>5}  {errors}"
        )
    click.echo(
        "PROCESSED quotes passed verification (every number found in the mail, lines reconcile with the total); "
        "NEEDS_REVIEW ones are stored with their findings for a person to check."
    )


def _wait(database: Database, job_ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.session() as session:
            statuses = session.scalars(select(JobQueue.status).where(JobQueue.job_id.in_(job_ids))).all()
        done = sum(status in FINAL_STATUSES for status in statuses)
        click.echo(f"  {done}/{len(job_ids)} jobs finished", nl=True)
        if done == len(job_ids):
            return
        time.sleep(2)
    raise click.ClickException(f"jobs not finished after {timeout:g} s")


def _report(database: Database, job_ids: list[str]) -> None:
    click.echo("\n== JobQueue, read back from PostgreSQL ==")
    click.echo(f"{'jobId':<18} {'organization':<19} {'status':<9} att  {'queued->started':>15}  outcome")
    with database.session() as session:
        rows = session.scalars(select(JobQueue).where(JobQueue.job_id.in_(job_ids)).order_by(JobQueue.job_id)).all()
    first_start = min((r.started_at for r in rows if r.started_at), default=None)
    for row in rows:
        wait = (row.started_at - row.created_at).total_seconds() if row.started_at else 0.0
        note = (row.data or {}).get("note", "")
        outcome = row.error.splitlines()[0][:90] if row.error else f"ok: {note}"
        click.echo(
            f"{row.job_id:<18} {row.organization_id:<19} {row.status.value:<9} {row.attempts:>3}  "
            f"{wait:>14.1f}s  {outcome}"
        )
    acme = sorted(
        r.started_at for r in rows if r.organization_id == "org_demo_acme" and r.started_at and "burst" in str(r.data)
    )
    if first_start and len(acme) > 1:
        click.echo(
            f"\n10 org_demo_acme jobs under 4/2s started over {(acme[-1] - acme[0]).total_seconds():.1f} s "
            "(deferred, not failed: every one used 1 attempt)"
        )
