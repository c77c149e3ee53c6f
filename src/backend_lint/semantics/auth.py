"""Who is asking: auth dependencies, the principal and identity values in scope (families 1 and 2).

- An *auth dependency* is ``Depends(f)`` / ``Security(f)`` where ``f`` matches ``auth-dependencies``
  (defaults: ``get_current_user``, ``get_current_active_user``, ``current_user``, ``current_active_user``,
  fastapi-users' ``fastapi_users.current_user(...)``), an ``Annotated[...]`` alias of one (in any project
  module), a configured alias or class name, or a project function that takes an auth dependency and
  returns the same principal class (``get_current_active_user(user = Depends(get_current_user)) -> User``).
- An *admin dependency* matches ``admin-dependencies``, or is named like one (``superuser`` or ``admin`` in
  its name), or is fastapi-users' ``current_user(superuser=True)``: families 1 and 2 make no claim in a
  handler that has one.
- ``function_identity(ctx, func)`` says which names carry the principal or an identity value into a
  function: auth-dependency parameters of a route handler; for other functions also parameters named in
  ``principal-parameters`` (unless typed as a request schema or a scalar) or typed as the principal's class,
  and parameters named exactly like an identity field.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

import libcst as cst

from ..index.extractors.orm import annotated_marker, main_type
from .fastapi import RouteInfo, route_info
from .imports import dotted_name
from .models import is_pydantic_model, is_table_model

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Settings
    from ..context import FileContext
    from ..index import ProjectIndex

DEPENDENCY_MARKERS = frozenset({"Depends", "Security"})
CLIENT_MARKERS = frozenset({"Body", "Form", "Query"})
NOT_CLIENT_MARKERS = frozenset({"Path", "Depends", "Security", "Header", "Cookie", "File", "UploadFile"})
SCALAR_TYPES = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.bool",
        "builtins.float",
        "builtins.bytes",
        "builtins.dict",
        "builtins.list",
        "str",
        "int",
        "bool",
        "float",
        "bytes",
        "uuid.UUID",
        "UUID",
        "pydantic.UUID4",
        "pydantic.types.UUID4",
        "pydantic.EmailStr",
    }
)
ADMIN_WORDS = ("superuser", "admin")
TASK_DECORATORS = ("task", "shared_task", "actor", "periodic_task", "job", "cron")


def _last(q: Optional[str]) -> str:
    return q.rsplit(".", 1)[-1] if q else ""


def _entry_matches(q: Optional[str], spelling: Optional[str], entries: tuple[str, ...]) -> bool:
    for e in entries:
        for cand in (q, spelling):
            if cand and (cand == e or cand.endswith("." + e)):
                return True
    return False


@dataclass(frozen=True)
class DependencyKind:
    kind: Optional[str]  # "auth", "admin" or None
    principal_type: Optional[str] = None


NOT_AUTH = DependencyKind(None)


def _settings_key(settings: "Settings") -> tuple:
    return (settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters, settings.identity_fields)


def classify_dependency(
    project: Optional["ProjectIndex"],
    settings: "Settings",
    dependency: Optional[str],
    spelling: Optional[str] = None,
    kwargs: Optional[dict[str, str]] = None,
    _depth: int = 0,
) -> DependencyKind:
    """Is the callable given to ``Depends``/``Security`` an auth (or admin) dependency?"""
    if not dependency and not spelling:
        return NOT_AUTH
    kwargs = kwargs or {}
    name = _last(dependency or spelling)
    lowered = (name or "").lower()
    admin = (
        _entry_matches(dependency, spelling, settings.admin_dependencies)
        or any(w in lowered for w in ADMIN_WORDS)
        or kwargs.get("superuser") == "True"
    )
    target = None
    if project is not None and dependency:
        target = project.resolve_symbol(dependency)
    principal_type = None
    auth = _entry_matches(dependency, spelling, settings.auth_dependencies)
    if target is not None:
        mod, attr, kind = target
        facts = project.modules[mod]  # type: ignore[union-attr]
        orm = facts.get("extra", {}).get("orm", {})
        if kind == "functions":
            fn = orm.get("functions", {}).get(attr)
            if fn is not None:
                principal_type = fn.get("returns")
                if not auth and _depth < 4 and principal_type:
                    # ``get_current_active_user(user: User = Depends(get_current_user)) -> User``
                    for p in fn.get("params", ()):
                        inner = param_dependency(project, settings, p, _depth + 1)
                        if inner.kind is not None and inner.principal_type == principal_type:
                            auth = True
                            admin = admin or inner.kind == "admin"
                            break
        elif kind == "assignments":
            call = orm.get("calls", {}).get(attr)
            if call is not None and _last(call.get("func")) == "current_user":
                # fastapi-users: ``current_active_user = fastapi_users.current_user(active=True)``
                auth = True
                admin = admin or call.get("kwargs", {}).get("superuser") == "True"
    elif spelling and _last(spelling) == "current_user" and "." in spelling:
        auth = auth or spelling.endswith("fastapi_users.current_user")
    if not auth and not admin:
        return NOT_AUTH
    if admin and not auth:
        # an admin gate is still an auth dependency, of the admin kind
        return DependencyKind("admin", principal_type)
    return DependencyKind("admin" if admin else "auth", principal_type)


def param_dependency(project: Optional["ProjectIndex"], settings: "Settings", p: dict[str, Any], _depth: int = 0) -> DependencyKind:
    """Classify one parameter as stored by the ``orm`` extractor."""
    marker = p.get("marker")
    if marker and _last(marker) in DEPENDENCY_MARKERS:
        found = classify_dependency(project, settings, p.get("dependency"), None, p.get("kwargs"), _depth)
        if found.kind is not None:
            return DependencyKind(found.kind, found.principal_type or p.get("type"))
        if _matches_class(p.get("type"), settings):
            return DependencyKind("auth", p.get("type"))
        return NOT_AUTH
    alias = p.get("alias")
    if alias and project is not None:
        return alias_dependency(project, settings, alias, _depth)
    return NOT_AUTH


def _matches_class(type_q: Optional[str], settings: "Settings") -> bool:
    return bool(type_q) and _entry_matches(type_q, None, settings.auth_dependencies) and _last(type_q)[:1].isupper()


def alias_dependency(project: Optional["ProjectIndex"], settings: "Settings", alias_q: str, _depth: int = 0) -> DependencyKind:
    """``CurrentUser`` -> the kind of ``Annotated[User, Depends(get_current_user)]`` wherever it is defined."""
    if _entry_matches(alias_q, None, settings.admin_dependencies):
        return DependencyKind("admin", None)
    configured = _entry_matches(alias_q, None, settings.auth_dependencies)
    if project is None:
        return DependencyKind("auth", None) if configured else NOT_AUTH
    found = project.resolve_symbol(alias_q)
    if found is None or found[2] != "assignments":
        return DependencyKind("auth", None) if configured else NOT_AUTH
    mod, attr, _ = found
    entry = project.modules[mod].get("extra", {}).get("orm", {}).get("aliases", {}).get(attr)
    if entry is None:
        return DependencyKind("auth", None) if configured else NOT_AUTH
    if _last(entry.get("marker")) not in DEPENDENCY_MARKERS:
        return NOT_AUTH
    kind = classify_dependency(project, settings, entry.get("dependency"), None, entry.get("kwargs"), _depth)
    alias_admin = any(w in _last(alias_q).lower() for w in ADMIN_WORDS)
    if kind.kind is None:
        if configured or _matches_class(entry.get("type"), settings):
            return DependencyKind("admin" if alias_admin else "auth", entry.get("type"))
        return NOT_AUTH
    return DependencyKind("admin" if (alias_admin or kind.kind == "admin") else "auth", entry.get("type") or kind.principal_type)


def principal_classes(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Classes that auth dependencies yield across the project (``User``), for "typed as the principal"."""
    if project is None:
        return frozenset()
    return project.memo(("auth.principal_classes", _settings_key(settings)), lambda: _principal_classes(project, settings))


