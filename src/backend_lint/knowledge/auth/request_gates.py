"""Route decorators that gate the request on ``request.user`` (index fact ``request_gate``; lcfs's
``@view_handler([RoleEnum.SUPPLIER, RoleEnum.GOVERNMENT])``).

Such a decorator's wrapper refuses a request that carries no user (401), so the route it wraps is authenticated
and, behind Starlette's ``AuthenticationMiddleware``, ``request.user`` is its caller (``request_user_principals``).
When the factory is handed the roles the wrapper compares with the user's and refuses on, the route is
admin-only when every role listed is a staff role (``staff_roles``); a wildcard the wrapper lets through (``"*"``)
admits everyone. A view keyword argument the wrapper compares with the user's attribute and refuses on
(``kwargs.get("organization_id")`` against ``user.organization_id``) is verified for the view: its loads by that
key are checked (``request_gate_keys``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ...ground.lazy import lazy_import
from ..facts import orm_facts
from ..index.extractors.orm import STAFF_ROLE as _STAFF  # roles held by the operator's own staff
from .dependencies import _PRIVILEGED
from .params import _code

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..fastapi import RouteInfo
    from ..index import ProjectIndex

cst = lazy_import("libcst")



def request_gate(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[dict[str, Any]]:
    """The index fact ``request_gate`` of the project function ``q`` (a decorator or decorator factory)."""
    if project is None or not q:
        return None
    cache: dict[str, Optional[dict[str, Any]]] = project.memo("auth.request_gates", dict)
    if q in cache:
        return cache[q]
    found = project.project_function(q)
    fact = None
    if found is not None:
        fact = (orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("request_gate")
    cache[q] = fact
    return fact


def staff_roles(values: Iterable[str], wildcard: Iterable[str] = ()) -> bool:
    """Every role named in the decorator's role argument (a list, tuple or set literal, or one value) is a staff
    role (``_PRIVILEGED`` or ``_STAFF`` in its spelling), and none is a wildcard the wrapper lets through."""
    wild = set(wildcard)
    parts: list[str] = []
    for v in values:
        try:
            node = ast.parse(v, mode="eval").body
        except SyntaxError:
            return False
        elts = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [node]
        for e in elts:
            if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in wild:
                return False
            parts.append(ast.unparse(e).lower())
    return bool(parts) and all(_PRIVILEGED.search(p) or _STAFF.search(p) for p in parts)


def _role_args(gate: dict[str, Any], args: list[tuple[Optional[str], str]]) -> list[str]:
    """The arguments the factory's role parameters receive: ``args`` is (keyword or None, source) in call order."""
    roles = gate.get("roles") or {}
    positions = {i: p for p, i in roles.items() if i is not None and i >= 0}
    out: list[str] = []
    position = 0
    for keyword, value in args:
        if keyword is None:
            if position in positions:
                out.append(value)
            position += 1
        elif keyword in roles:
            out.append(value)
    return out


def _gate_admin(gate: dict[str, Any], called: bool, args: list[tuple[Optional[str], str]]) -> bool:
    if not called or not gate.get("factory"):
        return False
    values = _role_args(gate, args)
    return bool(values) and staff_roles(values, gate.get("wildcard") or ())


def _gating_decorators(ctx: "FileContext", func: "cst.FunctionDef", route: Optional["RouteInfo"]) -> list[tuple[Any, dict[str, Any]]]:
    """(decorator, fact) for the request gates applied under the route's own decorator (what the router calls)."""
    project = ctx.project
    if project is None or route is None or not func.decorators:
        return []
    out: list[tuple[Any, dict[str, Any]]] = []
    for dec in route.wrapped_decorators():
        expr = dec.decorator
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        gate = request_gate(project, ctx.qualified_name(target))
        if gate is None or bool(gate.get("factory")) != (call is not None):
            continue
        out.append((call, gate))
    return out


def request_gated(ctx: "FileContext", func: "cst.FunctionDef", route: Optional["RouteInfo"]) -> Optional[tuple[bool, str]]:
    """The route is wrapped by a request gate: (admin-only, why), or ``None``."""
    found = _gating_decorators(ctx, func, route)
    if not found:
        return None
    admin = False
    why = ""
    for call, gate in found:
        why = why or str(gate.get("why") or "")
        if call is not None:
            args = [(a.keyword.value if a.keyword is not None else None, _code(ctx, a.value)) for a in call.args if not a.star]
            admin = admin or _gate_admin(gate, True, args)
    return admin, why


def request_gate_keys(ctx: "FileContext", func: "cst.FunctionDef", route: Optional["RouteInfo"]) -> frozenset[str]:
    """The route's parameters a request gate compares with the caller and refuses on (``organization_id``)."""
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    out: set[str] = set()
    for _call, gate in _gating_decorators(ctx, func, route):
        out.update(k for k in gate.get("keys") or () if k in params)
    return frozenset(out)


def request_gate_admin(project: Optional["ProjectIndex"], fn: dict[str, Any]) -> bool:
    """An index request handler (``route``) whose request gate admits staff roles only (``decorators`` fact)."""
    for d in fn.get("decorators", ()):
        gate = request_gate(project, d.get("func"))
        if gate is None:
            continue
        args = [(None, v) for v in d.get("args", ())] + [(k, v) for k, v in (d.get("kwargs") or {}).items()]
        if _gate_admin(gate, bool(d.get("called")), args):
            return True
    return False



_HELD_REQUEST_TYPES = frozenset({"fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request"})


def held_request_attributes(project: Optional["ProjectIndex"], cls: str) -> frozenset[str]:
    """``{"self.request"}`` for a project class (or a base) that declares ``request: Request`` or keeps a
    ``Request`` parameter of ``__init__`` (``self.request = request``), by the class's name (also what
    ``views.view_request_attributes`` reads for a method of a class-based view)."""
    if project is None:
        return frozenset()

    def build() -> frozenset[str]:
        out: set[str] = set()
        for name, facts in project.class_mro(cls):
            if facts is None:
                continue
            for attr, f in facts.get("fields", {}).items():
                if f.get("annotation_qualified") in _HELD_REQUEST_TYPES:
                    out.add(f"self.{attr}")
            split = project.split(name)
            if split is not None:
                held = orm_facts(project.modules[split[0]]).get("self_types", {}).get(split[1], {})
                out.update(f"self.{attr}" for attr, t in held.items() if t in _HELD_REQUEST_TYPES)
        return frozenset(out)

    return project.memo(("auth.held_request", cls), build)
