"""The search agents: each answers one way, scoped to one organisation, with reasons."""

from parts_search.agents.base import Agent, Hit

__all__ = ["Agent", "Hit"]
