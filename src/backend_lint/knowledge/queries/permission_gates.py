"""A route that opens with a platform-wide permission gate, and the models such a gate answers for.

``_require_permission(session, current_user=current_user, permission_key="update_group")``: a project function
that decides (raises) on the caller and a constant permission name, handed nothing the request names (no path,
query or body key, no row). The caller passes it by a permission of their roles that holds everywhere, not in one
tenant. For a model whose scoping column the caller cannot hold (no attribute of the principal, no identity
attribute, and nowhere compared with the caller: ``OrgGroup.organization_id`` where ``User`` has no
``organization_id``), nothing ties the caller to one value of that column, so a lookup that does not filter on it
is the gated role's, as for an administrator: no BKL201 claim (``gated_unheld_model``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..auth import Identity, principal_classes
from ..models import scoping_column
from .summaries import flow_facts

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def global_permission_gate(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> bool:
    """A top-level statement of the route (also in a top-level ``try``) calling a project function that decides
    (``deciders`` of the ``flow`` index facts), handed the principal and a constant (the permission's name) and
    otherwise only the route's dependencies (the session) or constants."""
    if identity.route is None or not identity.principals or ctx.project is None:
        return False
    return ctx.cached(("queries.global_permission_gate", id(func)), lambda: _gate(ctx, func, identity))


def _gate(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> bool:
    project = ctx.project
    dependencies = {p.name for p in identity.params if p.marker in ("Depends", "Security") or p.dependency.kind is not None}
    principals = set(identity.principals)
    stmts = list(func.body.body) if isinstance(func.body, cst.IndentedBlock) else []
    while stmts:
        stmt = stmts.pop(0)
        if isinstance(stmt, cst.Try):
            stmts[:0] = list(stmt.body.body) if isinstance(stmt.body, cst.IndentedBlock) else []
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            value = small.value if isinstance(small, cst.Expr) else None
            if isinstance(value, cst.Await):
                value = value.expression
            if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
                continue
            caller = constant = False
            other = False
            for a in value.args:
                if a.star:
                    other = True
                elif isinstance(a.value, cst.Name) and a.value.value in principals:
                    caller = True
                elif isinstance(a.value, (cst.SimpleString, cst.ConcatenatedString)):
                    constant = True
                elif isinstance(a.value, cst.Name) and a.value.value in dependencies:
                    continue
                else:
                    other = True
            if not (caller and constant) or other:
                continue
            q = ctx.qualified_name(value.func)
            found = project.project_function(q) if q else None  # type: ignore[union-attr]
            if found is None or found[0] not in project.modules:  # type: ignore[union-attr]
                continue
            if found[1] in flow_facts(project, found[0]).get("deciders", ()):  # type: ignore[arg-type]
                return True
    return False


def gated_unheld_model(ctx: "FileContext", model: str) -> bool:
    """The model's scoping column is one the caller cannot hold: no identity attribute maps it, no principal
    class has it, and the project never compares it with the caller (``knowledge.scoping``)."""
    project, settings = ctx.project, ctx.settings
    if project is None:
        return False
    column: Optional[str] = scoping_column(project, settings, model)
    if column is None or (settings is not None and settings.identity_attribute(column) is not None):
        return False
    from ..scoping import why  # (scoping reads the models module)

    found = project.get_class(model)
    canonical = found[0] if found else model
    if why(project, settings, canonical, column) is not None:
        return False
    for principal in principal_classes(project, settings):
        held = project.get_class(principal)
        if held is None or column in held[1].get("fields", {}):
            return False  # (a principal the index cannot read may hold it)
    return True
