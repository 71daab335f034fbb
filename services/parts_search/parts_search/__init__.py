"""PartsIQ parts-search worker."""
