"""Quote-extraction fixtures: the labelled quote set and the public invoice corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUOTES = ROOT / "bench" / "quotes"
INVOICES = ROOT / "bench" / "corpora" / "invoice2data"


def labelled(key: str) -> tuple[bytes, dict[str, Any]]:
    """A labelled quote's mail bytes and its label."""
    return (QUOTES / f"{key}.eml").read_bytes(), json.loads((QUOTES / f"{key}.json").read_text())


@pytest.fixture
def invoices() -> Path:
    if not INVOICES.is_dir():
        pytest.fail(f"the invoice corpus is missing at {INVOICES}")
    return INVOICES
