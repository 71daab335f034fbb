"""quote-extraction: supplier quotes (mail bodies, HTML tables, PDF attachments) to verified QuoteRequest rows.

- :mod:`.source`: the message's readable text (body, visible HTML, PDF pages), with defects.
- :mod:`.extractors`: one interface, two implementations (``rules`` offline, ``llm`` via litellm).
- :mod:`.verify`: every number and part number checked against the source; totals reconciled.
- :mod:`.store`: idempotent persistence; :mod:`.actors`: the ``quote-extraction`` job;
  :mod:`.cli`: ``partsiq quote extract FILE`` without a database.
"""
