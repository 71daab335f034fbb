"""The queue table: the seed's numbers, overrides, and the exported payload schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from partsiq.queues import SERVICES, RateLimit, Scope, job_type, with_overrides

ROOT = Path(__file__).resolve().parents[2]


def test_services_have_the_seed_s_concurrency():
    assert {name: s.threads for name, s in SERVICES.items() if name != "platform"} == {
        "parts-search": 5,
        "email-monitor": 3,
        "quote-extraction": 3,
    }


def test_job_types_have_the_seed_s_rate_limits_per_organization():
    assert str(job_type("search").rate_limit) == "10/60s per organization"
    assert str(job_type("email-sync").rate_limit) == "5/60s per organization"
    assert str(job_type("quote-extraction").rate_limit) == "10/60s per organization"


def test_every_job_type_runs_three_attempts_with_backoff_bounded_to_minutes():
    for name in ("search", "email-sync", "quote-extraction", "canary"):
        retry = job_type(name).retry
        assert retry.max_attempts == 3
        assert retry.max_backoff_ms <= 10 * 60_000


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("5/2s", RateLimit(5, 2, Scope.ORGANIZATION)),
        ("20 / 60 s / global", RateLimit(20, 60, Scope.GLOBAL)),
        ("1/0.5s/organization", RateLimit(1, 0.5, Scope.ORGANIZATION)),
    ],
)
def test_rate_limit_specs_parse(spec, expected):
    assert RateLimit.parse(spec) == expected


@pytest.mark.parametrize("spec", ["five/2s", "0/2s", "5/2s/everyone", ""])
def test_bad_rate_limit_specs_are_refused(spec):
    with pytest.raises(ValueError, match="is not '<limit>/<seconds>s"):
        RateLimit.parse(spec)


def test_settings_override_a_rate_limit_or_remove_it():
    assert with_overrides(job_type("search"), {"search": "20/60s/global"}).rate_limit == RateLimit(20, 60, Scope.GLOBAL)
    assert with_overrides(job_type("search"), {"search": "none"}).rate_limit is None
    assert with_overrides(job_type("search"), {"other": "1/1s"}) == job_type("search")


def test_the_committed_payload_schemas_match_the_code():
    result = subprocess.run(
        [sys.executable, "-m", "partsiq", "db", "export-schemas", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    search = json.loads((ROOT / "schemas/jobs/search.json").read_text())
    assert search["required"] == ["organizationId", "conversationId", "query"]
    assert search["additionalProperties"] is False
