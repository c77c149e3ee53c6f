"""Family rules: identity."""
