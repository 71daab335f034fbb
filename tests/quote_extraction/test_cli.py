"""``partsiq quote extract`` prints what would be stored, with findings, without a database."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.quote_extraction.conftest import INVOICES, QUOTES


def quote_extract(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "partsiq", "quote", "extract", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_an_eml_is_extracted_as_json_with_no_database_reachable() -> None:
    done = quote_extract(str(QUOTES / "q03-northern-html.eml"), "--json")

    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["status"] == "PROCESSED" and outcome["quote"]["currency"] == "CAD"
    assert len(outcome["quote"]["items"]) == 3 and outcome["findings"] == []


def test_a_pdf_is_printed_for_a_person_with_its_findings() -> None:
    done = quote_extract(str(INVOICES / "AzureInterior.pdf"))

    assert done.returncode == 0, done.stderr
    assert "total           279.84" in done.stdout
    assert "line_total_mismatch" in done.stdout  # the olive oil line carries a 10 % discount
