"""Who is asking: auth dependencies, the principal and identity values in scope (families 1 and 2).

- An *auth dependency* is ``Depends(f)`` / ``Security(f)`` where ``f`` matches ``auth-dependencies``
  (defaults: ``get_current_user``, ``get_current_active_user``, ``current_user``, ``current_active_user``,
  fastapi-users' ``fastapi_users.current_user(...)``), a dependency named like one
  (``get_current_verified_user``, ``get_authenticated_user``: ``(current|authenticated)_..._user``), an
  ``Annotated[...]`` alias of one (in any project module), a configured alias or class name, or a project
  function that takes an auth dependency and returns the same principal class
  (``get_current_active_user(user = Depends(get_current_user)) -> User``).
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
import re
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

import libcst as cst

from .index.extractors.orm import annotated_marker, main_type
from .fastapi import RouteInfo, route_info
from .imports import dotted_name
from .models import is_pydantic_model, is_table_model

if TYPE_CHECKING:  # pragma: no cover
    from ..ground.config import Settings
    from ..engine.context import FileContext
    from .index import ProjectIndex

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
# Dependency names that say they yield the caller, beyond the configured list: ``get_current_verified_user``,
# ``get_current_user_from_token``, ``get_authenticated_user``.
AUTH_NAME = re.compile(r"(current|authenticated)_(\w*_)?user(_|$)")
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
    auth = _entry_matches(dependency, spelling, settings.auth_dependencies) or bool(AUTH_NAME.search(lowered))
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
    return project.stored_memo(f"auth.principal_classes:{_settings_key(settings)!r}", lambda: _principal_classes(project, settings), load=frozenset)


def _principal_classes(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    out: set[str] = set()
    for mod, facts in project.iter_modules():
        orm = facts.get("extra", {}).get("orm", {})
        for name, entry in orm.get("aliases", {}).items():
            if entry.get("type") and alias_dependency(project, settings, f"{mod}.{name}").kind is not None:
                out.add(project.canonical(entry["type"]))
        for name, fn in orm.get("functions", {}).items():
            # an auth dependency by configuration or by its chain; "admin"-named functions are not
            # dependencies unless something depends on them
            if fn.get("returns") and classify_dependency(project, settings, f"{mod}.{name}").kind == "auth":
                out.add(project.canonical(fn["returns"]))
    for entry in settings.auth_dependencies:
        if entry[:1].isupper() and project.get_class(entry) is not None:
            out.add(project.canonical(entry))
    # only project classes: a dependency annotated ``-> dict`` does not make every ``dict`` a principal
    return frozenset(q for q in out if project.get_class(q) is not None)


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
                from .index.extractors.orm import _marker  # same parsing as the index

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


def module_assignments(ctx: "FileContext") -> dict[str, cst.BaseExpression]:
    """Top-level ``name = value`` of the file being linted (last one wins)."""

    def build() -> dict[str, cst.BaseExpression]:
        out: dict[str, cst.BaseExpression] = {}
        assert ctx.module is not None
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                out[t.target.value] = small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                        out[small.target.value] = small.value
        return out

    return ctx.cached("auth.module_assignments", build)


def _dependencies_arg(ctx: "FileContext", call: cst.Call) -> list[DependencyKind]:
    out: list[DependencyKind] = []
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "dependencies":
            continue
        value = arg.value
        if isinstance(value, cst.Name):
            value = module_assignments(ctx).get(value.value, value)
        if not isinstance(value, (cst.List, cst.Tuple)):
            continue
        for el in value.elements:
            dep = el.value
            if isinstance(dep, cst.Call) and _last(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS and dep.args:
                target = dep.args[0].value
                func = target.func if isinstance(target, cst.Call) else target
                q = ctx.qualified_name(func)
                kwargs = {}
                if isinstance(target, cst.Call):
                    kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
                out.append(classify_dependency(ctx.project, ctx.settings, q, dotted_name(func), kwargs))
    return out


def _decorator_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """``@router.get(..., dependencies=[Depends(f)])`` and ``router = APIRouter(dependencies=[...])`` (same
    module); a list held in a module-level name is followed."""
    out: list[DependencyKind] = []
    if route is None:
        return out
    if route.decorator is not None and isinstance(route.decorator.decorator, cst.Call):
        out.extend(_dependencies_arg(ctx, route.decorator.decorator))
    router = module_assignments(ctx).get(route.router)
    if isinstance(router, cst.Call):
        out.extend(_dependencies_arg(ctx, router))
    return out


@dataclass
class Identity:
    """What a function knows about who is asking."""

    principals: dict[str, Optional[str]] = field(default_factory=dict)  # name -> principal class
    identity_params: dict[str, str] = field(default_factory=dict)  # name -> identity field
    admin: bool = False
    route: Optional[RouteInfo] = None
    params: list[ParamInfo] = field(default_factory=list)
    # names the enclosing function established as the principal's (closures see them)
    closure_derived: set[str] = field(default_factory=set)
    # parameters of an enclosing service function (not a route handler) that a nested callback reads as
    # free variables: keys handed in by the service's caller, not client data of the callback
    closure_trusted: set[str] = field(default_factory=set)
    # an auth dependency guards the handler (a parameter, or ``dependencies=[...]`` of the route or of
    # its router): the identity is knowable even when no parameter carries it
    authenticated: bool = False

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


def interesting_names(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Bare names that can make a parameter carry the principal: principal classes, auth aliases and the
    configured auth dependencies (a cheap pre-check before resolving a function's parameters)."""

    def build() -> frozenset[str]:
        out = {_last(q) for q in principal_classes(project, settings)}
        out |= {_last(e) for e in settings.auth_dependencies}
        out |= {"Depends", "Security"}
        if project is not None:
            for mod, facts in project.iter_modules():
                for name, entry in facts.get("extra", {}).get("orm", {}).get("aliases", {}).items():
                    if _last(entry.get("marker")) in DEPENDENCY_MARKERS:
                        out.add(name)
        return frozenset(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.interesting_names:{_settings_key(settings)!r}", build, load=frozenset)


def _leaf_names(node: Optional[cst.CSTNode]) -> Iterator[str]:
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            yield n.value
        elif isinstance(n, cst.Attribute):
            yield n.attr.value
            stack.append(n.value)
        elif isinstance(n, cst.SimpleString):
            yield from re.findall(r"[A-Za-z_][A-Za-z0-9_]*", n.value)
        else:
            from .cst import iter_children

            stack.extend(iter_children(n))


def _may_carry_identity(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    settings = ctx.settings
    names = interesting_names(ctx.project, settings)
    plain = set(settings.principal_parameters) | set(settings.identity_fields)
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    for p in params:
        if p.name.value in plain:
            return True
        if isinstance(p.default, cst.Call):
            return True
        if p.annotation is not None and any(n in names for n in _leaf_names(p.annotation.annotation)):
            return True
    return False


def _function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity]) -> Identity:
    settings = ctx.settings
    route = route_info(ctx, func)
    if route is None and (enclosing is None or not enclosing.in_scope) and not _may_carry_identity(ctx, func):
        return Identity()  # no parameter can carry the principal or an identity value
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
    ident.authenticated = any(k.kind == "auth" for k in kinds)
    if route is not None:
        for p in params:
            if p.dependency.kind == "auth":
                ident.principals[p.name] = p.dependency.principal_type
        if ident.principals and _admin_gate(ctx, func, set(ident.principals)):
            ident.admin = True
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
            if not _written_only(ctx, func, p.name):
                ident.identity_params[p.name] = p.name
    return ident


LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "adebug", "ainfo", "awarning", "aerror", "aexception"}
)
WRITE_METHODS = frozenset({"values", "ordered_values"})


def _written_only(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """The identity value is only *written* onto new rows: a keyword of an ORM model's constructor or of
    ``insert(...).values(...)`` (``FlowVersion(user_id=user_id)``); log calls and f-strings aside (assigning
    it onto a fetched row, ``row.user_id = user_id``, moves that row and is not such a write). Such a function records who did something;
    it does not act for that user when it reads, so its reads make no claim. A value never used at all
    does not count: ``def get_items(db, user_id)`` that ignores it is the bug BKL201 exists for."""
    project = ctx.project
    writes = 0
    other = False

    def is_write_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in WRITE_METHODS:
            # ``insert(Model).values(user_id=user_id)``: a new row (not ``update(...)``, which moves rows)
            base = f.value
            while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
                base = base.func.value
            return isinstance(base, cst.Call) and _last(ctx.qualified_name(base.func) if isinstance(base.func, (cst.Name, cst.Attribute)) else None) == "insert"
        if isinstance(f, (cst.Name, cst.Attribute)) and project is not None:
            q = ctx.qualified_name(f)
            if q is not None:
                found = project.get_class(q)
                return found is not None and is_table_model(project, found[0])
        return False

    def is_log_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in LOG_METHODS:
            receiver = dotted_name(f.value) or ""
            return "log" in receiver.lower()
        return False

    def visit(node: cst.CSTNode, neutral: bool) -> None:
        nonlocal writes, other
        if other:
            return
        if isinstance(node, cst.Name):
            if node.value == name and not neutral:
                other = True
            return
        if isinstance(node, cst.Attribute):
            visit(node.value, neutral)
            return
        if isinstance(node, cst.Param):
            if node.default is not None:
                visit(node.default, neutral)
            return
        if isinstance(node, (cst.FormattedString,)):
            for child in _children(node):
                visit(child, True)
            return
        if isinstance(node, cst.Call):
            write = is_write_call(node)
            log = is_log_call(node)
            visit(node.func, neutral)
            for arg in node.args:
                if write and arg.keyword is not None and isinstance(arg.value, cst.Name) and arg.value.value == name:
                    writes += 1
                    continue
                visit(arg.value, neutral or log)
            return
        for child in _children(node):
            visit(child, neutral)

    visit(func.body, False)
    return writes > 0 and not other


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    from .cst import iter_children

    return iter(list(iter_children(node)))


def _admin_gate(ctx: "FileContext", func: cst.FunctionDef, principals: set[str]) -> bool:
    """A top-level statement that lets only admins through: ``require_admin(current_user)`` /
    ``await check_superuser(user)``, or ``if not current_user.is_superuser: raise ...``."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                value = small.value if isinstance(small, cst.Expr) else None
                if isinstance(value, cst.Await):
                    value = value.expression
                if isinstance(value, cst.Call) and isinstance(value.func, (cst.Name, cst.Attribute)):
                    name = _last(dotted_name(value.func)).lower()
                    if any(w in name for w in ADMIN_WORDS) and any(
                        isinstance(a.value, cst.Name) and a.value.value in principals for a in value.args
                    ):
                        return True
        elif isinstance(stmt, cst.If) and stmt.orelse is None:
            test = stmt.test
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                inner = test.expression
                if (
                    isinstance(inner, cst.Attribute)
                    and isinstance(inner.value, cst.Name)
                    and inner.value.value in principals
                    and any(w in inner.attr.value.lower() for w in ADMIN_WORDS)
                ):
                    block = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []
                    if block and isinstance(block[-1], cst.SimpleStatementLine) and any(isinstance(x, cst.Raise) for x in block[-1].body):
                        return True
    return False


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


# --- family 1: identity values that come from the client ---------------------------------------------------

REQUEST_CLASSES = frozenset({"starlette.requests.Request", "fastapi.Request", "fastapi.requests.Request", "starlette.requests.HTTPConnection"})
REQUEST_DATA_METHODS = frozenset({"json", "form"})
DUMP_METHODS = frozenset({"model_dump", "dict", "model_dump_json"})
VALIDATE_METHODS = frozenset({"model_validate", "from_orm", "parse_obj", "validate", "model_construct"})


@dataclass
class ClientFinding:
    kind: str  # "read" (BKL101), "spread" (BKL101), "param" (BKL102)
    node: cst.CSTNode  # where it is reported
    field: str  # the identity field
    source: str  # the body parameter / request variable / parameter name
    fix_edits: list = field(default_factory=list)  # (node, replacement) pairs; empty when no fix
    principal: Optional[str] = None
    attribute: Optional[str] = None


def _order(func: cst.FunctionDef) -> dict[int, int]:
    from .cst import walk

    return {id(n): i for i, n in enumerate(walk(func))}


def _under(node: cst.CSTNode) -> set[int]:
    from .cst import walk

    return {id(n) for n in walk(node)}


class _ClientAnalysis:
    def __init__(self, ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> None:
        from .queries import function_queries

        self.ctx = ctx
        self.func = func
        self.identity = identity
        self.project = ctx.project
        self.settings = ctx.settings
        self.fields = frozenset(ctx.settings.identity_fields)
        self.queries = function_queries(ctx, func, identity)
        self.derived = set(self.queries.derived_names) | set(identity.principals) | set(identity.identity_params)
        self.order = _order(func)
        self.principal = next(iter(identity.principals), None)
        self.body_params: dict[str, Optional[str]] = {}  # name -> schema class
        self.request_params: set[str] = set()
        self.data_vars: dict[str, str] = {}  # dict variable -> body parameter it was dumped from, or "" for request data
        self.excluded: dict[int, set[str]] = {}
        self.verified: set[tuple[str, str]] = set()
        self.overwrites: dict[tuple[str, str], int] = {}  # (source, field) -> order of the first overwrite
        self._scoped_pred_nodes: Optional[set[int]] = None

    # -- classification of parameters ------------------------------------------------------------------
    def classify_params(self) -> list[ParamInfo]:
        route = self.identity.route
        path_params = _path_params(route, self.project)
        candidates: list[ParamInfo] = []
        for p in self.identity.params:
            if p.name in self.identity.principals or p.dependency.kind is not None:
                continue
            if p.marker in NOT_CLIENT_MARKERS:
                continue
            type_q = self.project.canonical(p.type) if (self.project is not None and p.type) else p.type
            if type_q in REQUEST_CLASSES or (type_q and type_q.rsplit(".", 1)[-1] == "Request" and p.name == "request"):
                self.request_params.add(p.name)
                continue
            if p.name in path_params:
                continue
            if type_q and self.project is not None and self.project.get_class(type_q) is not None:
                if is_pydantic_model(self.project, type_q):
                    self.body_params[p.name] = type_q
                continue
            if p.name in self.fields:
                candidates.append(p)
        return candidates

    # -- helpers -------------------------------------------------------------------------------------------
    def is_derived(self, expr: cst.CSTNode) -> bool:
        from .queries import _load_names

        return any(n in self.derived for n in _load_names(expr))

    def scoped_pred_nodes(self) -> set[int]:
        """Nodes inside a conjunct of a lookup that another conjunct scopes to the principal
        (``where(Org.id == payload.org_id, Membership.user_id == user.id)``)."""
        if self._scoped_pred_nodes is None:
            out: set[int] = set()
            for site in self.queries.sites:
                conjuncts: list[cst.CSTNode] = []
                for node in site.pred_nodes:
                    conjuncts.extend(_conjuncts(node))
                principal = [c for c in conjuncts if self.is_derived(c)]
                for c in conjuncts:
                    if any(p is not c for p in principal):
                        out |= _under(c)
            self._scoped_pred_nodes = out
        return self._scoped_pred_nodes

    def _dump_source(self, expr: cst.BaseExpression) -> Optional[tuple[str, set[str], set[str]]]:
        """``payload.model_dump(exclude={...})`` / ``jsonable_encoder(payload)`` / ``dict(payload)`` / a
        variable holding one -> (body parameter, excluded fields, overridden fields)."""
        if isinstance(expr, cst.Name):
            if expr.value in self.body_params:
                return expr.value, set(), set()
            src = self.data_vars.get(expr.value)
            if src:
                return src, set(self.excluded.get(id(expr), set())), set()
            return None
        if isinstance(expr, cst.Dict):
            # ``{**payload.model_dump(), "owner_id": user.id}``
            inner = None
            overridden: set[str] = set()
            for el in expr.elements:
                if isinstance(el, cst.StarredDictElement):
                    inner = self._dump_source(el.value)
                elif isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                    overridden.add(str(el.key.evaluated_value))
            if inner is not None:
                return inner[0], inner[1], inner[2] | overridden
            return None
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in DUMP_METHODS and isinstance(func.value, cst.Name):
                src = func.value.value
                if src in self.body_params:
                    return src, _excluded_fields(expr), set()
            q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
            name = q.rsplit(".", 1)[-1] if q else ""
            if name in ("jsonable_encoder", "dict", "vars") and expr.args and isinstance(expr.args[0].value, cst.Name):
                src = expr.args[0].value.value
                if src in self.body_params:
                    return src, _excluded_fields(expr), set()
        return None

    def _orm_table(self, expr: cst.BaseExpression) -> Optional[str]:
        from .models import is_table_model

        if not isinstance(expr, (cst.Name, cst.Attribute)) or self.project is None:
            return None
        q = self.ctx.qualified_name(expr)
        if q is None:
            return None
        found = self.project.get_class(q)
        if found is None or not is_table_model(self.project, found[0]):
            return None
        return found[0]

    # -- the walk ----------------------------------------------------------------------------------------
    def run(self) -> list[ClientFinding]:
        from .cst import walk
        from .models import model_columns, schema_fields

        candidates = self.classify_params()
        reads: list[tuple[str, str, cst.CSTNode]] = []  # (source, field, node)
        spreads: list[tuple[str, str, cst.CSTNode, cst.Call, Optional[cst.Arg]]] = []
        assigned_targets: dict[str, str] = {}  # variable -> ORM constructor result of a spread
        param_uses: dict[str, list[cst.Name]] = {p.name: [] for p in candidates}
        attr_targets: set[int] = set()
        non_load: set[int] = set()  # attribute names, keywords and parameters are not reads
        for node in walk(self.func.body):
            if isinstance(node, cst.Attribute):
                non_load.add(id(node.attr))
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                non_load.add(id(node.keyword))
            elif isinstance(node, cst.Param):
                non_load.add(id(node.name))
            elif isinstance(node, cst.Name) and id(node) in non_load:
                continue
            # assignments: dump variables, request data, overwrites
            if isinstance(node, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                value = node.value
                flat: list[cst.BaseExpression] = []
                while targets:
                    t = targets.pop(0)
                    if isinstance(t, (cst.Tuple, cst.List)):
                        targets.extend(el.value for el in t.elements)
                        value = None  # unpacking: the values are not known one by one
                    else:
                        flat.append(t)
                targets = flat
                for t in targets:
                    attr_targets |= {id(t)}
                    if isinstance(t, cst.Name) and value is not None:
                        dumped = self._dump_source(value)
                        if dumped is not None:
                            self.data_vars[t.value] = dumped[0]
                        elif self._request_data(value):
                            self.data_vars[t.value] = ""
                        if t.value in param_uses and not _reads_name(value, t.value):
                            self.overwrites.setdefault((t.value, t.value), self.order.get(id(node), 0))
                    elif isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.attr.value in self.fields:
                        key = (t.value.value, t.attr.value)
                        if value is None or not _reads_attribute(value, key):
                            self.overwrites.setdefault(key, self.order.get(id(node), 0))
                        if t.value.value in assigned_targets:
                            self.overwrites.setdefault((assigned_targets[t.value.value], t.attr.value), self.order.get(id(node), 0))
                    elif isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name):
                        key_name = _subscript_key(t)
                        if key_name in self.fields:
                            self.overwrites.setdefault((t.value.value, key_name), self.order.get(id(node), 0))
                if isinstance(value, (cst.Call, cst.Await)):
                    call = value.expression if isinstance(value, cst.Await) else value
                    if isinstance(call, cst.Call) and len(targets) == 1 and isinstance(targets[0], cst.Name):
                        spread = self._spread(call)
                        if spread is not None:
                            assigned_targets[targets[0].value] = f"<orm:{id(call)}>"
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and id(node) not in attr_targets:
                src = node.value.value
                if src in self.body_params and node.attr.value in self.fields:
                    reads.append((src, node.attr.value, node))
            elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and id(node) not in attr_targets:
                key_name = _subscript_key(node)
                if key_name in self.fields and node.value.value in self.data_vars:
                    reads.append((node.value.value, key_name, node))
            elif isinstance(node, cst.Call):
                func = node.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "get"
                    and isinstance(func.value, cst.Name)
                    and func.value.value in self.data_vars
                    and node.args
                    and isinstance(node.args[0].value, cst.SimpleString)
                    and str(node.args[0].value.evaluated_value) in self.fields
                ):
                    reads.append((func.value.value, str(node.args[0].value.evaluated_value), node))
                spread = self._spread(node)
                if spread is not None:
                    src, model, arg, excluded, overridden = spread
                    fields = set(schema_fields(self.project, self.body_params.get(src)))
                    if not fields and self.data_vars.get(src) is not None:
                        fields = set()
                    columns = set(model_columns(self.project, model))
                    for f in sorted((fields & self.fields & columns) - excluded - overridden):
                        spreads.append((src, f, arg.value if arg is not None else node, node, arg))
            elif isinstance(node, cst.Name) and node.value in param_uses:
                param_uses[node.value].append(node)
        findings: list[ClientFinding] = []
        self._verify(reads, spreads, param_uses)
        # BKL101: reads and spreads, one finding per (source, field)
        by_key: dict[tuple[str, str], list[tuple[int, str, cst.CSTNode, Optional[cst.Call], Optional[cst.Arg]]]] = {}
        scoped = self.scoped_pred_nodes()
        for src, f, node in reads:
            if (src, f) in self.verified or id(node) in scoped:
                continue
            order = self.order.get(id(node), 0)
            if order > self.overwrites.get((src, f), 1 << 30):
                continue
            by_key.setdefault((src, f), []).append((order, "read", node, None, None))
        for src, f, node, call, arg in spreads:
            if (src, f) in self.verified:
                continue
            if self.order.get(id(node), 0) > self.overwrites.get((src, f), 1 << 30):
                continue
            if arg is not None and isinstance(arg.value, cst.Name):
                # ``data = payload.model_dump(); data["owner_id"] = user.id; Item(**data)``
                if self.order.get(id(node), 0) > self.overwrites.get((arg.value.value, f), 1 << 30):
                    continue
            orm_key = next((k for k, v in assigned_targets.items() if v == f"<orm:{id(call)}>"), None)
            if orm_key is not None and (orm_key, f) in self.overwrites:
                continue
            if self.data_vars.get(src) is None and src not in self.body_params:
                continue
            by_key.setdefault((src, f), []).append((self.order.get(id(node), 0), "spread", node, call, arg))
        attribute_for = self.settings.identity_attribute
        for (src, f), items in sorted(by_key.items(), key=lambda kv: min(i[0] for i in kv[1])):
            items.sort(key=lambda i: i[0])
            attr = attribute_for(f)
            edits: list = []
            if self.principal and attr:
                value = f"{self.principal}.{attr}"
                for _, kind, node, call, arg in items:
                    if kind == "read":
                        edits.append((node, value))
                    elif call is not None:
                        edit = _spread_fix(self.ctx, call, arg, f, value)
                        if edit is None:
                            edits = []
                            break
                        edits.append(edit)
            first = items[0]
            findings.append(ClientFinding(first[1], first[2], f, src, edits, self.principal, attr))
        # BKL102: identity parameters from the client
        for p in candidates:
            if (p.name, p.name) in self.verified:
                continue
            uses = [n for n in param_uses[p.name] if id(n) not in scoped]
            first_overwrite = self.overwrites.get((p.name, p.name))
            if first_overwrite is not None and all(self.order.get(id(n), 0) >= first_overwrite for n in param_uses[p.name] if id(n) not in attr_targets):
                continue
            if not uses:
                continue  # never read (not trusted), or only as a key in lookups scoped to the principal
            attr = attribute_for(p.name)
            edits = []
            if self.principal and attr:
                edits = [(n, f"{self.principal}.{attr}") for n in param_uses[p.name] if id(n) not in attr_targets]
            findings.append(ClientFinding("param", p.node, p.name, p.name, edits, self.principal, attr))
        return findings

    def _request_data(self, value: cst.BaseExpression) -> bool:
        """``await request.json()`` / ``await request.form()`` / ``request.query_params`` (and ``dict(...)`` of them)."""
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict" and value.args:
            return self._request_data(value.args[0].value)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            base = value.func.value
            if isinstance(base, cst.Name) and base.value in self.request_params and value.func.attr.value in REQUEST_DATA_METHODS:
                return True
        if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value in self.request_params:
            return value.attr.value == "query_params"
        return False

    def _spread(self, call: cst.Call) -> Optional[tuple[str, str, Optional[cst.Arg], set[str], set[str]]]:
        """``Item(**payload.model_dump())`` / ``Item.model_validate(payload)`` -> (source, model, arg, excluded,
        overridden)."""
        func = call.func
        model = self._orm_table(func)
        if model is not None:
            overridden = {a.keyword.value for a in call.args if a.keyword is not None}
            for arg in call.args:
                if arg.star == "**":
                    src = self._dump_source(arg.value)
                    if src is not None:
                        return src[0], model, arg, src[1], src[2] | overridden
            return None
        if isinstance(func, cst.Attribute) and func.attr.value in VALIDATE_METHODS:
            model = self._orm_table(func.value)
            if model is None or not call.args:
                return None
            first = call.args[0]
            src = self._dump_source(first.value)
            if src is None:
                return None
            overridden = set(src[2])
            for a in call.args[1:]:
                if a.keyword is not None and a.keyword.value == "update" and isinstance(a.value, cst.Dict):
                    for el in a.value.elements:
                        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                            overridden.add(str(el.key.evaluated_value))
                elif a.keyword is not None and a.keyword.value == "update":
                    return None  # an update mapping we cannot read: no claim
            return src[0], model, first, src[1], overridden
        return None

    def _verify(self, reads, spreads, param_uses) -> None:
        """Fields compared with the principal, checked for membership, or used as a key in a lookup scoped
        to the principal are verified."""
        from .cst import walk
        from .queries import VERIFY_WORDS, _last

        value_nodes: dict[int, tuple[str, str]] = {}
        for src, f, node in reads:
            for i in _under(node):
                value_nodes[i] = (src, f)
        for name, uses in param_uses.items():
            for n in uses:
                value_nodes[id(n)] = (name, name)
        if not value_nodes:
            return
        scoped = self.scoped_pred_nodes()
        for key in {value_nodes[i] for i in value_nodes if i in scoped}:
            self.verified.add(key)
        for node in walk(self.func.body):
            if isinstance(node, cst.Comparison):
                sides = [node.left] + [c.comparator for c in node.comparisons]
                keys = set()
                derived = False
                for side in sides:
                    found = {value_nodes[i] for i in _under(side) if i in value_nodes}
                    if found:
                        keys |= found
                    elif self.is_derived(side):
                        derived = True
                if keys and derived:
                    self.verified |= keys
            elif isinstance(node, cst.Call):
                name = dotted_name(node.func) if isinstance(node.func, (cst.Name, cst.Attribute)) else None
                lowered = _last(name).lower() if name else ""
                if not any(w in lowered for w in VERIFY_WORDS):
                    continue
                keys = set()
                derived = False
                for arg in node.args:
                    found = {value_nodes[i] for i in _under(arg.value) if i in value_nodes}
                    if found:
                        keys |= found
                    elif self.is_derived(arg.value):
                        derived = True
                if keys and derived:
                    self.verified |= keys


def _reads_name(expr: cst.CSTNode, name: str) -> bool:
    from .queries import _load_names

    return name in set(_load_names(expr))


def _reads_attribute(expr: cst.CSTNode, key: tuple[str, str]) -> bool:
    from .cst import walk

    for n in walk(expr):
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and (n.value.value, n.attr.value) == key:
            return True
        if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) and (n.value.value, _subscript_key(n)) == key:
            return True
    return False


def _conjuncts(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``and_(a, b)`` / ``a & b`` -> ``[a, b]`` (recursively); anything else is one conjunct."""
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        name = dotted_name(node.func) or ""
        if name.rsplit(".", 1)[-1] == "and_":
            out: list[cst.CSTNode] = []
            for a in node.args:
                out.extend(_conjuncts(a.value))
            return out
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitAnd):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def _path_params(route: Optional[RouteInfo], project: Optional["ProjectIndex"] = None) -> frozenset[str]:
    """The route's path parameters, and those of router prefixes anywhere in the project (a prefix given
    to ``include_router`` in another module is not visible from the route)."""
    from .fastapi import path_parameters

    own = path_parameters(route.path) if route is not None else frozenset()
    if project is None:
        return own

    def build() -> frozenset[str]:
        out: set[str] = set()
        for _, facts in project.iter_modules():
            for prefix in facts.get("extra", {}).get("orm", {}).get("route_prefixes", ()):
                out |= path_parameters(prefix)
        return frozenset(out)

    return own | project.memo("auth.prefix_path_params", build)


