"""Domain entities that mirror a table (``@dataclass class KnowledgeBase`` in ``entities/``, filled by the repository
from ``KnowledgeBaseORM``'s row: ``to_entity(KnowledgeBase, row)``). A service parameter so typed holds a row its
caller loaded, as a parameter typed as the table model does, not a key the client chose: a lookup keyed on it
(``lock_knowledge_base(db, knowledge_base)``, the row re-loaded ``FOR UPDATE`` by its own ``id``) re-loads that
row (read by ``analyzer._Analyzer.run``); a lookup keyed on its ``id`` beside the client's key is one of that
row's children (``expressions._child_of_handed_row``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..facts import orm_facts
from ..models import is_pydantic_model, is_table_model, model_columns, table_union_alias, tables_by_class_name
from .vocabulary import PRIMARY_KEY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from ..index import ProjectIndex
    from .values import Val

cst = lazy_import("libcst")


def mirrored_table(project: Optional["ProjectIndex"], type_q: Optional[str]) -> Optional[str]:
    """The table model a project class mirrors: no table itself, no pydantic model (a request body the client
    fills), named as exactly one table model, declaring ``id`` and only fields that are columns of that table
    (at least two besides ``id``): the row's values carried out of the ORM. ``None`` otherwise."""
    if project is None or not type_q:
        return None
    return project.memo(("queries.mirrored_table", type_q), lambda: _mirrored_table(project, type_q))


def _mirrored_table(project: "ProjectIndex", type_q: str) -> Optional[str]:
    found = project.get_class(project.canonical(type_q))
    if found is None:
        return None
    canonical, facts = found
    if is_table_model(project, canonical) or is_pydantic_model(project, canonical) is not False or table_union_alias(project, canonical):
        return None
    tables = tables_by_class_name(project).get(canonical.rsplit(".", 1)[-1], ())
    if len(tables) != 1:
        return None
    fields = {n for n in facts.get("fields", {}) if not n.startswith("_")}
    columns = set(model_columns(project, tables[0]))
    if "id" not in fields or "id" not in columns or len(fields - {"id"}) < 2 or not fields <= columns:
        return None
    return tables[0]


def routes_hand_rows(project: Optional["ProjectIndex"], key: Optional[str], param: str) -> bool:
    """Every route calling the service ``key`` hands its ``param`` a row it looked up or was handed (a ``feeds``
    argument of kind ``row``, or ``built``, what a call handed the session answered: ``library = await
    get_library(db, ...)`` then ``archive_library(db, library, ...)``),
    never its body or a value it built from client data (``Library(id=body.library_id)``). Callers that are not
    routes are not read."""
    if project is None or not key:
        return False
    return bool(project.memo(("queries.routes_hand_rows", key, param), lambda: _routes_hand_rows(project, key, param)))


def _routes_hand_rows(project: "ProjectIndex", key: str, param: str) -> bool:
    found = project.project_function(key)
    entry = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) if found is not None else None
    names = [p["name"] for p in (entry or {}).get("params", ())]
    for _, facts in project.iter_modules():
        orm = orm_facts(facts)
        for table in ("functions", "methods"):
            for fn in (orm.get(table) or {}).values():
                if not fn.get("route") or key not in fn.get("calls_out", ()):
                    continue
                feeds = [f for f in fn.get("feeds", ()) if f.get("target") == key]
                if not feeds:
                    return False
                for feed in feeds:
                    if not any(
                        kind in ("row", "built") and (where == param or (isinstance(where, int) and where < len(names) and names[where] == param))
                        for where, _, kind in feed.get("args", ())
                    ):
                        return False
    return True


def handed_row_key(expr: "cst.BaseExpression", state: dict[str, "Val"], handed: "set[str]") -> bool:
    """``run.id``: the primary key of a row the function's caller handed in (one of ``handed``: parameters typed as
    a table model or an entity mirroring one, held ``trusted``), not bound to anything else since."""
    if not (isinstance(expr, cst.Attribute) and expr.attr.value in PRIMARY_KEY_NAMES and isinstance(expr.value, cst.Name)):
        return False
    v = state.get(expr.value.value)
    return expr.value.value in handed and v is not None and v.trusted and not (v.sites or v.rows or v.stmt or v.derived)
