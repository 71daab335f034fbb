"""``partsiq queues``: backlog per queue, jobs by status, workers alive."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from partsiq import runtime
from partsiq.broker_state import queue_depths, workers_alive
from partsiq.connectivity import check_services
from partsiq.db.models import JobQueue
from partsiq.queues import job_types
from partsiq.settings import Settings


@click.command("queues")
@click.pass_obj
def command(settings: Settings) -> None:
    """Messages per queue (ready, in flight, delayed: retries and deferrals, dead) and job rows by status."""
    check_services(settings)
    rt = runtime.start(settings)
    queues = sorted({jt.queue for jt in job_types().values()})
    depths = queue_depths(rt.broker.client, settings.redis_namespace, queues)
    with rt.database.session() as session:
        counts = session.execute(
            select(JobQueue.queue_name, JobQueue.status, func.count()).group_by(JobQueue.queue_name, JobQueue.status)
        ).all()
    by_queue: dict[str, list[str]] = {}
    for queue, status, count in counts:
        by_queue.setdefault(queue, []).append(f"{status.value}={count}")
    click.echo(f"{'queue':<18}{'ready':>7}{'in flight':>11}{'delayed':>9}{'dead':>6}  rows")
    for queue in queues:
        d = depths[queue]
        rows = " ".join(sorted(by_queue.get(queue, []))) or "-"
        click.echo(f"{queue:<18}{d.ready:>7}{d.in_flight:>11}{d.delayed:>9}{d.dead:>6}  {rows}")
    alive = workers_alive(rt.broker.client, settings.redis_namespace, settings.heartbeat_timeout_ms)
    click.echo(f"workers alive: {alive}")