def _principal_classes(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    out: set[str] = set()
    for mod, facts in project.iter_modules():
        orm = facts.get("extra", {}).get("orm", {})
        for name, entry in orm.get("aliases", {}).items():
            if entry.get("type") and alias_dependency(project, settings, f"{mod}.{name}").kind is not None:
                out.add(project.canonical(entry["type"]))
        for name, fn in orm.get("functions", {}).items():
            if fn.get("returns") and classify_dependency(project, settings, f"{mod}.{name}").kind is not None:
                out.add(project.canonical(fn["returns"]))
    for entry in settings.auth_dependencies:
        if entry[:1].isupper() and project.get_class(entry) is not None:
            out.add(project.canonical(entry))
    out.discard("builtins.dict")
    return frozenset(q for q in out if q not in SCALAR_TYPES)


# --- per-file: parameters of a libcst function -----------------------------------------------------------

def ast_resolver(ctx: "FileContext") -> Callable[[ast.AST], Optional[str]]:
    def resolve(node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Call):
            node = node.func
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = ctx.imports.resolve_name(node.id)
        if head is None:
            head = node.id
        elif head.startswith("builtins."):
            head = head[len("builtins."):] if node.id in ("str", "int", "bool", "float", "bytes", "dict", "list") else head
        parts.append(head)
        return ".".join(reversed(parts))

    return ctx.cached("auth.ast_resolver", lambda: resolve)


def _code(ctx: "FileContext", node: cst.CSTNode) -> str:
    assert ctx.module is not None
    return ctx.module.code_for_node(node)


def _to_ast(ctx: "FileContext", node: Optional[cst.CSTNode]) -> Optional[ast.expr]:
    if node is None:
        return None
    try:
        return ast.parse(_code(ctx, node).strip(), mode="eval").body
    except SyntaxError:
        return None


@dataclass
class ParamInfo:
    name: str
    node: cst.Param
    type: Optional[str]  # resolved main class of the annotation
    marker: Optional[str]  # last name of Depends/Security/Body/Query/... (default or Annotated)
    dependency: DependencyKind = NOT_AUTH
    marker_node: Optional[cst.Call] = None


def param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    return ctx.cached(("auth.params", id(func)), lambda: _param_infos(ctx, func))


def _param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    resolve = ast_resolver(ctx)
    settings = ctx.settings
    project = ctx.project
    out: list[ParamInfo] = []
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    for p in params:
        name = p.name.value
        ann = _to_ast(ctx, p.annotation.annotation) if p.annotation is not None else None
        type_q = main_type(ann, resolve) if ann is not None else None
        marker_info: Optional[dict[str, Any]] = None
        marker_node = None
        if isinstance(p.default, cst.Call):
            d = _to_ast(ctx, p.default)
            if isinstance(d, ast.Call) and _last(resolve(d.func)) in DEPENDENCY_MARKERS | CLIENT_MARKERS | NOT_CLIENT_MARKERS:
                from ..index.extractors.orm import _marker  # same parsing as the index

                marker_info = _marker(d, resolve)
                marker_node = p.default
        if marker_info is None and ann is not None:
            marker_info = annotated_marker(ann, resolve)
        entry: dict[str, Any] = {"name": name, "type": type_q}
        if marker_info is not None:
            entry.update(marker_info)
        elif isinstance(ann, (ast.Name, ast.Attribute)):
            entry["alias"] = resolve(ann)
        kind = param_dependency(project, settings, entry)
        if kind.kind is None and marker_info is not None and _last(marker_info.get("marker")) in DEPENDENCY_MARKERS:
            # ``Depends(current_user)`` spelled with a local or unresolvable name
            spelling = None
            if isinstance(p.default, cst.Call) and p.default.args:
                spelling = dotted_name(p.default.args[0].value) if not isinstance(p.default.args[0].value, cst.Call) else dotted_name(p.default.args[0].value.func)  # type: ignore[union-attr]
            kind = classify_dependency(project, settings, marker_info.get("dependency"), spelling, marker_info.get("kwargs"))
            if kind.kind is None and _matches_class(type_q, settings):
                kind = DependencyKind("auth", type_q)
        if kind.kind is not None and not kind.principal_type:
            kind = DependencyKind(kind.kind, type_q)
        marker = _last(marker_info.get("marker")) if marker_info else None
        if marker is None and entry.get("alias") and project is not None:
            alias_found = project.resolve_symbol(entry["alias"])
            if alias_found is not None and alias_found[2] == "assignments":
                a = project.modules[alias_found[0]].get("extra", {}).get("orm", {}).get("aliases", {}).get(alias_found[1])
                if a is not None:
                    marker = _last(a.get("marker"))
                    if a.get("type"):
                        type_q = a["type"]
        out.append(ParamInfo(name, p, type_q, marker, kind, marker_node))
    return out


def _decorator_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """``@router.get(..., dependencies=[Depends(f)])``"""
    out: list[DependencyKind] = []
    if route is None or route.decorator is None or not isinstance(route.decorator.decorator, cst.Call):
        return out
    for arg in route.decorator.decorator.args:
        if arg.keyword is not None and arg.keyword.value == "dependencies" and isinstance(arg.value, (cst.List, cst.Tuple)):
            for el in arg.value.elements:
                call = el.value
                if isinstance(call, cst.Call) and _last(ctx.qualified_name(call.func) or dotted_name(call.func)) in DEPENDENCY_MARKERS and call.args:
                    target = call.args[0].value
                    func = target.func if isinstance(target, cst.Call) else target
                    q = ctx.qualified_name(func)
                    kwargs = {}
                    if isinstance(target, cst.Call):
                        kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
                    out.append(classify_dependency(ctx.project, ctx.settings, q, dotted_name(func), kwargs))
    return out


@dataclass
class Identity:
    """What a function knows about who is asking."""

    principals: dict[str, Optional[str]] = field(default_factory=dict)  # name -> principal class
    identity_params: dict[str, str] = field(default_factory=dict)  # name -> identity field
    admin: bool = False
    route: Optional[RouteInfo] = None
    params: list[ParamInfo] = field(default_factory=list)

    @property
    def in_scope(self) -> bool:
        return not self.admin and bool(self.principals or self.identity_params)

    def names(self) -> set[str]:
        return set(self.principals) | set(self.identity_params)


def _is_task(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    for dec in func.decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        name = _last(ctx.qualified_name(expr) or dotted_name(expr))
        if name in TASK_DECORATORS:
            return True
    return False


def function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity] = None) -> Identity:
    return ctx.cached(("auth.identity", id(func)), lambda: _function_identity(ctx, func, enclosing))