def _subscript_key(node: cst.Subscript) -> Optional[str]:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.SimpleString):
        return str(value.evaluated_value)
    return None


def _excluded_fields(call: cst.Call) -> set[str]:
    out: set[str] = set()
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "exclude" and isinstance(arg.value, (cst.Set, cst.List, cst.Tuple, cst.Dict)):
            elements = arg.value.elements
            for el in elements:
                key = el.key if isinstance(el, cst.DictElement) else getattr(el, "value", None)
                if isinstance(key, cst.SimpleString):
                    out.add(str(key.evaluated_value))
        elif arg.keyword is not None and arg.keyword.value == "include":
            # only the included fields are written: everything else is excluded
            out.add("*include*")
            if isinstance(arg.value, (cst.Set, cst.List, cst.Tuple)):
                keep = {str(el.value.evaluated_value) for el in arg.value.elements if isinstance(el.value, cst.SimpleString)}
                from ..ground.config import DEFAULT_IDENTITY_FIELDS

                out |= set(DEFAULT_IDENTITY_FIELDS) - keep
    return out


def _spread_fix(ctx: "FileContext", call: cst.Call, arg: Optional[cst.Arg], field_name: str, value: str):
    """The edit that makes a spread take ``field_name`` from the principal."""
    assert ctx.module is not None
    if arg is None:
        return None
    if arg.star == "**":
        inner = ctx.module.code_for_node(arg.value)
        return (arg.value, f'{{**{inner}, "{field_name}": {value}}}')
    # Model.model_validate(payload[, ...]): add update={...}
    if any(a.keyword is not None and a.keyword.value == "update" for a in call.args):
        for a in call.args:
            if a.keyword is not None and a.keyword.value == "update" and isinstance(a.value, cst.Dict):
                inner = ctx.module.code_for_node(a.value).strip()
                body = inner[1:-1].strip().rstrip(",")
                new = f'{{{body}, "{field_name}": {value}}}' if body else f'{{"{field_name}": {value}}}'
                return (a.value, new)
        return None
    source = ctx.module.code_for_node(arg.value)
    return (arg.value, f'{source}, update={{"{field_name}": {value}}}')


