"""Log lines: the seed's text format, a JSON option, and secrets masked."""

from __future__ import annotations

import json
import logging

from partsiq.logging import JsonFormatter, RedactingFilter, redact


def test_passwords_tokens_and_secret_values_are_masked():
    text = redact("connect postgresql://app:hunter2@db/x with Bearer ya29.a0AfH6 and api_key=sk-live-123")

    assert "hunter2" not in text and "ya29" not in text and "sk-live-123" not in text
    assert "postgresql://app:***@db/x" in text


def test_a_json_line_carries_the_job_context():
    record = logging.LogRecord("partsiq.jobs", logging.INFO, __file__, 1, "[Canary] Job %s completed", ("j1",), None)
    record.job_id, record.status = "j1", "COMPLETED"

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "[Canary] Job j1 completed"
    assert (line["level"], line["job_id"], line["status"]) == ("INFO", "j1", "COMPLETED")


def test_the_filter_masks_secrets_in_formatted_arguments():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "cannot reach %s", ("redis://:pw123@h:6379",), None)

    RedactingFilter().filter(record)

    assert record.getMessage() == "cannot reach redis://:***@h:6379"
