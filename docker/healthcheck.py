"""Container HEALTHCHECK of every long-running command of our images: exit 0 while it is alive.

Asks the process's own ``/healthz`` on ``METRICS_PORT``: a worker's heartbeat thread ticking, the
dispatcher's loop turning, the scheduler waking on time (``partsiq.probes``). Kubernetes ignores
HEALTHCHECK and probes the same endpoint itself (k8s/base); compose uses this. The migration
one-shot serves no HTTP and disables it.
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
