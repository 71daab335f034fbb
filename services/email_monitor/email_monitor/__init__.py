"""email-monitor: every 5 minutes per organisation, fetch new supplier mail, classify it, keep threads, queue quotes.

- :mod:`.sources`: where mail comes from (a local folder by default; Gmail; IMAP), one interface.
- :mod:`.classify`: deterministic classification with its reasons.
- :mod:`.ingest`: one message: parse, classify, match the supplier, thread, store.
- :mod:`.sync`: one mailbox: resume from stored state, page by page, exactly once.
- :mod:`.actors` (the ``email-sync`` job), :mod:`.schedule` (the 5-minute fan-out), :mod:`.cli`.
"""
