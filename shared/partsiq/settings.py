"""Settings shared by every PartsIQ process.

One pydantic-settings base, read from the environment (and an optional ``.env``
file). Services subclass :class:`Settings` and add fields with their own prefix;
each entrypoint instantiates its settings object once and passes it down.

The defaults point at a fresh development machine (Redis and PostgreSQL on
127.0.0.1) so that nothing needs configuring to run the demo or the tests.
"""

from __future__ import annotations

import json
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Placeholder values that must never reach production.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "..."})


class Settings(BaseSettings):
    """Connection, logging and worker settings common to every service."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    #: ``development`` relaxes the secret checks; anything else is production-like.
    environment: Literal["development", "test", "production"] = "development"

    #: Redis used as the Dramatiq broker. ``rediss://`` for TLS hosts (for example
    #: Upstash's Redis endpoint). Upstash's *REST* URL/token cannot be used by Dramatiq.
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    #: Prefix of every Redis key the broker writes (several deployments may share a Redis).
    redis_namespace: str = "partsiq"

    #: PostgreSQL holding the JobQueue table and the shared schema.
    database_url: SecretStr = SecretStr("postgresql+psycopg://postgres@127.0.0.1:5432/partsiq")

    #: Comma-separated ``keyid:base64key`` AES-256 keys; the first encrypts, all decrypt.
    #: Empty in development means integrations cannot be stored (a clear error says so).
    credentials_encryption_key: SecretStr = SecretStr("")

    #: Python log level for the root logger.
    log_level: str = "INFO"
    #: ``text`` (human lines, the seed's format) or ``json`` (one object per line for log shippers).
    log_format: Literal["text", "json"] = "text"

    #: A worker whose Dramatiq heartbeat is older than this is dead: its unacknowledged
    #: messages are redelivered (milliseconds).
    heartbeat_timeout_ms: int = 20_000
    #: Chance per million broker commands that a worker runs queue maintenance (the step that
    #: redelivers a dead worker's messages). Dramatiq's default (1,000) can take many minutes
    #: on a quiet queue; 50,000 brings a crashed worker's jobs back in well under a minute.
    maintenance_chance: int = 50_000
    #: Seconds a running job's lease lasts without renewal; renewed every third of it.
    lease_seconds: int = 20
    #: Seconds running jobs get to finish after the first SIGTERM (the pod's
    #: terminationGracePeriodSeconds must exceed this).
    shutdown_timeout_s: int = 600
    #: Per-job-type rate-limit overrides, JSON: ``{"search": "20/60s", "email-sync": "5/60s/global"}``.
    rate_limits: dict[str, str] = Field(default_factory=dict)
    #: Port of the process's /metrics, /healthz and /readyz server (0: any free port, logged).
    metrics_port: int = 9191
    #: How often a worker logs its uptime and job counts (s).
    health_log_interval_s: float = 300
    #: Retention: COMPLETED rows older than this are deleted (days).
    retention_completed_days: float = 30
    #: Retention: FAILED rows older than this are deleted (days).
    retention_failed_days: float = 90
    #: Retention: dead-letter messages older than this are dropped from Redis (days).
    retention_dead_letter_days: float = 7
    #: The dispatcher publishes PENDING rows on NOTIFY, and sweeps for them this often anyway (s).
    dispatcher_sweep_s: float = 2
    #: How often the dispatcher looks for jobs whose message Redis lost (s).
    dispatcher_recovery_s: float = 30
    #: A waiting job is only treated as lost once its row has not changed for this long (s).
    dispatcher_grace_s: float = 60
    #: Messages each worker process fetches ahead of its threads (0: equal to the thread count).
    prefetch: int = 0

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr) -> SecretStr:
        scheme = urlsplit(value.get_secret_value()).scheme
        if scheme not in {"redis", "rediss", "unix"}:
            raise ValueError(
                f"REDIS_URL must start with redis:// or rediss:// (got {scheme!r}); Upstash's "
                "REST URL (https://...) cannot carry a Dramatiq broker, use its rediss:// endpoint"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix) :]
        if not url.startswith("postgresql+psycopg://"):
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return SecretStr(url)

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _rate_limits_json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("credentials_encryption_key")
    @classmethod
    def _no_placeholder_key(cls, value: SecretStr, info: object) -> SecretStr:
        data = getattr(info, "data", {})
        if data.get("environment") == "production" and (
            value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("CREDENTIALS_ENCRYPTION_KEY must be set to a real key in production")
        return value

    @property
    def psycopg_url(self) -> str:
        """DATABASE_URL as plain libpq accepts it (no SQLAlchemy driver suffix)."""
        return self.database_url.get_secret_value().replace("postgresql+psycopg://", "postgresql://")


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, safe to log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
