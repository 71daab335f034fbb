"""Log set-up: the seed's human lines, or one JSON object per line for log shippers.

Every record passes a redaction filter, so a secret that slips into a message
(a URL with a password, a bearer token) is masked before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from partsiq.settings import Settings

#: Fields a JSON line carries when a record has them (set with ``extra=``).
CONTEXT_FIELDS = ("job_id", "job_type", "queue", "organization_id", "attempt", "status")

_SECRET_PATTERNS = (
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), r"\1***@"),  # passwords in URLs
    (re.compile(r"(?i)(bearer\s+)[\w.\-~+/]+=*"), r"\1***"),
    (re.compile(r"(?i)((?:token|secret|password|api_key|apikey)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;})\]]+"), r"\1***"),
)


def redact(text: str) -> str:
    """``text`` with URL passwords, bearer tokens and ``secret=...`` values masked."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the fully formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, job context, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(processName)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Install one stderr handler on the root logger, in the configured format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("dramatiq.worker.WorkerThread").addFilter(_RestatedByJobLogging())


class _RestatedByJobLogging(logging.Filter):
    """Drops Dramatiq's own lines for what :class:`~partsiq.middleware.JobLogging` says better.

    Skips are rate-limit deferrals or duplicates (logged by us at INFO, not WARNING), and
    failures are logged once per attempt with the job's id, attempt and traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not ("was skipped" in message or message.startswith("Failed to process message"))
