"""The queue table: every job type, its queue, actor, payload, threads, limits and retries.

This is the single source read by worker start-up, the rate limiter, metrics, the
Kubernetes manifests and the docs. Change a number here, nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pydantic import BaseModel

from partsiq.errors import UnknownJobType
from partsiq.payloads import (
    CanaryPayload,
    EmailSyncPayload,
    Payload,
    QuoteExtractionPayload,
    RetentionPayload,
    SearchPayload,
)

#: The organizationId of jobs that belong to the platform, not to a customer.
PLATFORM_ORGANIZATION = "platform"


class Scope(StrEnum):
    """Who shares one rate-limit budget."""

    ORGANIZATION = "organization"  #: each organisation has its own budget
    GLOBAL = "global"  #: one budget for the whole deployment


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` job starts in any ``window_s`` seconds, per ``scope``."""

    limit: int
    window_s: float
    scope: Scope = Scope.ORGANIZATION

    _SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*(?:/\s*(organization|global))?\s*$")

    @classmethod
    def parse(cls, spec: str) -> RateLimit:
        """Read ``"10/60s"`` or ``"5/2s/global"`` (the RATE_LIMITS setting's format)."""
        match = cls._SPEC.match(spec)
        if not match or int(match[1]) < 1:
            raise ValueError(f"rate limit {spec!r} is not '<limit>/<seconds>s[/organization|global]'")
        return cls(int(match[1]), float(match[2]), Scope(match[3] or Scope.ORGANIZATION))

    def __str__(self) -> str:
        return f"{self.limit}/{self.window_s:g}s per {self.scope.value}"


@dataclass(frozen=True)
class RetryPolicy:
    """BullMQ's ``attempts: 3`` in Dramatiq terms, with backoff bounded to minutes."""

    #: Runs in total, the first included (Dramatiq ``max_retries`` = attempts - 1).
    max_attempts: int = 3
    #: First backoff (ms); doubles per retry, with jitter.
    min_backoff_ms: int = 5_000
    #: Longest backoff (ms).
    max_backoff_ms: int = 300_000


@dataclass(frozen=True)
class JobType:
    """One kind of job and everything that decides how it runs."""

    #: The ``jobType`` column and the name callers enqueue by.
    name: str
    #: Redis queue (Dramatiq queue name).
    queue: str
    #: Dramatiq actor name.
    actor: str
    #: Human name used in log lines: ``[Parts Search] Job abc started processing``.
    display: str
    payload: type[Payload]
    #: Longest a single attempt may run (seconds) before it is interrupted and retried.
    time_limit_s: int
    rate_limit: RateLimit | None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: False for the platform's own jobs, whose organizationId is :data:`PLATFORM_ORGANIZATION`.
    organization_scoped: bool = True
    #: Seconds the job aims to answer within; steps still running then are reported as late (degraded).
    budget_s: float | None = None
    #: Per-step timeouts (seconds), e.g. each search agent's.
    step_timeouts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Service:
    """A deployable worker: one container image, one Dramatiq process per replica."""

    name: str
    #: Module whose import declares the service's actors.
    module: str
    #: Worker threads per process.
    threads: int
    job_types: tuple[JobType, ...]

    @property
    def queues(self) -> frozenset[str]:
        """The Redis queues this service consumes."""
        return frozenset(job_type.queue for job_type in self.job_types)


SERVICES: dict[str, Service] = {
    service.name: service
    for service in (
        Service(
            name="parts-search",
            module="parts_search.actors",
            threads=5,
            job_types=(
                JobType(
                    name="search",
                    queue="parts-search",
                    actor="parts_search",
                    display="Parts Search",
                    payload=SearchPayload,
                    time_limit_s=120,
                    rate_limit=RateLimit(10, 60),
                    budget_s=5.0,
                    step_timeouts=(("catalog", 2.0), ("semantic", 3.0), ("relationships", 2.0)),
                ),
            ),
        ),
        Service(
            name="email-monitor",
            module="email_monitor.actors",
            threads=3,
            job_types=(
                JobType(
                    name="email-sync",
                    queue="email-monitor",
                    actor="email_monitor",
                    display="Email Monitor",
                    payload=EmailSyncPayload,
                    time_limit_s=600,
                    # Gmail's quota is per mailbox, hence per organisation.
                    rate_limit=RateLimit(5, 60),
                ),
            ),
        ),
        Service(
            name="quote-extraction",
            module="quote_extraction.actors",
            threads=3,
            job_types=(
                JobType(
                    name="quote-extraction",
                    queue="quote-extraction",
                    actor="quote_extraction",
                    display="Quote Extraction",
                    payload=QuoteExtractionPayload,
                    time_limit_s=300,
                    rate_limit=RateLimit(10, 60),
                ),
            ),
        ),
        Service(
            name="platform",
            module="partsiq.platform_jobs",
            threads=2,
            job_types=(
                JobType(
                    name="canary",
                    queue="platform",
                    actor="canary",
                    display="Canary",
                    payload=CanaryPayload,
                    time_limit_s=660,
                    rate_limit=RateLimit(60, 60),
                    retry=RetryPolicy(min_backoff_ms=1_000, max_backoff_ms=10_000),
                ),
                JobType(
                    name="retention",
                    queue="platform",
                    actor="retention",
                    display="Retention",
                    payload=RetentionPayload,
                    time_limit_s=600,
                    rate_limit=None,
                    organization_scoped=False,
                ),
            ),
        ),
    )
}


def job_types() -> dict[str, JobType]:
    """Every job type by name."""
    return {jt.name: jt for service in SERVICES.values() for jt in service.job_types}


def job_type(name: str) -> JobType:
    """The job type called ``name``; the error lists the known ones."""
    try:
        return job_types()[name]
    except KeyError:
        raise UnknownJobType(f"unknown job type {name!r} (known: {', '.join(sorted(job_types()))})") from None


def job_type_for_actor(actor_name: str) -> JobType | None:
    """The job type an actor runs, or None for actors outside the table."""
    return next((jt for jt in job_types().values() if jt.actor == actor_name), None)


def with_overrides(job: JobType, overrides: dict[str, str]) -> JobType:
    """``job`` with its rate limit replaced by the RATE_LIMITS setting, if it names it."""
    spec = overrides.get(job.name)
    if spec is None:
        return job
    return replace(job, rate_limit=None if spec.strip().lower() == "none" else RateLimit.parse(spec))


def payload_schemas() -> dict[str, dict[str, object]]:
    """The JSON Schema of each job type's payload, by job type name."""
    schemas: dict[str, dict[str, object]] = {}
    for name, jt in sorted(job_types().items()):
        model: type[BaseModel] = jt.payload
        schemas[name] = model.model_json_schema()
    return schemas
