"""PartsIQ job platform library."""
