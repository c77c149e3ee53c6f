"""Family rules: migrations."""
