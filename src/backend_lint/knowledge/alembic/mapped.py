"""What the project's ORM models map today, by database name (family 4, part two: BKL410's fix, BKL421).

``mapped_tables(project)`` -> ``{table name: MappedTable}``, read from the project index: every table model
(``models.is_table_model``) with a literal ``__tablename__`` (or, for a SQLModel ``table=True`` class
without one, its class name in lower case, SQLModel's default), and its columns by database name: the
attribute's name, or the literal first argument of ``Column("name", ...)`` / ``mapped_column("name", ...)``
(also inside ``Field(sa_column=Column(...))``). A model whose table name is computed (``declared_attr``,
``__table__ = Table(...)``) is left out: it makes no claim, and so are the models declared inside a
migration package (a module path with ``migrations``, ``alembic`` or ``versions``): revisions declare
them as snapshots for their data steps. Nothing is imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional

from ..models import column_traits, is_table_model, model_columns
from ..schemas import parse_expr
from ..tree_facts import walk as ast_walk

_COLUMN_CALLS = ("Column", "mapped_column")


@dataclass
class MappedColumn:
    attribute: str
    owner: str  # the qualified class that declares it
    nullable: bool  # the declaration admits NULL (``nullable=True`` or an optional annotation); unknown: False


@dataclass
class MappedTable:
    name: str
    models: list = field(default_factory=list)  # qualified names of the classes mapping it
    columns: dict = field(default_factory=dict)  # database column name -> MappedColumn


def _literal(source: Optional[str]) -> Optional[str]:
    if not source:
        return None
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _column_db_name(value: Optional[str]) -> Optional[str]:
    """The literal name given to ``Column("name", ...)`` / ``mapped_column("name", ...)`` in a declaration."""
    node = parse_expr(value)
    if node is None:
        return None
    for call in ast_walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in _COLUMN_CALLS and call.args:
                first = call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    return first.value
    return None


def _table_name(project: Any, qualified: str, facts: dict) -> Optional[str]:
    for _owner, owner_facts in project.class_mro(qualified):
        if owner_facts is None:
            continue
        raw = owner_facts.get("fields", {}).get("__tablename__")
        if raw is not None:
            return _literal(raw.get("value"))
    if facts.get("keywords", {}).get("table") == "True":
        return qualified.rsplit(".", 1)[-1].lower()
    return None


# Models declared in a migration package are snapshots a revision uses for its data steps, not the code
# that runs: ``superset/migrations/versions/..._collapse_alerting.py`` declares ``class Alert(Base)``.
_MIGRATION_PARTS = frozenset({"migrations", "migration", "alembic", "versions", "_migrations"})


def _in_migrations(qualified: str) -> bool:
    return any(part in _MIGRATION_PARTS for part in qualified.split(".")[:-1])


def _build(project: Any) -> dict:
    out: dict[str, MappedTable] = {}
    for qualified, facts in project.iter_classes():
        if _in_migrations(qualified) or not is_table_model(project, qualified):
            continue
        table = _table_name(project, qualified, facts)
        if not table:
            continue
        entry = out.setdefault(table, MappedTable(table))
        entry.models.append(qualified)
        for attribute, info in model_columns(project, qualified).items():
            owner = project.get_class(info.owner)
            raw = owner[1].get("fields", {}).get(attribute) if owner is not None else None
            db_name = _column_db_name(raw.get("value")) if raw is not None else None
            traits = column_traits(project, qualified, attribute)
            entry.columns.setdefault(db_name or attribute, MappedColumn(attribute, info.owner, bool(traits and traits.nullable)))
    return out


def mapped_tables(project: Any) -> dict:
    """Table name -> ``MappedTable`` for the project's models (``{}`` without a project index)."""
    if project is None:
        return {}
    return project.memo(("alembic.mapped_tables",), lambda: _build(project))


def derive_mapped_tables(project: Any, settings: Any = None) -> None:
    """``mapped_tables`` derived now (``RuleSpec.project_facts`` of the rules that read it: a pool's parent
    derives it once before forking its workers)."""
    mapped_tables(project)


def mapped_column(project: Any, table: str, column: str) -> Optional[MappedColumn]:
    entry = mapped_tables(project).get(table)
    return entry.columns.get(column) if entry is not None else None
