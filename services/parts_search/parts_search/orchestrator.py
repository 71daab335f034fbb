"""The orchestrator: understand the query, ask every agent in parallel, fuse, enrich, answer.

- Each agent runs in its own thread with its own timeout (the queue table's ``step_timeouts``)
  inside the job's budget (``budget_s``). An agent that raises or is late is reported in
  ``sources`` and the others' results are returned: degraded, not failed.
- Fusion is weighted reciprocal rank fusion (k = 60) over the agents' rankings (the catalog
  agent counts half for a description), plus a boost: 1 for the exact part number typed (it
  always ranks first), 0.9 for the current replacement of a superseded number (right after
  it). Parts are de-duplicated and keep every agent's reason.
- The top parts are described from the catalog (price, stock, lead time) and the graph
  (supersessions, alternates, components, fitment).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from parts_search.agents import Agent, Hit
from parts_search.agents.relationships import RelationshipAgent
from parts_search.query import ParsedQuery, parse
from partsiq.db import Database
from partsiq.db.models import Part

log = logging.getLogger("parts_search")

RRF_K = 60
#: Each agent's weight in the fusion (1.0: plain RRF) for a part-number query ...
WEIGHTS: dict[str, float] = {"catalog": 1.0, "semantic": 1.0, "relationships": 1.0}
#: ... and for a description: the catalog agent's word matches ignore the machine and the meaning,
#: so they count half. Chosen on half of the labelled descriptions (nDCG@10 0.812 -> 0.882) and
#: checked on the other half (0.841 -> 0.884); python -m bench.search.tune.
DESCRIPTION_WEIGHTS: dict[str, float] = {"catalog": 0.5, "semantic": 1.0, "relationships": 1.0}


def weights_for(query: ParsedQuery) -> dict[str, float]:
    """The fusion weights for this kind of query."""
    return WEIGHTS if query.looks_like_part_number else DESCRIPTION_WEIGHTS


#: Hits asked of each agent, and parts in an answer.
AGENT_LIMIT = 20
ANSWER_SIZE = 10


@dataclass
class SourceReport:
    """How one agent did: ``ok``, ``failed`` or ``timed out``, its hits and time."""

    status: str
    hits: int = 0
    ms: float = 0.0
    error: str | None = None


@dataclass
class Answer:
    """What the UI renders and the conversation stores."""

    query: str
    parts: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, SourceReport] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        """Some source did not answer."""
        return any(s.status != "ok" for s in self.sources.values())

    def as_json(self) -> dict[str, Any]:
        """The documented result shape (docs/parts-search.md)."""
        return {
            "query": self.query,
            "parts": self.parts,
            "sources": {name: {k: v for k, v in vars(s).items() if v is not None} for name, s in self.sources.items()},
            "degraded": self.degraded,
        }

    def text(self) -> str:
        """A short Markdown answer for the chat."""
        if not self.parts:
            lines = [f"No parts found for **{self.query}**."]
        else:
            lines = [f"Parts for **{self.query}**:", ""]
            for part in self.parts[:5]:
                price = f"{part['price']} {part['currency']}" if part.get("price") else "price on request"
                stock = f"{part['stock']} in stock" if part.get("stock") else f"lead time {part.get('leadTimeDays')} d"
                label = f"{part['manufacturer']} {part['partNumber']}".strip()
                lines.append(f"{part['rank']}. **{label}**: {part['name']} ({price}, {stock})")
                relations = part.get("relationships", {})
                for replacement in relations.get("supersededBy", []):
                    since = f" since {replacement['since']}" if replacement.get("since") else ""
                    lines.append(f"   superseded by {replacement['partNumber']}{since}")
                if relations.get("alternates"):
                    lines.append(f"   alternates: {', '.join(relations['alternates'][:3])}")
                if relations.get("fits"):
                    lines.append(f"   fits {', '.join(relations['fits'][:3])}")
        down = [f"{name} ({s.status})" for name, s in self.sources.items() if s.status != "ok"]
        if down:
            lines += ["", f"Some sources did not answer: {', '.join(down)}; results may be incomplete."]
        return "\n".join(lines)


def search(
    database: Database,
    organization_id: str,
    text: str,
    agents: Sequence[Agent],
    *,
    timeouts: dict[str, float],
    budget_s: float,
    progress: Callable[[int, str], None] | None = None,
) -> Answer:
    """Run ``agents`` on ``text`` for the organisation and fuse their hits; see the module docstring."""
    query = parse(text)
    answer = Answer(query=query.text)
    results = _run_agents(query, organization_id, agents, timeouts, budget_s, answer, progress)
    fused = fuse(results, weights_for(query))[:ANSWER_SIZE]
    answer.parts = _describe(database, organization_id, fused, agents)
    return answer


def _run_agents(
    query: ParsedQuery,
    organization_id: str,
    agents: Sequence[Agent],
    timeouts: dict[str, float],
    budget_s: float,
    answer: Answer,
    progress: Callable[[int, str], None] | None,
) -> dict[str, list[Hit]]:
    started = time.monotonic()
    results: dict[str, list[Hit]] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, len(agents)), thread_name_prefix="agent")
    futures: dict[Future[list[Hit]], Agent] = {
        pool.submit(agent.search, query, organization_id, AGENT_LIMIT): agent for agent in agents
    }
    deadlines = {agent.name: started + min(timeouts.get(agent.name, budget_s), budget_s) for agent in agents}
    pending = set(futures)
    try:
        while pending:
            now = time.monotonic()
            soonest = min(deadlines[futures[f].name] for f in pending)
            done, pending = wait(pending, timeout=max(0.0, soonest - now), return_when=FIRST_COMPLETED)
            for future in done:
                agent = futures[future]
                ms = (time.monotonic() - started) * 1000
                try:
                    hits = future.result()
                except Exception as error:  # noqa: BLE001 (an agent's failure degrades the answer, never fails it)
                    log.warning("agent %s failed: %s", agent.name, error)
                    answer.sources[agent.name] = SourceReport("failed", ms=round(ms, 1), error=str(error)[:200])
                else:
                    results[agent.name] = hits
                    answer.sources[agent.name] = SourceReport("ok", hits=len(hits), ms=round(ms, 1))
                if progress:
                    progress(20 + 60 * len(answer.sources) // len(agents), f"{agent.name} answered")
            now = time.monotonic()
            for future in [f for f in pending if deadlines[futures[f].name] <= now]:
                agent = futures[future]
                log.warning("agent %s timed out after %.1f s", agent.name, now - started)
                answer.sources[agent.name] = SourceReport("timed out", ms=round((now - started) * 1000, 1))
                pending.discard(future)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def fuse(
    results: dict[str, list[Hit]], weights: dict[str, float] | None = None
) -> list[tuple[str, float, list[dict[str, str]]]]:
    """``(part id, fused score, [{source, reason}])``, best first: weighted RRF plus the largest boost a hit carries."""
    weights = WEIGHTS if weights is None else weights
    scores: dict[str, float] = {}
    boosts: dict[str, float] = {}
    reasons: dict[str, list[dict[str, str]]] = {}
    for source, hits in results.items():
        weight = weights.get(source, 1.0)
        for rank, hit in enumerate(hits, 1):
            scores[hit.part_id] = scores.get(hit.part_id, 0.0) + weight / (RRF_K + rank)
            boosts[hit.part_id] = max(boosts.get(hit.part_id, 0.0), hit.boost)
            reasons.setdefault(hit.part_id, []).append({"source": source, "reason": hit.reason})
    ranked = [(pid, score + boosts[pid], reasons[pid]) for pid, score in scores.items()]
    return sorted(ranked, key=lambda item: -item[1])


def _describe(
    database: Database,
    organization_id: str,
    fused: list[tuple[str, float, list[dict[str, str]]]],
    agents: Sequence[Agent],
) -> list[dict[str, Any]]:
    ids = [pid for pid, _, _ in fused]
    if not ids:
        return []
    with database.session() as session:
        parts = {
            p.id: p
            for p in session.scalars(select(Part).where(Part.organization_id == organization_id, Part.id.in_(ids)))
        }
    graph = next((a for a in agents if isinstance(a, RelationshipAgent)), None)
    relations = graph.enrich(organization_id, ids) if graph is not None else {}
    described = []
    for rank, (pid, score, why) in enumerate(fused, 1):
        part = parts.get(pid)
        if part is None:  # never another organisation's part, whatever an agent returned
            continue
        described.append(
            {
                "rank": rank,
                "partId": pid,
                "partNumber": part.part_number,
                "manufacturer": part.manufacturer,
                "name": part.name,
                "category": part.category,
                "price": None if part.price is None else f"{part.price:.2f}",
                "currency": part.currency,
                "stock": part.stock,
                "leadTimeDays": part.lead_time_days,
                "score": round(score, 4),
                "matches": why,
                "relationships": relations.get(pid, {}),
            }
        )
    return described
