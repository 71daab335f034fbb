"""The quote-extraction service's settings: the library's, plus which extractor and which model."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import SecretStr

from partsiq.settings import Settings


class QuoteExtractionSettings(Settings):
    """``QUOTE_EXTRACTOR=llm`` with any litellm model; ``rules`` (the default) needs nothing."""

    #: ``rules`` works offline; ``llm`` calls ``quote_llm_model`` through litellm.
    quote_extractor: Literal["rules", "llm"] = "rules"
    #: Any litellm model: ``openai/gpt-4o-mini``, ``anthropic/claude-...``, ``ollama/llama3.1``, or
    #: ``openai/<name>`` with ``QUOTE_LLM_API_BASE`` for a local OpenAI-compatible server.
    quote_llm_model: str = "openai/gpt-4o-mini"
    quote_llm_api_base: str | None = None
    quote_llm_api_key: SecretStr | None = None
    #: Seconds per model call (litellm's own default is 6000).
    quote_llm_timeout_s: float = 60.0
    #: litellm's retries inside one attempt (``2`` = up to 3 calls); the job's retries come on top.
    quote_llm_num_retries: int = 2
    #: When the model stays unavailable through the job's last attempt, extract with the rules instead.
    quote_llm_fallback_to_rules: bool = True


@cache
def settings() -> QuoteExtractionSettings:
    """The process's settings, read once from the environment."""
    return QuoteExtractionSettings()
