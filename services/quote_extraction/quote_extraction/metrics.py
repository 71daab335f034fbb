"""The service's own metrics, in the library's registry (served on the worker's /metrics).

Labels are bounded: the extractor kind (``rules``/``llm``, never the model name), the
verification status, the finding check names and the token kind.
"""

from __future__ import annotations

from prometheus_client import Counter

from partsiq.metrics import REGISTRY

QUOTES = Counter(
    "partsiq_quotes_extracted",
    "Quotes stored, by extractor kind and verification status (PROCESSED or NEEDS_REVIEW).",
    ["extractor", "status"],
    registry=REGISTRY,
)
FINDINGS = Counter(
    "partsiq_quote_findings",
    "Verification findings on stored quotes, by check.",
    ["check", "severity"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "partsiq_llm_tokens",
    "Tokens sent to and received from the LLM extractor's model.",
    ["kind"],
    registry=REGISTRY,
)
LLM_COST = Counter("partsiq_llm_cost_usd", "Estimated LLM cost in US dollars (litellm's price map).", registry=REGISTRY)
