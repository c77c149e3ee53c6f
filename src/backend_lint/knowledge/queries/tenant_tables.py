"""Tables a tenant holds (``tenant_table``): rows whose only identity column is a required foreign key to the
tenant's table (``workspace_id = mapped_column(ForeignKey("workspaces.id"), nullable=False)``), in a project that
selects rows by the caller's tenant in that column somewhere. ``public_models`` reads a listing of such a table behind
a login as a forgotten tenant predicate, never as a feed served to every caller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..auth import HELD_TENANT_COLUMNS
from ...ground.config import analysis_key
from ..models import _declared_field, column_traits, identity_columns, referenced_model
from ..schemas import annotation_admits_none, parse_expr
from ..scoping import context_caller, is_caller, role_permission
from ..cst import walk
from ...ground.lazy import lazy_import
from .summaries import owning_parents

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..auth import Identity
    from .values import Site
    from ...ground.config import Settings
    from ..index import ProjectIndex

cst = lazy_import("libcst")

_CONSTANTS = frozenset({"True", "False", "None"})


def tenant_table(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    """Whether ``model``'s identity columns are all tenant columns (``HELD_TENANT_COLUMNS``: ``workspace_id``,
    ``org_id``...; no author or owner column) that the row must hold (``_required_reference``: a foreign key
    declared ``nullable=False`` or with an annotation admitting no ``None``), and the project compares each such
    column with the caller's tenant in a query somewhere, on any table (``_caller_tenant_columns``:
    ``MerchantMapping.workspace_id == user.workspace_id``): rows the project keeps per tenant. A user-authored
    feed has an author column (``Pin.user_id``) and stays public when listed to all; a table whose tenant column is
    optional (a catalogue row a tenant may add to) or that no query ever scopes by tenant stays as it was."""
    owners = identity_columns(project, settings, model)
    if not owners or not set(owners) <= HELD_TENANT_COLUMNS:
        return False
    if not all(_required_reference(project, model, c) for c in owners):
        return False
    return set(owners) <= _caller_tenant_columns(project, settings)


def _required_reference(project: "ProjectIndex", model: str, column: str) -> bool:
    """A foreign key to another table that every row must hold: ``nullable=False``, or a ``Mapped[...]`` /
    field annotation that admits no ``None`` (an unannotated ``mapped_column(...)`` / ``Column(...)`` with no
    ``nullable`` is nullable in SQLAlchemy: not required)."""
    traits = column_traits(project, model, column)
    if traits is None or not traits.foreign_key or traits.nullable or referenced_model(project, model, column) is None:
        return False
    declared = _declared_field(project, model, column)
    if declared is None:
        return False
    raw = declared[1]
    annotation = parse_expr(raw.get("annotation"))
    if annotation is not None:
        return not annotation_admits_none(annotation)
    return "nullable=False" in (raw.get("value") or "").replace(" ", "")


def _caller_tenant_columns(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    """The tenant columns (``HELD_TENANT_COLUMNS``) some project query compares with the caller (a ``scoping``
    predicate, ``is_caller`` or a context's caller), other than as the client's optional filter."""

    def build() -> frozenset[str]:
        from .public import _scoping_functions  # (public.py reads this module: imported when first asked)

        out: set[str] = set()
        for _mod, _summary, per, asked in _scoping_functions(project):
            for d in per.get("direct", ()):
                column, who = d.get("column"), d.get("who", "")
                if column not in HELD_TENANT_COLUMNS or column in out or d.get("how") != "predicate":
                    continue
                if d.get("optional") or role_permission(d) or (who, column) in asked:
                    continue
                if is_caller(who, settings) or context_caller(project, settings, d):
                    out.add(column)
        return frozenset(out)

    return project.memo(("queries.tenant_tables.caller_columns", analysis_key(settings)), build)


def tenant_child_listing(ctx: "FileContext", func: "cst.FunctionDef", identity: "Identity", site: "Site") -> Optional[str]:
    """The child table ``site`` lists whole when its rows are owned through a tenant's table
    (``owning_parents``: ``Category.group_id`` -> ``CategoryGroup``, itself a ``tenant_table``) by a required key,
    on a route that never reads the caller it signs in: ``select(Category).order_by(...)`` or with constant filters
    only (``Rule.is_active == True``) lists every tenant's rows, the parent's listing forgot the same tenant. Not a
    listing keyed by anything, joined to another table, handed through helpers, or in a function that reads the
    caller (``join(CategoryGroup).where(CategoryGroup.workspace_id == user.workspace_id)``); ``None`` otherwise."""
    project, settings = ctx.project, ctx.settings
    if project is None or site.key_names or site.via or site.kind not in ("select", "query") or len(site.entities) != 1:
        return None
    model = site.entities[0]
    parent = owning_parents(project, settings).get(model)
    if parent is None or not _required_reference(project, model, parent[1]) or not tenant_table(project, settings, parent[0]):
        return None
    spelled = {n.value for n in site.model_nodes if isinstance(n, cst.Name)} | _CONSTANTS
    nodes = [n for p in site.pred_nodes for n in walk(p)]
    attrs = {id(n.attr) for n in nodes if isinstance(n, cst.Attribute)}  # (``Rule.is_active``: a column, no value)
    if any(isinstance(n, cst.Name) and id(n) not in attrs and n.value not in spelled for n in nodes):
        return None  # (a filter by a value, a join to another table)
    names = identity.names()
    if any(isinstance(n, cst.Name) and n.value in names for n in walk(func.body)):
        return None
    return model
