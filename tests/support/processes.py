"""``partsiq`` processes started the way production starts them: ``python -m partsiq worker``, ``dispatcher``..."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from partsiq.settings import Settings
from tests.support.waiting import wait_for


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process use ``settings``."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "REDIS_URL": settings.redis_url.get_secret_value(),
        "REDIS_NAMESPACE": settings.redis_namespace,
        "HEARTBEAT_TIMEOUT_MS": str(settings.heartbeat_timeout_ms),
        "MAINTENANCE_CHANCE": str(settings.maintenance_chance),
        "LEASE_SECONDS": str(settings.lease_seconds),
        "SHUTDOWN_TIMEOUT_S": str(settings.shutdown_timeout_s),
        "LOG_LEVEL": "INFO",
        "METRICS_PORT": "0",
    }
    env.update(extra)
    return env


class PartsiqProcess:
    """A ``partsiq ARGS...`` child with its log captured to a file."""

    #: How the command is started: this interpreter's module (subclasses may run the console script).
    launcher: tuple[str, ...] = (sys.executable, "-m", "partsiq")

    def __init__(self, settings: Settings, *args: str, **env: str) -> None:
        self.log_path = Path(tempfile.mkstemp(prefix=f"partsiq-{args[0]}-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [*self.launcher, *args],
            env=settings_env(settings, **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> PartsiqProcess:
        """Block until the process prints ``text``; fails if it exits first."""
        wait_for(lambda: text in self.log or self.proc.poll() is not None, timeout=timeout, what=repr(text))
        assert self.proc.poll() is None, f"exited early ({self.proc.returncode}):\n{self.log}"
        return self

    def signal(self, signum: int = signal.SIGTERM) -> None:
        """Send a signal."""
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 60) -> int:
        """The exit code, once the process has ended."""
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Kill the process if it still runs and remove its log."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()
        self.log_path.unlink(missing_ok=True)


class WorkerProcess(PartsiqProcess):
    """A ``partsiq worker SERVICE`` child."""

    def __init__(self, settings: Settings, service: str = "platform", **env: str) -> None:
        super().__init__(settings, "worker", service, **env)

    def wait_started(self, timeout: float = 30) -> WorkerProcess:
        """Block until the worker says it consumes its queues."""
        self.wait_for_log("started: queues", timeout)
        return self
