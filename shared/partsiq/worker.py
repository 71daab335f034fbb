"""``partsiq worker SERVICE``: one Dramatiq worker process for one service of the queue table.

Shutdown is two-stage. The first SIGTERM (or Ctrl+C) stops fetching, hands
prefetched messages back to Redis and lets running jobs finish within
SHUTDOWN_TIMEOUT_S, then closes connections and exits 0. A second signal exits at
once (1); whatever was running is redelivered once this worker's heartbeat lapses,
and its lapsed lease lets it run again without a second row.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from types import FrameType

import dramatiq

from partsiq import runtime
from partsiq.connectivity import check_services
from partsiq.errors import PortInUse
from partsiq.health import HealthServer
from partsiq.metrics import REGISTRY, QueueCollector
from partsiq.middleware import JobTracking, Metrics
from partsiq.probes import liveness, serve_health, start_health_log
from partsiq.queues import SERVICES, Service
from partsiq.settings import Settings

log = logging.getLogger("partsiq.worker")

RET_OK = 0  #: shut down cleanly
RET_KILLED = 1  #: a second signal stopped it before running jobs finished
RET_IMPORT = 2  #: the service's actors could not be imported
RET_CONNECT = 3  #: Redis or PostgreSQL unreachable at start

#: Longest an idle consumer waits between polls of Redis; bounds how late a delayed
#: message (a retry, a rate-limit reservation) starts after its time.
WORKER_POLL_MS = 250


def load_service(name: str) -> Service:
    """Import the module that declares ``name``'s actors (the broker must be set first)."""
    service = SERVICES[name]
    try:
        importlib.import_module(service.module)
    except ModuleNotFoundError as error:
        if error.name and service.module.startswith(error.name):
            raise ImportError(f"service {name!r} has no actors installed (module {service.module} not found)") from None
        raise
    return service


def _start_health(settings: Settings, rt: runtime.Runtime, service: Service) -> HealthServer:
    tracking = next(m for m in rt.broker.middleware if isinstance(m, JobTracking))
    metrics = next(m for m in rt.broker.middleware if isinstance(m, Metrics))
    REGISTRY.register(QueueCollector(rt.broker.client, settings.redis_namespace, sorted(service.queues)))
    server = serve_health(rt, liveness(tracking.heartbeat))
    start_health_log(service.name, metrics, settings.health_log_interval_s)
    return server


def run(settings: Settings, service_name: str) -> int:
    """Run ``service_name``'s worker until signalled; returns the exit code."""
    check_services(settings)
    rt = runtime.start(settings, worker=True, pool_size=SERVICES[service_name].threads + 2)
    # Signals are handled from here on: a SIGTERM while the service boots (loading a model, say)
    # stops the worker as soon as it has started, with the usual clean exit.
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("second %s: stopping now, running jobs will be redelivered", signal.Signals(signum).name)
            os._exit(RET_KILLED)
        log.info(
            "%s received: finishing running jobs (up to %d s); send it again to stop now",
            signal.Signals(signum).name,
            settings.shutdown_timeout_s,
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service = load_service(service_name)
    broker = rt.broker
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(
        broker, queues=set(service.queues), worker_threads=service.threads, worker_timeout=WORKER_POLL_MS
    )
    worker.queue_prefetch = settings.prefetch or service.threads
    if stop.is_set():  # signalled while booting: stop before taking a single job
        rt.close()
        log.info("worker %s stopped before it started", service.name)
        return RET_OK
    try:
        health = _start_health(settings, rt, service)  # before any job: a taken port stops it here
    except PortInUse:
        rt.close()
        raise
    worker.start()
    log.info(
        "worker %s started: queues %s, %d threads, pid %d",
        service.name,
        ", ".join(sorted(service.queues)),
        service.threads,
        os.getpid(),
    )
    stop.wait()
    worker.stop(timeout=settings.shutdown_timeout_s * 1000)
    health.stop()
    rt.close()
    log.info("worker %s stopped", service.name)
    return RET_OK
