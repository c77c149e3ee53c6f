"""Decorators that hand a view its caller (``caller_decorator``), class-based views' principals, and routes whose
decorator admits administrators only."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ...ground.lazy import lazy_import
from ..facts import orm_facts
from ..imports import dotted_name, last_segment
from .dependencies import (
    _token_decode,
    authenticating_function,
    classify_dependency,
    DEPENDENCY_MARKERS,
    privileged_arguments,
)
from .params import _code
from .gates import _permission_gate_privileged
from .request_gates import request_gate_admin

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from .dependencies import DependencyKind

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def class_principals(ctx: "FileContext", cls: cst.ClassDef) -> tuple[dict[str, Optional[str]], bool]:
    """A class-based view (``@cbv(router)`` from fastapi-utils, ``@controller(router)``-style classes): a
    class attribute ``user: User = Depends(get_current_user)``, in the class or a base class of any module,
    makes ``self.user`` the principal of its methods. Returns ({"self.user": principal class}, admin)."""
    return ctx.cached(("auth.class_principals", id(cls)), lambda: _class_principals(ctx, cls))


def _class_principals(ctx: "FileContext", cls: cst.ClassDef) -> tuple[dict[str, Optional[str]], bool]:
    project, settings = ctx.project, ctx.settings
    out: dict[str, Optional[str]] = {}
    admin = False

    def add(name: str, kind: DependencyKind, type_q: Optional[str]) -> None:
        nonlocal admin
        if kind.kind == "admin":
            admin = True
        elif kind.kind == "auth" and not kind.credentials and f"self.{name}" not in out:
            out[f"self.{name}"] = kind.principal_type or type_q

    # the class's own body
    if isinstance(cls.body, cst.IndentedBlock):
        for stmt in cls.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    target, value, ann = small.target.value, small.value, small.annotation.annotation
                elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    target, value, ann = small.targets[0].target.value, small.value, None
                else:
                    continue
                if not isinstance(value, cst.Call) or not value.args:
                    continue
                if last_segment(ctx.qualified_name(value.func) or dotted_name(value.func)) not in DEPENDENCY_MARKERS:
                    continue
                dep = value.args[0].value
                func = dep.func if isinstance(dep, cst.Call) else dep
                type_q = ctx.qualified_name(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else None
                add(target, classify_dependency(project, settings, ctx.qualified_name(func), dotted_name(func)), type_q)
    # base classes, from the index
    if project is not None:
        for base in cls.bases:
            q = ctx.qualified_name(base.value) if isinstance(base.value, (cst.Name, cst.Attribute)) else None
            if q is None or project.get_class(q) is None:
                continue
            for name, facts in project.class_mro(q):
                where = project.split(name)
                if facts is None or where is None:
                    continue
                for field_name, f in facts.get("fields", {}).items():
                    if last_segment(f.get("call")) not in DEPENDENCY_MARKERS or not f.get("value"):
                        continue
                    try:
                        call = ast.parse(f["value"], mode="eval").body
                    except SyntaxError:
                        continue
                    if not isinstance(call, ast.Call) or not call.args:
                        continue
                    dep_expr = call.args[0].func if isinstance(call.args[0], ast.Call) else call.args[0]
                    try:
                        spelled = ast.unparse(dep_expr)
                    except Exception:  # pragma: no cover - unparse of a parsed expression
                        continue
                    kind = classify_dependency(project, settings, f"{where[0]}.{spelled}", spelled)
                    add(field_name, kind, f.get("annotation_qualified"))
    return out, admin


# --- decorators that hand the view the caller (Flask's ``@require_auth(role=...)``, ``@login_required``) ------


def caller_decorator(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[dict[str, Any]]:
    """What the decorator (or decorator factory) named ``q`` does with the view it wraps, when it hands it the
    caller it authenticated: the index fact ``passes_caller`` of a project function, or of the ``__call__`` of
    the class a module-level name is an instance of (``require_auth = CustomResourceProtector()``), kept only
    when the local handed on is proved to be the caller: its value comes from a call that authenticates
    (``_authenticating_target``: ``resp = User.decode_auth_token(token)``, whose body decodes a JWT).
    ``{"position": the view's parameter that receives the caller, "factory": the decorator is called
    (``@require_auth(...)``), "gates": {decorator parameter compared with the caller, then rejected: its
    position}, "why"}``; ``None`` otherwise (a decorator that hands on ``args[0]`` proves nothing)."""
    if project is None or not q:
        return None
    cache: dict[str, Optional[dict[str, Any]]] = project.memo("auth.caller_decorators", dict)
    if q in cache:
        return cache[q]
    cache[q] = None
    facts = _passes_caller_facts(project, q)
    if facts is not None:
        for source in facts.get("sources", ()):
            why = _authenticating_target(project, source)
            if why is not None:
                cache[q] = {**facts, "why": f"it hands the view what `{last_segment(source)}()` gives, which {why}"}
                break
    return cache[q]


def _passes_caller_facts(project: "ProjectIndex", q: str) -> Optional[dict[str, Any]]:
    found = project.resolve_symbol(q)
    if found is None:
        return None
    mod, name, kind = found
    if kind == "functions":
        return (orm_facts(project.modules[mod]).get("functions", {}).get(name) or {}).get("passes_caller")
    if kind != "assignments":
        return None
    call = project.modules[mod]["assignments"][name].get("call")
    cls = project.get_class(call) if call else None
    if cls is None:
        return None
    for base, _facts in project.class_mro(cls[0]):
        where = project.resolve_symbol(base)
        if where is not None and where[2] == "classes":
            entry = orm_facts(project.modules[where[0]]).get("callables", {}).get(where[1])
            if entry is not None:
                return entry.get("passes_caller")
    return None


def _authenticating_target(project: "ProjectIndex", target: str) -> Optional[str]:
    """Why calling ``target`` (a project function, or a method of a project class: ``User.decode_auth_token``)
    authenticates a credential, or ``None`` (``authenticating_function``)."""
    if _token_decode(target):
        return f"decodes a token (`{target}`)"
    why = authenticating_function(project, target)
    if why is not None:
        return why
    owner, _, method = target.rpartition(".")
    cls = project.get_class(owner) if owner else None
    if cls is None:
        return None
    mod, _, name = cls[0].rpartition(".")
    entry = orm_facts(project.modules[mod]).get("methods", {}).get(f"{name}.{method}") if mod in project.modules else None
    for t in (entry or {}).get("calls_out", ()):
        if _token_decode(t):
            return f"decodes a token (`{t}`)"
        inner = authenticating_function(project, t)
        if inner is not None:
            return f"calls `{last_segment(t)}()`, which {inner}"
    return None


def _privileged_gate(gates: dict[str, Optional[int]], args: Iterable[tuple[Optional[str], str]]) -> bool:
    """A value handed to a parameter the decorator compares with the caller and rejects on
    (``role=UserRole.MODERATOR``) names a privileged role (``privileged_arguments``): only the privileged
    pass. ``args``: (keyword or None, source) in call order."""
    positions = {i: p for p, i in gates.items() if i is not None}
    position = 0
    for keyword, value in args:
        if keyword is None:
            param = positions.get(position)
            position += 1
        else:
            param = keyword if keyword in gates else None
        if param is not None and privileged_arguments([value], None):
            return True
    return False


def decorated_caller(ctx: "FileContext", func: cst.FunctionDef) -> Optional[tuple[int, bool, str]]:
    """The view's caller handed in by a decorator (``caller_decorator``): (position of the parameter that
    receives it, whether the decorator admits only privileged callers here, why), or ``None``."""
    if not func.decorators or ctx.project is None:
        return None
    for dec in func.decorators:
        expr = dec.decorator
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        info = caller_decorator(ctx.project, ctx.qualified_name(target))
        if info is None or bool(info.get("factory")) != (call is not None):
            continue
        admin = call is not None and _privileged_gate(
            info.get("gates") or {}, [(a.keyword.value if a.keyword is not None else None, _code(ctx, a.value)) for a in call.args if not a.star]
        )
        return int(info.get("position", 0)), admin, str(info.get("why"))
    return None


def admin_decorated(project: Optional["ProjectIndex"], fn: dict[str, Any]) -> bool:
    """An index request handler (``route``) whose decorator hands it the caller and admits only privileged
    callers (``@require_auth(scopes=[...], role=UserRole.ADMIN)``): ``decorated_caller`` on the index's
    ``decorators`` fact."""
    for d in fn.get("decorators", ()):
        if not d.get("called"):
            continue
        if _permission_gate_privileged(project, d):
            return True
        info = caller_decorator(project, d.get("func"))
        if info is None or not info.get("factory"):
            continue
        args = [(None, v) for v in d.get("args", ())] + [(k, v) for k, v in (d.get("kwargs") or {}).items()]
        if _privileged_gate(info.get("gates") or {}, args):
            return True
    # ``@view_handler([RoleEnum.GOVERNMENT])``: a request gate handed staff roles only
    return request_gate_admin(project, fn)


def caller_decorators(project: Optional["ProjectIndex"]) -> list[str]:
    """Qualified names of the project's decorators that hand the view the caller (``caller_decorator``): the
    functions, and the module-level instances of classes whose ``__call__`` does (``require_auth =
    CustomResourceProtector()``)."""
    if project is None:
        return []
    out: list[str] = []
    classes: set[str] = set()
    for mod, facts in project.iter_modules():
        orm = orm_facts(facts)
        for name, fn in orm.get("functions", {}).items():
            if fn.get("passes_caller") and caller_decorator(project, f"{mod}.{name}") is not None:
                out.append(f"{mod}.{name}")
        for name, fn in orm.get("callables", {}).items():
            if fn.get("passes_caller"):
                classes.add(f"{mod}.{name}")
    if classes:
        for mod, facts in project.iter_modules():
            for name, call in orm_facts(facts).get("calls", {}).items():
                func = call.get("func")
                if func and project.canonical(func) in classes and caller_decorator(project, f"{mod}.{name}") is not None:
                    out.append(f"{mod}.{name}")
    return sorted(out)


def caller_decorator_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Bare names of ``caller_decorators``: the screens of families 1 and 2 let a function decorated by one
    through."""
    if project is None:
        return frozenset()
    return frozenset(project.stored_memo("auth.caller_decorator_names", lambda: sorted({last_segment(q) for q in caller_decorators(project)}), load=list))
