"""Extractors behind one interface: ``rules`` (embedded, offline) and ``llm`` (litellm)."""

from __future__ import annotations

from quote_extraction.extractors.base import Extraction, ExtractionFailed, Extractor, ExtractorUnavailable
from quote_extraction.extractors.rules import RulesExtractor
from quote_extraction.settings import QuoteExtractionSettings


def build_extractor(settings: QuoteExtractionSettings, name: str | None = None) -> Extractor:
    """The extractor ``name`` (default: the ``QUOTE_EXTRACTOR`` setting)."""
    if (name or settings.quote_extractor) == "llm":
        from quote_extraction.extractors.llm import LLMExtractor

        return LLMExtractor(settings)
    return RulesExtractor()


__all__ = [
    "Extraction",
    "ExtractionFailed",
    "Extractor",
    "ExtractorUnavailable",
    "RulesExtractor",
    "build_extractor",
]
