"""Family rules: engine."""
