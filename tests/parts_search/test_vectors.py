"""The semantic agent on the embedded defaults: the real local model, vectors in PostgreSQL, searched in process."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from parts_search.agents.semantic import SemanticAgent
from parts_search.backends import Backends, build
from parts_search.catalog import import_catalog
from parts_search.graph.postgres import PostgresGraph
from parts_search.query import parse
from parts_search.settings import PartsSearchSettings
from parts_search.vectors import LiteLLMEmbedder, index_parts
from parts_search.vectors import local as local_index
from parts_search.vectors.local import LocalVectorIndex
from partsiq.db.models import Part, PartEmbedding
from tests.parts_search.conftest import EMBEDDER, SAMPLE
from tests.support.openai_server import openai_server


def names(database, hits) -> list[tuple[str, str]]:
    with database.session() as session:
        parts = {p.id: p for p in session.scalars(select(Part).where(Part.id.in_([h.part_id for h in hits])))}
    return [(parts[h.part_id].manufacturer, parts[h.part_id].name) for h in hits]


def test_importing_the_catalog_embeds_every_part_once(database, catalog):
    with database.session() as session:
        parts = session.scalar(select(func.count()).select_from(Part))
        embedded = session.scalar(select(func.count()).select_from(PartEmbedding))
        models = set(session.scalars(select(PartEmbedding.model)))

    assert embedded == parts > 4000
    assert models == {"local:all-MiniLM-L6-v2"}


def test_a_description_finds_parts_of_that_meaning_without_sharing_its_words(database, catalog, backends):
    agent = SemanticAgent(EMBEDDER, backends.index)

    hits = agent.search(parse("gasket kit to reseal a leaking boom ram"), catalog, 10)

    assert hits and all("similar description" in h.reason for h in hits)
    assert all("seal kit" in name.lower() for _, name in names(database, hits[:5]))


def test_a_manufacturer_in_the_query_filters_the_index(database, catalog, backends):
    hits = SemanticAgent(EMBEDDER, backends.index).search(parse("Deere hydraulic pump"), catalog, 10)

    found = names(database, hits)
    assert found and {maker for maker, _ in found} == {"Deere"}
    assert any("pump" in name.lower() for _, name in found[:3])


def test_a_part_number_alone_or_an_unrelated_query_is_not_answered_by_meaning(catalog, backends):
    agent = SemanticAgent(EMBEDDER, backends.index)

    assert agent.search(parse("CAT 1R-0750"), catalog, 10) == []
    assert agent.search(parse("xylophone"), catalog, 10) == []


def test_re_importing_an_unchanged_catalog_embeds_nothing_and_a_changed_part_is_embedded_again(
    database, catalog, backends
):
    again = import_catalog(database, catalog, SAMPLE, backends)
    assert again.index["embedded"] == 0 and again.index["unchanged"] > 4000

    with database.session() as session:
        part = session.scalars(select(Part).where(Part.organization_id == catalog).limit(1)).one()
        session.execute(update(Part).where(Part.id == part.id).values(description="Alternator belt, ribbed"))
    changed = index_parts(database, catalog, EMBEDDER, backends.index)

    assert changed.embedded == 1


def test_another_workers_index_sees_a_re_import_without_a_restart(database, catalog, backends, monkeypatch):
    monkeypatch.setattr(local_index, "REFRESH_S", 0.0)
    other_worker = LocalVectorIndex(database, EMBEDDER.name)
    agent = SemanticAgent(EMBEDDER, other_worker)
    before = agent.search(parse("solar panel charge controller"), catalog, 5)
    with database.session() as session:
        part = session.scalars(select(Part).where(Part.organization_id == catalog).limit(1)).one()
        session.execute(
            update(Part).where(Part.id == part.id).values(name="Solar panel charge controller", description="12/24 V")
        )
    index_parts(database, catalog, EMBEDDER, backends.index)

    after = agent.search(parse("solar panel charge controller"), catalog, 5)

    assert part.id not in [h.part_id for h in before]
    assert after[0].part_id == part.id


def test_an_organizations_vectors_are_never_searched_for_another(database, catalog, other_org, backends):
    with database.session() as session:
        session.add(
            Part(
                organization_id=other_org,
                part_number="ZZ-9999",
                normalized_part_number="ZZ9999",
                manufacturer="CAT",
                name="Main hydraulic pump",
                description="Main hydraulic pump for CAT 320D",
            )
        )
    index_parts(database, other_org, EMBEDDER, backends.index)
    agent = SemanticAgent(EMBEDDER, backends.index)

    mine = agent.search(parse("main hydraulic pump"), catalog, 20)
    theirs = agent.search(parse("main hydraulic pump"), other_org, 20)

    assert len(theirs) == 1 and names(database, theirs) == [("CAT", "Main hydraulic pump")]
    assert theirs[0].part_id not in {h.part_id for h in mine}


def test_any_litellm_embedding_model_can_replace_the_local_one(database, catalog):
    with openai_server() as server:
        settings = PartsSearchSettings(
            database_url=database.settings.database_url,
            search_embeddings="openai/text-embedding-3-small",
            search_embedding_api_base=server.api_base,
            search_embedding_api_key="sk-local",
        )
        backends = build(settings, database)
        report = backends.sync(catalog)
        hits = SemanticAgent(backends.embedder, backends.index).search(parse("seal kit boom cylinder"), catalog, 5)

    assert isinstance(backends.embedder, LiteLLMEmbedder)
    assert report["embedded"] > 4000, "a new model embeds every part again"
    assert server.requests[0]["model"] == "text-embedding-3-small"
    assert all("seal kit" in name.lower() for _, name in names(database, hits))


def test_an_unreachable_embedding_provider_fails_the_sync_with_its_name(database, catalog):
    settings = PartsSearchSettings(
        database_url=database.settings.database_url,
        search_embeddings="openai/text-embedding-3-small",
        search_embedding_api_base="http://127.0.0.1:9/v1",
        search_embedding_api_key="sk-local",
        search_embedding_timeout_s=1.0,
    )
    backends = build(settings, database)

    with pytest.raises(Exception, match="text-embedding-3-small"):
        backends.sync(catalog)


def test_the_defaults_are_the_embedded_backends(database):
    backends = build(PartsSearchSettings(database_url=database.settings.database_url), database)

    assert (backends.embedder.name, backends.index.name, backends.graph.name) == (
        "local:all-MiniLM-L6-v2",
        "local",
        "postgres",
    )
    assert isinstance(backends, Backends) and isinstance(backends.graph, PostgresGraph)


def test_a_booting_worker_preloads_the_matrices_of_the_organisations_changed_last(database, catalog):
    booting = LocalVectorIndex(database, EMBEDDER.name)

    assert booting.preload() == [catalog]
    assert SemanticAgent(EMBEDDER, booting).search(parse("seal kit for boom cylinder"), catalog, 3)
