"""Start-up checks that turn an unreachable Redis or PostgreSQL into one clear line."""

from __future__ import annotations

import psycopg
import redis

from partsiq.errors import ServiceUnreachable
from partsiq.settings import Settings, redact_url

START_REDIS = (
    "start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no) or set REDIS_URL"
)
START_POSTGRES = (
    "start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL"
)


def check_redis(settings: Settings) -> None:
    """Ping Redis; raise :class:`ServiceUnreachable` saying what to start."""
    url = settings.redis_url.get_secret_value()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as error:
        raise ServiceUnreachable(
            f"cannot reach Redis at {redact_url(url)} ({_first_line(error)}): {START_REDIS}"
        ) from None


def check_postgres(settings: Settings, *, schema: bool = True) -> None:
    """Connect to PostgreSQL (and check the schema is migrated); raise with what to do."""
    url = settings.psycopg_url
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            if schema and conn.execute("SELECT to_regclass('\"JobQueue\"')").fetchone() == (None,):
                raise ServiceUnreachable(f"database {redact_url(url)} has no schema: run `partsiq db upgrade`")
    except psycopg.OperationalError as error:
        text = _first_line(error)
        hint = "run `partsiq db upgrade` (it creates the database)" if "does not exist" in text else START_POSTGRES
        raise ServiceUnreachable(f"cannot reach PostgreSQL at {redact_url(url)} ({text}): {hint}") from None


def check_services(settings: Settings, *, schema: bool = True) -> None:
    """Both checks, Redis first."""
    check_redis(settings)
    check_postgres(settings, schema=schema)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