def client_identity_findings(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> list[ClientFinding]:
    """BKL101 / BKL102 findings of one route handler (shared by both rules)."""

    def build() -> list[ClientFinding]:
        if identity.route is None or identity.admin or not (identity.principals or identity.authenticated):
            return []
        return _ClientAnalysis(ctx, func, identity).run()

    return ctx.cached(("auth.client_identity", id(func)), build)


def identity_words(project: Optional["ProjectIndex"], settings: "Settings") -> tuple[str, ...]:
    """Substrings one of which a file must contain for a function in it to have the identity in scope:
    principal parameter names, identity fields, ``Depends`` / ``Security``, auth dependency names, and
    the project's auth aliases and principal classes (``CurrentUser``, ``User``)."""

    def build() -> tuple[str, ...]:
        words = set(settings.principal_parameters) | set(settings.identity_fields) | {"Depends", "Security"}
        words |= {_last(e) for e in settings.auth_dependencies}
        words |= set(interesting_names(project, settings))
        # a word that contains another adds nothing to an ``any(w in source)`` test
        kept = sorted(words, key=len)
        out: list[str] = []
        for w in kept:
            if w and not any(k in w for k in out):
                out.append(w)
        return tuple(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.identity_words:{_settings_key(settings)!r}", build, load=tuple)


_LAST_IDENTITY_TEST: list = [None, None, None, False]  # (source, project, settings, answer): four rules ask per file


def may_have_identity(source: str, project: Any, settings: "Settings") -> bool:
    last = _LAST_IDENTITY_TEST
    if last[0] is source and last[1] is project and last[2] is settings:
        return last[3]
    answer = any(w in source for w in identity_words(project, settings))
    last[:] = [source, project, settings, answer]
    return answer
