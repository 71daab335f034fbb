"""PartsIQ email-monitor worker."""
