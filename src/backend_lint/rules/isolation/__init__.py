"""Family rules: isolation."""
