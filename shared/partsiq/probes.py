"""What ``/healthz`` and ``/readyz`` check, and the periodic health log line."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg
import redis

from partsiq.errors import PortInUse
from partsiq.health import HealthServer, Probe
from partsiq.lease import Heartbeat
from partsiq.metrics import STARTED_AT
from partsiq.middleware.metrics import Metrics
from partsiq.runtime import Runtime

log = logging.getLogger("partsiq.health")


def liveness(heartbeat: Heartbeat) -> Probe:
    """Alive while the heartbeat thread ticks (three missed ticks: not alive), whatever Redis does."""

    def probe() -> tuple[bool, str]:
        now = time.monotonic()
        age, reached = now - heartbeat.last_tick, now - heartbeat.last_success
        reason = f"heartbeat {age:.1f} s ago, last reached redis/postgres {reached:.1f} s ago"
        return age < 3 * heartbeat.interval_s + 1, reason

    return probe


def deadline_liveness(what: str, deadline: Callable[[], float]) -> Probe:
    """Alive until the monotonic ``deadline()`` by which ``what`` must next happen has passed.

    For processes whose main loop is their pulse (the dispatcher, the scheduler): a loop stuck on
    a hung connection or a lost alarm misses its deadline, and the pod is restarted.
    """

    def probe() -> tuple[bool, str]:
        left = deadline() - time.monotonic()
        if left > 0:
            return True, f"next {what} due within {left:.0f} s"
        return False, f"{what} overdue by {-left:.1f} s"

    return probe


def readiness(rt: Runtime) -> Probe:
    """Ready while Redis and PostgreSQL both answer within a second or two."""
    client = redis.Redis.from_url(rt.settings.redis_url.get_secret_value(), socket_timeout=1, socket_connect_timeout=1)

    def probe() -> tuple[bool, str]:
        problems = []
        try:
            client.ping()
        except redis.RedisError as error:
            problems.append(f"redis: {error}")
        try:
            with psycopg.connect(rt.settings.psycopg_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as error:
            problems.append(f"postgres: {str(error).strip().splitlines()[0]}")
        return not problems, "; ".join(problems) or "redis and postgres reachable"

    return probe


def serve_health(rt: Runtime, live: Probe) -> HealthServer:
    """Start the process's /metrics, /healthz (``live``) and /readyz server on ``METRICS_PORT``."""
    port = rt.settings.metrics_port
    try:
        server = HealthServer(port, live=live, ready=readiness(rt))
    except OSError as error:
        raise PortInUse(
            f"cannot serve /metrics, /healthz and /readyz on port {port} ({error.strerror}): give each process "
            "on this host its own METRICS_PORT (0: any free port, logged)"
        ) from None
    server.start()
    return server


def start_health_log(service: str, metrics: Metrics, interval_s: float) -> None:
    """Log uptime and job counts every ``interval_s`` (the seed's "health checks every 5 minutes")."""

    def loop() -> None:
        while True:
            time.sleep(interval_s)
            uptime = int(time.time() - STARTED_AT)
            totals = metrics.totals
            log.info(
                "health: %s worker up %dh%02dm, jobs completed %d, retried %d, failed %d",
                service,
                uptime // 3600,
                uptime % 3600 // 60,
                totals["completed"],
                totals["retried"],
                totals["failed"],
            )

    threading.Thread(target=loop, name="partsiq-health-log", daemon=True).start()
