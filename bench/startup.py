"""Worker start-to-ready time per installed service: process spawn to ``/readyz`` answering 200.

make bench-startup
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from partsiq.queues import SERVICES

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def ready_after(service: str) -> float:
    """Seconds from spawning ``partsiq worker SERVICE`` to its /readyz answering 200."""
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "partsiq", "worker", service],
            stdout=out,
            stderr=out,
            env={**os.environ, "METRICS_PORT": "0"},
        )
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{service} exited: {log.read_text()}")
                match = re.search(r"metrics and health on :(\d+)", log.read_text())
                if match:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{match[1]}/readyz", timeout=2) as response:
                            if response.status == 200:
                                return time.perf_counter() - start
                    except OSError:
                        pass
                time.sleep(0.02)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            log.unlink()


def main() -> None:
    """Print the median start-to-ready time of each service whose actors are installed."""
    imported = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import partsiq.worker"], check=True)
    print(f"python -c 'import partsiq.worker': {time.perf_counter() - imported:.2f} s")
    for name, service in SERVICES.items():
        if importlib.util.find_spec(service.module.split(".")[0]) is None:
            continue
        try:
            importlib.util.find_spec(service.module)
        except ModuleNotFoundError:
            continue
        if importlib.util.find_spec(service.module) is None:
            print(f"{name:<18} no actors installed")
            continue
        times = sorted(ready_after(name) for _ in range(RUNS))
        print(f"{name:<18} ready after {times[len(times) // 2]:.2f} s (median of {RUNS}; min {times[0]:.2f} s)")


if __name__ == "__main__":
    main()
