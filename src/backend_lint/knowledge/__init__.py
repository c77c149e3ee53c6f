"""Shared semantic helpers (imports, routes, queries, alembic ops)."""
