"""PartsIQ quote-extraction worker."""
