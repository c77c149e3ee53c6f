"""Family rules: partial_updates."""
