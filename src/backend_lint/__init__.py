"""backend-lint: a linter for FastAPI / SQLModel / SQLAlchemy / Alembic backends."""

__version__ = "0.1.0"
