"""Search benchmark: a catalog of about 100k parts, 210 labelled queries, each agent alone and fused.

    python -m bench.search          # BENCH_BASE_PARTS=59000 (about 101k parts in all)

Prints MRR@10 and nDCG@10 per query kind for each agent alone and for the fused answer, the
agents' latencies in process (p50/p95), and the whole job's (enqueue to stored answer, through a
``partsiq worker parts-search`` process, rate limit off) p50/p95. Embedded defaults only: the
catalog agent, the semantic agent (all-MiniLM-L6-v2 on the CPU, vectors in PostgreSQL) and the
relationship agent (PostgreSQL). Embedding 100k parts takes 5-15 min on 2 cores; the vectors are
kept in ``.cache/bench-search-embeddings.npz`` (by text) so a second run embeds nothing.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import select, text

from parts_search.backends import Backends
from parts_search.catalog import import_catalog
from parts_search.graph.postgres import PostgresGraph
from parts_search.orchestrator import search
from parts_search.query import parse
from parts_search.vectors import LocalEmbedder
from parts_search.vectors.embedders import Vectors
from parts_search.vectors.local import LocalVectorIndex
from partsiq import runtime
from partsiq.db import create_database_if_missing, upgrade
from partsiq.db.models import Conversation, Organization, Part
from partsiq.jobs import enqueue, wait_for_job
from partsiq.settings import Settings

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BASE_PARTS = int(os.environ.get("BENCH_BASE_PARTS", "59000"))
DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/partsiq_bench_search"
ORG = "org_bench"
TIMEOUTS = {"catalog": 2.0, "semantic": 3.0, "relationships": 2.0}
CACHE = ROOT / ".cache" / "bench-search-embeddings.npz"


class CachedEmbedder(LocalEmbedder):
    """The local model, with every vector it ever computed for the benchmark kept on disk by text."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, Vectors] = {}
        if CACHE.exists():
            stored = np.load(CACHE, allow_pickle=False)
            self.known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def _compute(self, texts: list[str]) -> Vectors:
        missing = [t for t in texts if t not in self.known]
        if missing:
            self.known.update(zip(missing, super()._compute(missing), strict=True))
        return np.stack([self.known[t] for t in texts])

    def save(self) -> None:
        CACHE.parent.mkdir(exist_ok=True)
        texts = list(self.known)
        np.savez(CACHE, texts=np.array(texts), vectors=np.stack([self.known[t] for t in texts]))


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("catalog_build", ROOT / "samples" / "catalog" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup() -> tuple[Settings, runtime.Runtime, Backends]:
    settings = Settings(database_url=DATABASE, redis_namespace="partsiq-bench-search", log_level="WARNING")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS partsiq_bench_search WITH (FORCE)")
    create_database_if_missing(settings)
    upgrade(settings)
    rt = runtime.start(settings)
    with rt.database.session() as session:
        session.add(Organization(id=ORG, name="Bench"))
    build = _generator()
    started = time.perf_counter()
    rows = build.generate(BASE_PARTS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "parts.csv"
        build.write(rows, path)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        report = import_catalog(rt.database, ORG, path)
        imported = time.perf_counter() - started
    embedder = CachedEmbedder()
    backends = Backends(rt.database, embedder, LocalVectorIndex(rt.database, embedder.name), PostgresGraph(rt.database))
    started = time.perf_counter()
    cached = len(embedder.known)
    indexed = backends.sync(ORG, progress=lambda done, total: print(f"  embedded {done:,}/{total:,}", end="\r"))
    embedder.save()
    with rt.database.engine.connect() as conn:
        conn.execute(text('ANALYZE "Part"'))
        conn.commit()
    print(f"catalog: {report.created:,} parts, {report.relationships:,} relationships, {report.fitments:,} fitments "
          f"(generated in {generated:.0f} s, imported in {imported:.0f} s); {indexed['embedded']:,} parts embedded "
          f"in {time.perf_counter() - started:.0f} s ({cached:,} texts were cached from an earlier run)")  # fmt: skip
    return settings, rt, backends


def relevance(rt: runtime.Runtime, query: dict[str, Any]) -> dict[str, int]:
    """part id -> grade (2 relevant, 1 partly), from catalog attributes only."""
    with rt.database.session() as session:
        if "relevant" in query:
            grades = {}
            for target in query["relevant"]:
                part_id = session.scalar(
                    select(Part.id).where(
                        Part.organization_id == ORG,
                        Part.manufacturer == target["manufacturer"],
                        Part.part_number == target["partNumber"],
                    )
                )
                if part_id:
                    grades[part_id] = 2
            return grades
        d = query["describes"]
        same_name = session.execute(
            text('SELECT id FROM "Part" WHERE "organizationId" = :org AND name = :name'),
            {"org": ORG, "name": d["name"]},
        ).scalars()
        fitting = session.execute(
            text(
                'SELECT p.id FROM "Part" p JOIN "PartFitment" f ON f."partId" = p.id '
                'JOIN "EquipmentModel" m ON m.id = f."equipmentModelId" '
                'WHERE p."organizationId" = :org AND p.name = :name AND m.make = :make AND m.model = :model'
            ),
            {"org": ORG, "name": d["name"], "make": d["make"], "model": d["model"]},
        ).scalars()
        grades = dict.fromkeys(same_name, 1)
        grades.update(dict.fromkeys(fitting, 2))
        return grades


def scores(ranking: list[str], grades: dict[str, int]) -> tuple[float, float]:
    """(reciprocal rank, nDCG) at 10."""
    top = ranking[:10]
    rr = next((1.0 / i for i, pid in enumerate(top, 1) if grades.get(pid, 0) > 0), 0.0)
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 1) for i, pid in enumerate(top, 1))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return rr, (dcg / idcg if idcg else 0.0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    settings, rt, backends = setup()
    queries = json.loads((HERE / "queries.json").read_text())
    agents = {agent.name: agent for agent in backends.agents()}
    search(rt.database, ORG, "warm-up", list(agents.values()), timeouts=TIMEOUTS, budget_s=30.0)  # load the matrix
    results: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    latency: dict[str, list[float]] = defaultdict(list)
    for query in queries:
        grades = relevance(rt, query)
        parsed = parse(query["query"])
        for name, agent in agents.items():
            started = time.perf_counter()
            hits = agent.search(parsed, ORG, 20)
            latency[name].append((time.perf_counter() - started) * 1000)
            results[name][query["kind"]].append(scores([h.part_id for h in hits], grades))
        started = time.perf_counter()
        answer = search(rt.database, ORG, query["query"], list(agents.values()), timeouts=TIMEOUTS, budget_s=5.0)
        latency["fused (in process)"].append((time.perf_counter() - started) * 1000)
        results["fused"][query["kind"]].append(scores([p["partId"] for p in answer.parts], grades))
    kinds = list(dict.fromkeys(q["kind"] for q in queries))
    print(f"\n{len(queries)} labelled queries; MRR@10 / nDCG@10")
    print(f"{'query kind':<34}{'n':>4}" + "".join(f"{name:>22}" for name in results))
    for kind in [*kinds, "all"]:
        row = f"{kind:<34}"
        for n, name in enumerate(results):
            pairs = [p for k in (kinds if kind == "all" else [kind]) for p in results[name][k]]
            if n == 0:
                row += f"{len(pairs):>4}"
            row += f"{statistics.mean(p[0] for p in pairs):>12.3f} / {statistics.mean(p[1] for p in pairs):.3f}"
        print(row)
    print("\nlatency in process (ms): " + ", ".join(
        f"{name} p50 {percentile(v, 0.5):.1f} p95 {percentile(v, 0.95):.1f}" for name, v in latency.items()
    ))  # fmt: skip
    whole_job(settings, rt, queries)
    rt.close()


def whole_job(settings: Settings, rt: runtime.Runtime, queries: list[dict[str, Any]]) -> None:
    """Enqueue each query to a real worker process and time until its answer is stored."""
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE,
        "REDIS_NAMESPACE": settings.redis_namespace,
        "RATE_LIMITS": json.dumps({"search": "none"}),
        "METRICS_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen([sys.executable, "-m", "partsiq", "worker", "parts-search"], env=env)
    try:
        with rt.database.session() as session:
            conversation = Conversation(organization_id=ORG, title="bench")
            session.add(conversation)
            session.flush()
            conversation_id = conversation.id
        # not timed: the worker's boot (model and vector matrix) and its first search
        warm_up = enqueue("search", ORG, {"conversationId": conversation_id, "query": "hydraulic pump"})
        assert wait_for_job(rt.database, warm_up, 120) is not None, "the worker did not start"
        times = []
        for query in queries:
            started = time.perf_counter()
            job_id = enqueue("search", ORG, {"conversationId": conversation_id, "query": query["query"]})
            row = wait_for_job(rt.database, job_id, 30, interval=0.002)
            assert row is not None and row.result is not None, f"job {job_id} did not complete"
            times.append((time.perf_counter() - started) * 1000)
        print(f"whole job, enqueue to stored answer (ms): p50 {percentile(times, 0.5):.1f}, "
              f"p95 {percentile(times, 0.95):.1f} over {len(times)} jobs")  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=60)


if __name__ == "__main__":
    main()
