"""Scraping a worker process's /metrics, checked by promtool."""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request

from tests.support.processes import PartsiqProcess
from tests.support.waiting import wait_for


def get(port: int, path: str) -> tuple[int, str]:
    """Status and body of ``GET path`` on the worker's health server."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def metrics_port(worker: PartsiqProcess) -> int:
    """The port the process logged for its metrics and health server."""
    match = wait_for(lambda: re.search(r"metrics and health on :(\d+)", worker.log), what="the metrics port")
    return int(match[1])


def scrape(worker: PartsiqProcess) -> str:
    """The process's /metrics, asserted to answer 200 and to pass ``promtool check metrics`` without a word."""
    status, body = get(metrics_port(worker), "/metrics")
    check = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True, timeout=30)
    assert status == 200
    assert check.returncode == 0 and check.stdout + check.stderr == "", check.stdout + check.stderr
    return body
