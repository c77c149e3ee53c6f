"""``knowledge.facts.method_return``: what a method of a project class returns, read on the nearest class of its
bases that defines it (one reading for the queries, the auth dependencies and the principals), and
``knowledge.repositories.generic_model``."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.facts import method_return
from backend_lint.knowledge.repositories import generic_model
from harness import index_of_files

FILES = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlmodel import Field, SQLModel

        class Account(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)

        class Invoice(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            account_id: int
    """,
    "app/repos.py": """
        from typing import Generic, TypeVar

        from .models import Account, Invoice

        T = TypeVar("T")

        class Store(Generic[T]):
            def fetch(self, key) -> Invoice:
                ...

            def owner(self, key) -> Account:
                ...

        class InvoiceStore(Store[Invoice]):
            def owner(self, key):
                return None

            def count(self) -> int:
                return 0

        class Ledger(InvoiceStore):
            pass
    """,
}


def test_the_nearest_definition_answers(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, FILES)
    assert method_return(project, "app.repos.Ledger", "fetch") == "app.models.Invoice"  # a base's, two up
    assert method_return(project, "app.repos.Store", "owner") == "app.models.Account"
    # an override without an annotation says nothing, whatever its base promised
    assert method_return(project, "app.repos.Ledger", "owner") is None
    assert method_return(project, "app.repos.Ledger", "count") == "int"  # (what it names: readers resolve it)
    assert method_return(project, "app.repos.Ledger", "missing") is None
    assert method_return(project, "app.repos.Nowhere", "fetch") is None
    assert method_return(project, None, "fetch") is None


def test_generic_model(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, FILES)
    assert generic_model(project, "app.repos.Ledger") == "app.models.Invoice"
    assert generic_model(project, "app.repos.Store") is None
