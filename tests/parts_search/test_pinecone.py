"""The Pinecone vector index through the real ``pinecone`` SDK, against a local emulator of the data plane.

The emulator (tests/support/pinecone_emulator.py) stores what it is sent and computes cosine
scores and metadata filters from it: a wrong namespace, filter or vector shows up as a wrong
answer, not as a canned one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from parts_search.agents.semantic import SemanticAgent
from parts_search.backends import Backends, build
from parts_search.catalog import import_catalog
from parts_search.graph.postgres import PostgresGraph
from parts_search.orchestrator import search
from parts_search.query import parse
from parts_search.settings import PartsSearchSettings
from parts_search.vectors.pinecone import PineconeVectorIndex, namespace
from partsiq.db.models import Part, PartEmbedding
from tests.parts_search.conftest import EMBEDDER, SAMPLE
from tests.support.pinecone_emulator import API_KEY, PineconeEmulator, pinecone_emulator


@pytest.fixture
def emulator() -> Iterator[PineconeEmulator]:
    with pinecone_emulator(dimension=384) as index:
        yield index


@pytest.fixture
def pinecone_backends(database, emulator) -> Iterator[Backends]:
    settings = PartsSearchSettings(
        database_url=database.settings.database_url,
        search_vector_index="pinecone",
        pinecone_api_key=API_KEY,
        pinecone_index_host=emulator.host,
    )
    backends = build(settings, database)
    backends.embedder = EMBEDDER  # the run's shared embedder: the sample is embedded once per test run
    yield backends
    backends.close()


def refusing(backends: Backends, emulator: PineconeEmulator) -> None:
    """From now on the index is asked with a wrong API key (the emulator answers 401)."""
    wrong = PineconeVectorIndex(api_key="wrong", host=emulator.host, timeout_s=2)
    backends.index.index.close()  # type: ignore[attr-defined]
    backends.index.index = wrong.index  # type: ignore[attr-defined]


def test_configuration_alone_selects_pinecone(pinecone_backends):
    assert isinstance(pinecone_backends.index, PineconeVectorIndex)
    assert isinstance(pinecone_backends.graph, PostgresGraph)


def test_the_import_upserts_every_part_into_the_organizations_namespace_with_its_metadata(
    database, organization, pinecone_backends, emulator
):
    report = import_catalog(database, organization, SAMPLE, pinecone_backends)

    space = emulator.namespaces[namespace(organization)]
    with database.session() as session:
        parts = session.scalar(select(func.count()).select_from(Part))
        pump = session.scalars(select(Part).where(Part.name == "Main hydraulic pump").limit(1)).one()
    assert report.index["sent"] == len(space) == parts
    assert pinecone_backends.index.count(organization) == parts
    values, metadata = space[pump.id]
    assert len(values) == 384 and metadata == {"manufacturer": pump.manufacturer, "category": pump.category}
    assert all(len(body["vectors"]) <= 200 for method, path, body in emulator.requests if path == "/vectors/upsert")


def test_a_query_is_scoped_to_the_namespace_and_filtered_by_manufacturer(
    database, organization, other_org, pinecone_backends, emulator
):
    import_catalog(database, organization, SAMPLE, pinecone_backends)
    with database.session() as session:
        session.add(
            Part(
                organization_id=other_org,
                part_number="ZZ-1",
                normalized_part_number="ZZ1",
                manufacturer="Deere",
                name="Hydraulic pump",
                description="Hydraulic pump for Deere 310SL",
            )
        )
    pinecone_backends.sync(other_org)
    agent = SemanticAgent(EMBEDDER, pinecone_backends.index)

    hits = agent.search(parse("Deere hydraulic pump"), organization, 10)
    theirs = agent.search(parse("Deere hydraulic pump"), other_org, 10)

    query = next(body for method, path, body in reversed(emulator.requests) if path == "/query")
    assert query["filter"] == {"manufacturer": {"$eq": "Deere"}} and query["namespace"] == namespace(other_org)
    with database.session() as session:
        found = session.scalars(select(Part).where(Part.id.in_([h.part_id for h in hits]))).all()
    assert (
        found and {p.manufacturer for p in found} == {"Deere"} and {p.organization_id for p in found} == {organization}
    )
    assert [h.part_id for h in theirs] == list(emulator.namespaces[namespace(other_org)])


def test_re_importing_sends_nothing_and_resend_refills_an_emptied_index(
    database, organization, pinecone_backends, emulator
):
    import_catalog(database, organization, SAMPLE, pinecone_backends)
    upserts = sum(1 for _, path, _ in emulator.requests if path == "/vectors/upsert")

    again = import_catalog(database, organization, SAMPLE, pinecone_backends)
    assert again.index["sent"] == 0
    assert sum(1 for _, path, _ in emulator.requests if path == "/vectors/upsert") == upserts

    pinecone_backends.index.index.delete(delete_all=True, namespace=namespace(organization))
    assert pinecone_backends.index.count(organization) == 0
    refilled = pinecone_backends.sync(organization, resend=True)
    assert refilled["embedded"] == 0 and pinecone_backends.index.count(organization) == refilled["sent"] > 4000


def test_a_refused_upsert_is_not_recorded_so_the_next_import_sends_it_again(
    database, organization, pinecone_backends, emulator
):
    refusing(pinecone_backends, emulator)

    with pytest.raises(Exception, match="(?i)api key|unauthori"):
        import_catalog(database, organization, SAMPLE, pinecone_backends)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(PartEmbedding)) == 0


def test_pinecone_refusing_a_search_degrades_the_answer_instead_of_failing_it(
    database, organization, pinecone_backends, emulator
):
    import_catalog(database, organization, SAMPLE, pinecone_backends)
    refusing(pinecone_backends, emulator)

    answer = search(
        database,
        organization,
        "main hydraulic pump for CAT 320D",
        pinecone_backends.agents(),
        timeouts={"semantic": 2.0},
        budget_s=3.0,
    )

    assert answer.sources["semantic"].status == "failed" and answer.degraded
    assert answer.sources["catalog"].status == "ok" and answer.parts
