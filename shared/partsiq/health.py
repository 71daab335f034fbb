"""The per-process HTTP server: ``/metrics``, ``/healthz`` (liveness) and ``/readyz`` (readiness).

Liveness is the process's own pulse (a worker's heartbeat, the dispatcher's loop, the
scheduler's wake-ups: :mod:`partsiq.probes`), never the broker's reachability: a Redis
outage must not make Kubernetes restart every pod. Readiness is Redis and
PostgreSQL answering, so a pod that cannot reach them is taken out of rotation and comes
back by itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from partsiq.metrics import REGISTRY

log = logging.getLogger("partsiq.health")

#: A probe: (healthy, one-line reason).
Probe = Callable[[], tuple[bool, str]]


class HealthServer:
    """Serves the three endpoints on ``port`` (0: any free port, see :attr:`port`)."""

    def __init__(self, port: int, *, live: Probe, ready: Probe, host: str = "0.0.0.0") -> None:
        probes = {"/healthz": live, "/readyz": ready}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?")[0]
                if path == "/metrics":
                    self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
                elif path in probes:
                    ok, reason = probes[path]()
                    self._send(200 if ok else 503, f"{'ok' if ok else 'unhealthy'}: {reason}\n".encode())
                else:
                    self._send(404, b"not found: try /metrics, /healthz or /readyz\n")

            def _send(self, code: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # probes every few seconds: stay quiet
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="partsiq-health", daemon=True)

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()
        log.info("metrics and health on :%d (/metrics, /healthz, /readyz)", self.port)

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
