"""The service's own metrics, in the library's registry (served on the worker's /metrics).

Labels are bounded: the agent name (``catalog``, ``semantic``, ``relationships``) and its
outcome (``ok``, ``failed``, ``timed_out``); never the query, the organisation or a part.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from parts_search.orchestrator import Answer
from partsiq.metrics import REGISTRY

#: Buckets around the search budget (5 s) and the latency target (p95 < 300 ms).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0)

AGENT_SECONDS = Histogram(
    "partsiq_search_agent_seconds",
    "Time each search agent took to answer (or to be given up on), by outcome.",
    ["agent", "outcome"],
    buckets=BUCKETS,
    registry=REGISTRY,
)
SEARCH_SECONDS = Histogram(
    "partsiq_search_seconds",
    "Time from the start of a search to its fused, described answer.",
    buckets=BUCKETS,
    registry=REGISTRY,
)
ANSWERS = Counter(
    "partsiq_search_answers",
    "Search answers stored, by whether a source was missing (degraded) and whether any part was found.",
    ["degraded", "found"],
    registry=REGISTRY,
)


def observe(answer: Answer, seconds: float) -> None:
    """Record one answer: each source's time and outcome, the whole search's time, degraded or not."""
    for name, source in answer.sources.items():
        AGENT_SECONDS.labels(name, source.status.replace(" ", "_")).observe(source.ms / 1000)
    SEARCH_SECONDS.observe(seconds)
    ANSWERS.labels(str(answer.degraded).lower(), str(bool(answer.parts)).lower()).inc()
