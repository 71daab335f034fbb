"""What every agent returns: parts with a score and the reason they matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from parts_search.query import ParsedQuery

#: Fusion boosts: the exact number typed first, the current replacement of an obsolete one next.
EXACT = 1.0
REPLACEMENT = 0.9


@dataclass(frozen=True)
class Hit:
    """One part an agent found: its id, the agent's own score (higher is better) and how it matched."""

    part_id: str
    score: float
    #: ``exact part number``, ``part number prefix``, ``similar part number (0.62)``, ``description``...
    reason: str
    #: Added once by fusion: 1.0 for the exact part number typed (it always ranks first), 0.9 for the
    #: current replacement of a superseded one (right after it); 0 for everything else.
    boost: float = 0.0


class Agent(Protocol):
    """One source of hits. ``name`` appears in answers ("sources: catalog, relationships")."""

    name: str

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        """The organisation's best ``limit`` parts for ``query``, best first."""
        ...