def _function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity]) -> Identity:
    settings = ctx.settings
    route = route_info(ctx, func)
    params = param_infos(ctx, func)
    ident = Identity(route=route, params=params)
    if enclosing is not None and not enclosing.admin:
        ident.principals.update(enclosing.principals)
        ident.identity_params.update(enclosing.identity_params)
    elif enclosing is not None and enclosing.admin:
        ident.admin = True
    kinds = [p.dependency for p in params] + _decorator_dependencies(ctx, route)
    if any(k.kind == "admin" for k in kinds):
        ident.admin = True
    if route is not None:
        for p in params:
            if p.dependency.kind == "auth":
                ident.principals[p.name] = p.dependency.principal_type
        return ident
    if _is_task(ctx, func):
        return ident
    project = ctx.project
    principal_types = principal_classes(project, settings)
    identity_fields = set(settings.identity_fields)
    for p in params:
        if p.name in ("self", "cls"):
            continue
        if p.dependency.kind == "auth":
            ident.principals[p.name] = p.dependency.principal_type
            continue
        if p.marker is not None and p.marker in CLIENT_MARKERS | NOT_CLIENT_MARKERS:
            continue  # a dependency function's request parameter: client data, not identity
        type_q = project.canonical(p.type) if (project is not None and p.type) else p.type
        if type_q and type_q in principal_types:
            ident.principals[p.name] = type_q
            continue
        if p.name in settings.principal_parameters and _could_be_principal(ctx, type_q):
            ident.principals[p.name] = type_q
            continue
        if p.name in identity_fields and (type_q is None or type_q in SCALAR_TYPES or _last(type_q) in ("UUID", "int", "str")):
            ident.identity_params[p.name] = p.name
    return ident


