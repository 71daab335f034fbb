"""``partsiq worker all``: every service's worker as a child process, for development.

Mirrors the seed's ``workers:dev``. With ``reload``, a change to any ``.py`` file
under the watched folders restarts the children (gracefully, like a deploy).
Signals are passed on to the children; the supervisor exits when they have.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

log = logging.getLogger("partsiq.supervisor")


def _snapshot(roots: list[Path]) -> dict[Path, float]:
    return {
        path: path.stat().st_mtime for root in roots for path in root.rglob("*.py") if "__pycache__" not in path.parts
    }


def _spawn(services: list[str], metrics_port: int) -> list[subprocess.Popen[bytes]]:
    # One metrics port per child: METRICS_PORT, METRICS_PORT + 1, ... (0 stays "any free port").
    return [
        subprocess.Popen(
            [sys.executable, "-m", "partsiq", "worker", name],
            env={**os.environ, "METRICS_PORT": str(metrics_port + index if metrics_port else 0)},
        )
        for index, name in enumerate(services)
    ]


def _stop(children: list[subprocess.Popen[bytes]]) -> int:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    return max((child.wait() for child in children), default=0)


def supervise(services: list[str], *, reload: bool, watch: list[Path], metrics_port: int) -> int:
    """Run one worker process per service until a signal; restart them on source changes."""
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:  # second signal: pass it on so the children stop now
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children = _spawn(services, metrics_port)
    log.info("started workers: %s%s", ", ".join(services), " (reloading on changes)" if reload else "")
    seen = _snapshot(watch) if reload else {}
    while not stopping:
        time.sleep(1)
        if any(child.poll() is not None for child in children) and not stopping:
            log.error("a worker exited; stopping the others")
            return _stop(children) or 1
        if reload and (now := _snapshot(watch)) != seen:
            seen = now
            log.info("source changed: restarting workers")
            _stop(children)
            children = _spawn(services, metrics_port)
    return _stop(children)
