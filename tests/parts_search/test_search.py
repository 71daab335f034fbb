"""Parts search on real PostgreSQL: part numbers typed any way, obsolete numbers, descriptions, degraded answers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from parts_search.agents import Hit
from parts_search.orchestrator import search
from parts_search.query import ParsedQuery
from partsiq.db.models import Part
from tests.parts_search.conftest import ROWS, superseded_row

TIMEOUTS = {"catalog": 2.0, "semantic": 2.0, "relationships": 2.0, "slow": 0.5}


@pytest.fixture
def ask(database, backends):
    def ask(org: str, text: str, *extra):
        return search(database, org, text, [*backends.agents(), *extra], timeouts=TIMEOUTS, budget_s=3.0)

    return ask


def first(answer) -> str:
    return f"{answer.parts[0]['manufacturer']}:{answer.parts[0]['partNumber']}"


FILTER = next(
    r for r in ROWS if r["category"] == "Filters/Fuel" and r["manufacturer"] == "CAT" and "-" in r["part_number"]
)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(FILTER["part_number"], id="as written"),
        pytest.param(FILTER["part_number"].lower().replace("-", ""), id="lower case, no dash"),
        pytest.param(FILTER["part_number"].replace("-", " "), id="a space for the dash"),
        pytest.param(f"CAT {FILTER['part_number']}", id="vendor prefix"),
        pytest.param(f"CAT{FILTER['part_number'].replace('-', '')}", id="vendor prefix glued on"),
    ],
)
def test_a_part_number_typed_any_way_finds_the_part_first(catalog, typed, ask):
    answer = ask(catalog, typed)

    assert first(answer) == f"CAT:{FILTER['part_number']}"
    assert answer.parts[0]["matches"][0]["reason"] == "exact part number"


def test_a_part_number_with_one_typo_finds_the_part_among_the_first_three(database, catalog, ask):
    number = FILTER["part_number"]
    typo = number[:-1] + ("1" if number[-1] != "1" else "2")

    answer = ask(catalog, typo)

    assert f"CAT:{number}" in [f"{p['manufacturer']}:{p['partNumber']}" for p in answer.parts[:3]]


def test_an_obsolete_number_returns_itself_then_its_current_replacement_with_the_chain(database, catalog, ask):
    old = superseded_row()
    middle = next(r for r in ROWS if f"{r['manufacturer']}:{r['part_number']}" == old["superseded_by"])

    answer = ask(catalog, old["part_number"])

    assert first(answer) == f"{old['manufacturer']}:{old['part_number']}"
    assert f"{answer.parts[1]['manufacturer']}:{answer.parts[1]['partNumber']}" == middle["superseded_by"]
    assert "current replacement" in answer.parts[1]["matches"][0]["reason"]
    assert answer.parts[0]["relationships"]["supersededBy"][0]["partNumber"].endswith(middle["part_number"])
    assert "superseded by" in answer.text()


def test_a_description_with_a_machine_finds_parts_of_that_kind_that_fit_it(database, catalog, ask):
    answer = ask(catalog, "hydraulic pump for CAT 320D")

    top = answer.parts[:3]
    assert all("pump" in p["name"].lower() for p in top)
    assert any("CAT 320D" in p["relationships"].get("fits", []) for p in top)
    assert not answer.degraded


def test_an_organization_never_sees_another_organizations_parts(database, catalog, other_org, ask):
    with database.session() as session:
        session.add(
            Part(organization_id=other_org, part_number="ZZ-9999", normalized_part_number="ZZ9999", name="Secret pump")
        )

    mine = ask(catalog, "ZZ-9999")
    theirs = ask(other_org, FILTER["part_number"])
    theirs_text = ask(other_org, "hydraulic pump")

    assert all(p["partNumber"] != "ZZ-9999" for p in mine.parts)
    assert [p["partNumber"] for p in theirs_text.parts] == ["ZZ-9999"]
    assert theirs.parts == []


class Failing:
    name = "pinecone"

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        raise ConnectionError("vector index unreachable")


class Hanging:
    """An agent that answers only when the test releases it."""

    name = "slow"

    def __init__(self) -> None:
        self.release, self.answered = threading.Event(), threading.Event()

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        self.release.wait(timeout=60)
        self.answered.set()
        return []


def test_an_agent_that_fails_or_hangs_gives_a_degraded_answer_within_the_budget(database, catalog, ask):
    hanging = Hanging()
    try:
        answer = ask(catalog, FILTER["part_number"], Failing(), hanging)
        still_hanging = not hanging.answered.is_set()
    finally:
        hanging.release.set()

    assert still_hanging, "the answer did not wait for the hanging agent"
    assert first(answer) == f"CAT:{FILTER['part_number']}"
    assert answer.degraded
    assert answer.sources["pinecone"].status == "failed" and "unreachable" in answer.sources["pinecone"].error
    assert answer.sources["slow"].status == "timed out"
    assert answer.sources["catalog"].status == "ok"
    assert "did not answer: pinecone (failed), slow (timed out)" in answer.text()


def test_a_query_matching_nothing_answers_that_nothing_was_found(database, catalog, ask):
    answer = ask(catalog, "xylophone")

    assert answer.parts == [] and "No parts found" in answer.text()
    with database.session() as session:
        assert session.scalar(select(Part).limit(1)) is not None
