"""parts-search: a multi-agent search over each organisation's parts catalog.

- :mod:`.catalog`: the catalog file format, validation and idempotent import.
- agents (catalog, semantic, relationship), the orchestrator and the ``search`` job: not built yet.
"""
