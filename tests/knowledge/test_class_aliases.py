"""A module-level name bound to a project class (``Table = SensorTable``) is that class for the index, and the
screens' ``reexport_closure`` counts it as a name of the class."""

from __future__ import annotations

import textwrap

from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.reexports import reexport_closure

ROOT = "/tmp/bkl-class-aliases"


def _project() -> ProjectIndex:
    files = {
        "app/__init__.py": "",
        "app/tables.py": """
            import typing

            class SensorTable:
                pass

            Table = SensorTable
            Again = Table
            Maybe = typing.Optional[SensorTable]
            built = SensorTable()
            Loop = Loop
        """,
        "app/other.py": """
            from . import tables
            from .tables import Table as Imported

            Shown = tables.Table
            Outer = typing_missing.Thing
        """,
    }
    sources = {f"{ROOT}/{path}": textwrap.dedent(text) for path, text in files.items()}
    return ProjectIndex.from_sources(ROOT, sources)


def test_alias_resolves_to_the_class() -> None:
    project = _project()
    for spelled in ("app.tables.Table", "app.tables.Again", "app.other.Shown", "app.other.Imported"):
        found = project.get_class(spelled)
        assert found is not None and found[0] == "app.tables.SensorTable", spelled


def test_other_values_stay_assignments() -> None:
    project = _project()
    for spelled in ("app.tables.Maybe", "app.tables.built", "app.tables.Loop", "app.other.Outer"):
        assert project.get_class(spelled) is None, spelled
        found = project.resolve_symbol(spelled)
        assert found is not None and found[2] == "assignments", spelled


def test_reexport_closure_counts_aliases() -> None:
    names = reexport_closure(_project(), ["SensorTable"])
    assert {"SensorTable", "Table", "Again", "Shown", "Imported"} <= names
    assert "built" not in names and "Maybe" not in names
