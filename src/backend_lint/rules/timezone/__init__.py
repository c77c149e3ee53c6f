"""Family rules: timezone."""
