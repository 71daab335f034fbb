"""``partsiq suppliers import``: bad rows reported by line, good rows kept, re-import idempotent."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from partsiq.db.models import Supplier
from partsiq.suppliers import import_suppliers, match_supplier
from tests.support.processes import settings_env

CSV = """name,contact_emails,email_domains
Westside Heavy Parts,Sales@WestsideHeavy.com;quotes@westsideheavy.com,westsideheavy.com
Free mail only,,gmail.com
Not an address,someone-at-example.com,
,orders@nameless.com,nameless.com
Mike's Diesel,mikesdiesel.parts@gmail.com,
"""


def suppliers(database) -> dict[str, Supplier]:
    with database.session() as session:
        return {s.name: s for s in session.scalars(select(Supplier))}


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(tmp_path, database, organization):
    path = tmp_path / "suppliers.csv"
    path.write_text(CSV)

    report = import_suppliers(database, organization, path)

    assert report.created == 2
    assert report.errors == [
        (3, "'gmail.com' is a free-mail domain; list the supplier's addresses instead"),
        (4, "'someone-at-example.com' is not an email address"),
        (5, "name is empty"),
    ]
    westside = suppliers(database)["Westside Heavy Parts"]
    assert westside.contact_emails == ["sales@westsideheavy.com", "quotes@westsideheavy.com"]
    assert westside.email_domains == ["westsideheavy.com"]


def test_reimporting_the_same_file_changes_nothing(tmp_path, database, organization):
    path = tmp_path / "suppliers.csv"
    path.write_text(CSV)
    import_suppliers(database, organization, path)

    report = import_suppliers(database, organization, path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert len(suppliers(database)) == 2


def test_a_json_file_updates_a_supplier_s_addresses(tmp_path, database, organization):
    (tmp_path / "a.csv").write_text(CSV)
    import_suppliers(database, organization, tmp_path / "a.csv")
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            [
                {
                    "name": "Westside Heavy Parts",
                    "contactEmails": ["new@westsideheavy.com"],
                    "emailDomains": ["westsideheavy.com"],
                }
            ]
        )
    )

    report = import_suppliers(database, organization, path)

    assert report.updated == 1
    assert suppliers(database)["Westside Heavy Parts"].contact_emails == ["new@westsideheavy.com"]


def test_importing_into_an_unknown_organization_is_refused(tmp_path, database):
    path = tmp_path / "suppliers.csv"
    path.write_text(CSV)

    with pytest.raises(LookupError, match="organization 'org_nope' does not exist"):
        import_suppliers(database, "org_nope", path)


def test_the_cli_prints_each_rejected_row_and_a_summary(tmp_path, settings, organization):
    path = tmp_path / "suppliers.csv"
    path.write_text(CSV)

    result = subprocess.run(
        [sys.executable, "-m", "partsiq", "suppliers", "import", str(path), "--org", organization],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "suppliers: 2 created, 0 updated, 0 unchanged, 3 rejected" in result.stdout
    assert f"{path}:4: skipped: 'someone-at-example.com' is not an email address" in result.stderr


def test_a_sender_matches_its_supplier_by_address_then_by_domain_never_by_free_mail(database, organization):
    with database.session() as session:
        session.add_all(
            [
                Supplier(
                    organization_id=organization,
                    name="Westside",
                    contact_emails=["sales@westside.example"],
                    email_domains=["westside.example"],
                ),  # fmt: skip
                Supplier(organization_id=organization, name="Mike", contact_emails=["mike.parts@gmail.com"]),
            ]
        )
    with database.session() as session:

        def name(address: str | None) -> str | None:
            found = match_supplier(session, organization, address)
            return found.name if found else None

        assert name("Sales@Westside.example") == "Westside"
        assert name("someone-else@westside.example") == "Westside"
        assert name("mike.parts@gmail.com") == "Mike"
        assert name("stranger@gmail.com") is None
        assert name(None) is None and name("not an address") is None
