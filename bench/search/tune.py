"""Fusion weights on a split of the labelled queries: ``python -m bench.search.tune`` (after ``bench.search``).

Reads the benchmark's database as ``python -m bench.search`` left it, asks each agent once per
query, then scores the fused answer three ways on the even queries of each kind (the tuning
half) and the odd ones (held out): plain RRF, the shipped policy (``weights_for``: the catalog
agent at half weight on descriptions, chosen on the tuning half), and the best of a 125-point
grid of weights on the tuning half, to show how much a free grid overfits.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections import defaultdict
from collections.abc import Callable

from bench.search.__main__ import DATABASE, HERE, ORG, relevance, scores
from parts_search.backends import Backends
from parts_search.graph.postgres import PostgresGraph
from parts_search.orchestrator import WEIGHTS, fuse, weights_for
from parts_search.query import ParsedQuery, parse
from parts_search.vectors import LocalEmbedder
from parts_search.vectors.local import LocalVectorIndex
from partsiq import runtime
from partsiq.settings import Settings

GRID = (0.5, 1.0, 1.5, 2.0, 3.0)


def main() -> None:
    rt = runtime.start(Settings(database_url=DATABASE, redis_namespace="partsiq-bench-search", log_level="WARNING"))
    embedder = LocalEmbedder()
    backends = Backends(rt.database, embedder, LocalVectorIndex(rt.database, embedder.name), PostgresGraph(rt.database))
    queries = json.loads((HERE / "queries.json").read_text())
    seen: dict[str, int] = defaultdict(int)
    asked = []
    for query in queries:
        half = "tune" if seen[query["kind"]] % 2 == 0 else "held out"
        seen[query["kind"]] += 1
        parsed = parse(query["query"])
        hits = {agent.name: agent.search(parsed, ORG, 20) for agent in backends.agents()}
        asked.append((query["kind"], half, parsed, hits, relevance(rt, query)))

    def ndcg(policy: Callable[[ParsedQuery], dict[str, float]], half: str, kinds: set[str] | None = None) -> float:
        values = [
            scores([pid for pid, _, _ in fuse(hits, policy(parsed))], grades)[1]
            for kind, h, parsed, hits, grades in asked
            if h == half and (kinds is None or kind in kinds)
        ]
        return statistics.mean(values)

    grid = [dict(zip(WEIGHTS, combo, strict=True)) for combo in itertools.product(GRID, repeat=3)]
    best = max(grid, key=lambda w: (round(ndcg(lambda _: w, "tune"), 4), -sum(abs(v - 1) for v in w.values())))
    policies: list[tuple[str, Callable[[ParsedQuery], dict[str, float]]]] = [
        ("plain RRF", lambda _: WEIGHTS),
        ("shipped (catalog x0.5 on descriptions)", weights_for),
        (f"grid best on the tuning half {best}", lambda _: best),
    ]
    print(f"{len(asked)} queries; nDCG@10 of the fused answer, tuning half / held-out half")
    for label, policy in policies:
        description = {"description"}
        print(
            f"{label:<48} all {ndcg(policy, 'tune'):.3f} / {ndcg(policy, 'held out'):.3f}; descriptions "
            f"{ndcg(policy, 'tune', description):.3f} / {ndcg(policy, 'held out', description):.3f}"
        )
    rt.close()


if __name__ == "__main__":
    main()
