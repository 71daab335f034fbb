"""Catalog import: bad rows reported by line and skipped, good rows kept, re-imports change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from parts_search.catalog import import_catalog
from partsiq.db.models import EquipmentModel, Part, PartFitment, PartRelation, PartRelationship
from partsiq.errors import UnknownOrganization
from tests.support.processes import settings_env

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "catalog" / "parts.csv"
HEADER = "part_number,manufacturer,name,price,currency,superseded_by,superseded_since,alternates,component_of,fits\n"


def write(tmp_path: Path, text: str, name: str = "parts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_sample_catalog_imports_with_its_two_bad_rows_reported_and_a_reimport_changes_nothing(
    database, organization
):
    first = import_catalog(database, organization, SAMPLE)
    again = import_catalog(database, organization, SAMPLE)

    assert first.created == first.rows - 2 > 3000
    assert [reason for _, reason in first.errors] == ["name: Field required", "row: price without currency"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert count(database, Part) == first.created
    assert count(database, PartRelationship) > 1000 and count(database, PartFitment) > 3000


def test_relationships_and_fitment_are_stored_by_part_number(tmp_path, database, organization):
    path = write(
        tmp_path,
        HEADER
        + "1R-0750,CAT,Fuel filter,12.50,USD,CAT:1R-0751,2019-05-01,P551808,,CAT 320D;CAT 336\n"
        + "1R-0751,CAT,Fuel filter (new),13.00,USD,,,,,CAT 320D\n"
        + "P551808,Donaldson,Fuel filter,9.90,USD,,,,,\n"
        + "SK-1,CAT,Seal,1,USD,,,,1R-0751,\n",
    )

    report = import_catalog(database, organization, path)

    assert report.errors == [] and report.created == 4
    with database.session() as session:
        number = {p.id: p.part_number for p in session.scalars(select(Part))}
        links = {
            (number[r.from_part_id], r.type, number[r.to_part_id], r.since and r.since.isoformat())
            for r in session.scalars(select(PartRelationship))
        }
        models = {(m.make, m.model) for m in session.scalars(select(EquipmentModel))}
    assert links == {
        ("1R-0750", PartRelation.SUPERSEDED_BY, "1R-0751", "2019-05-01"),
        ("1R-0750", PartRelation.ALTERNATE_OF, "P551808", None),
        ("SK-1", PartRelation.COMPONENT_OF, "1R-0751", None),
    }
    assert models == {("CAT", "320D"), ("CAT", "336")}


def test_a_reference_to_an_unknown_or_ambiguous_number_is_reported_and_the_part_kept(tmp_path, database, organization):
    path = write(
        tmp_path,
        HEADER
        + "AB-1,Acme,Widget,,,NOPE-9,,,,\n"
        + "XY-1,Acme,Gadget,,,,,ZZ-1,,\n"
        + "ZZ-1,Acme,Z one,,,,,,,\n"
        + "ZZ-1,Other,Z other,,,,,,,\n"
        + "QQ-1,Third,Thing,,,,,ZZ-1,,\n",
    )

    report = import_catalog(database, organization, path)

    assert report.errors == [
        (2, "superseded_by: 'NOPE-9' is not in the catalog"),
        (6, "alternates: 'ZZ-1' is ambiguous (Acme, Other): write it as MANUFACTURER:ZZ-1"),
    ]
    assert report.created == 5


def test_invalid_rows_are_reported_by_line_with_the_reason(tmp_path, database, organization):
    path = write(
        tmp_path,
        HEADER
        + "--,Acme,No digits,,,,,,,\n"
        + "OK-1,Acme,Fine,-3,USD,,,,,\n"
        + "OK-2,Acme,Fine,5,dollars,,,,,\n"
        + "OK-3,Acme,Fine,,,,,,,CAT\n"
        + "OK-4,Acme,Fine,,,OK-4,,,,\n"
        + "OK-5,Acme,Fine,,,,,,,\n"
        + "ok 5,Acme,Again,,,,,,,\n",
    )

    report = import_catalog(database, organization, path)

    assert [line for line, _ in report.errors] == [2, 3, 4, 5, 6, 8]
    assert "part_number: has no letters or digits" in report.errors[0][1]
    assert "duplicate of line 7" in report.errors[5][1]
    assert report.created == 1


def test_a_json_catalog_is_read_like_a_csv(tmp_path, database, organization):
    rows = [
        {"part_number": "RE504836", "manufacturer": "Deere", "name": "Oil filter", "fits": ["Deere 310SL"],
         "attributes": {"micron": 10}},
        {"part_number": "LF9009", "manufacturer": "Fleetguard", "name": "Lube filter", "alternates": ["RE504836"]},
        "not an object",
    ]  # fmt: skip
    report = import_catalog(database, organization, write(tmp_path, json.dumps(rows), "parts.json"))

    assert report.created == 2 and report.relationships == 1 and report.fitments == 1
    assert [line for line, _ in report.errors] == [3]


def test_importing_into_an_unknown_organization_is_refused(database):
    with pytest.raises(UnknownOrganization):
        import_catalog(database, "org_nobody", SAMPLE)


def test_the_cli_reports_problems_by_file_and_line_and_indexes_the_good_rows(tmp_path, settings, organization):
    path = write(tmp_path, HEADER + "OK-1,Acme,Fine,,,,,,,\n,Acme,No number,,,,,,,\n")

    def partsiq(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "partsiq", "catalog", *args, "--org", organization]
        return subprocess.run(command, capture_output=True, text=True, env=settings_env(settings), timeout=300)

    done = partsiq("import", str(path))
    again = partsiq("reindex")

    assert done.returncode == 0, done.stderr
    assert "parts.csv:3: part_number: Field required" in done.stderr
    assert "1 parts created" in done.stdout and "1 parts embedded" in done.stdout
    assert again.returncode == 0 and again.stdout.startswith("0 parts embedded, 1 unchanged"), again.stderr