def _could_be_principal(ctx: "FileContext", type_q: Optional[str]) -> bool:
    if type_q is None:
        return True
    if type_q in SCALAR_TYPES or _last(type_q) in ("str", "int", "UUID", "bool", "dict", "Any"):
        return False
    project = ctx.project
    if project is not None and project.get_class(type_q) is not None:
        # a request schema named ``user`` is data, not the principal; an ORM user row is the principal
        if is_table_model(project, type_q):
            return True
        return is_pydantic_model(project, type_q) is not True
    return True


class IdentityStack:
    """Mixin for rules: keeps the ``Identity`` of the enclosing functions during the traversal, so that a
    nested function sees its closure's principal. ``self.on_function(node, identity)`` is called on entry."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self.__dict__.setdefault("_identity_stack", [])
        enclosing = stack[-1] if stack else None
        ident = function_identity(self.ctx, node, enclosing)  # type: ignore[attr-defined]
        stack.append(ident)
        self.on_function(node, ident)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self.__dict__.get("_identity_stack")
        if stack:
            stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # methods of a class nested in a function do not see the function's parameters
        self.__dict__.setdefault("_identity_stack", []).append(None)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        stack = self.__dict__.get("_identity_stack")
        if stack:
            stack.pop()

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:  # pragma: no cover - overridden
        pass
