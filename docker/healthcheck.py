"""Container HEALTHCHECK of a worker image: exit 0 while the worker's heartbeat is fresh.

Asks the worker's own ``/healthz`` (its heartbeat thread ticking, see ``partsiq.probes.liveness``) on
``METRICS_PORT``. Kubernetes ignores HEALTHCHECK and probes the same endpoint itself (k8s/base); compose
uses this. Commands without an HTTP server (dispatcher, scheduler, migrations) disable it.
"""

import os
import sys
import urllib.error
import urllib.request

port = os.environ.get("METRICS_PORT", "9191")
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as error:
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
