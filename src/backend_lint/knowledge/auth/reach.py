"""Who reaches a function: functions only background jobs reach, and ``no_claim_reason`` (families 1 and 2 make
no claim there)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional

from ...ground.config import DEFAULT_IDENTITY_FIELDS
from ..facts import alias_entry, orm_facts
from ..fastapi import index_route
from ..flask import view_class_methods
from ..fastapi_routers import unincluded_view
from ..flask_blueprints import unregistered_view
from ..imports import last_segment
from ..index.extractors.flow import access_name  # an exception or refusal named for access
from ..context_managers import entered_instance
from ..index.extractors.orm import PLAIN_CALL, SELF_RECEIVER, receivers_of
from ..models import is_table_model
from ..repositories import module_instance_class
from .dependencies import (
    _settings_key,
    _test_module_name,
    ADMIN_WORDS,
    DEPENDENCY_MARKERS,
    multi_tenant,
    param_dependency,
    privileged_arguments,
)
from .decorators import admin_decorated
from .role_lists import role_alternatives
from .views import _configured_route_nodes

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex


def background_only(project: Optional["ProjectIndex"], qualified: str) -> bool:
    """A top-level function that only background jobs reach (``claim_reach``'s ``task`` reason)."""
    return no_claim_reason(project, None, qualified) == NO_CLAIM_REASONS["task"]


NO_CLAIM_REASONS = {
    "task": "only background jobs reach it (a task, `BackgroundTasks.add_task`)",
    "admin": "only admin-only routes reach it",
    "none": "no route reaches it (a CLI command, a startup hook, a pipeline step, or nothing)",
}


def no_claim_reason(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: str) -> Optional[str]:
    """Why a top-level function (``pkg.mod.fn``) or a method of a top-level class (``pkg.mod.Class.fn``) that
    is not a request handler makes no identity claim (families 1 and 2), or ``None`` when it may make one.

    A function that is not a route handler makes a claim only when a non-admin route reaches it through the
    project's calls (``claim_reach``); functions reached only from background jobs, CLI commands, startup
    hooks or admin-only routes, or from nothing, make none. A project where no route is found keeps the
    narrower rule: only what background jobs alone reach makes no claim."""
    if project is None:
        return None
    key = f"auth.claim_reach:{_settings_key(settings)!r}" if settings is not None else "auth.claim_reach"
    found = project.stored_memo(key, lambda: _claim_reach(project, settings), load=dict)
    code = found.get(qualified)
    return NO_CLAIM_REASONS.get(code) if code else None


_NODE_KINDS = ("functions", "methods")


def _claim_reach(project: "ProjectIndex", settings: Optional["Settings"]) -> dict[str, str]:
    """``{qualified: reason code}`` for the functions and methods that make no claim.

    The graph: top-level functions and methods of top-level classes (``orm`` index facts). A node's edges are
    the project functions its ``calls_out`` / ``refs_out`` resolve to (a method when the name resolves to a
    class: ``Service.fetch``), and, for what the imports cannot resolve (``self.repo.get_one(...)``, a module
    object's method, a bare name from a star import), every function or method of that name: a call the index
    cannot follow keeps its possible targets claiming, in the modules that reached code lives in or imports.
    Roots: request handlers (``route``) that are not admin-only (an admin dependency among their parameters,
    or a body opening with an admin check), router factories (a function holding nested handlers), MCP tools
    (``@mcp.tool()``: called with the client's arguments) and
    dependency functions (a ``Depends`` / ``Security`` parameter: FastAPI runs them for some route). Test
    modules are left out of the graph.
    ``background_out`` is not an edge: a function a route hands to ``BackgroundTasks`` runs after the response."""
    nodes: dict[str, dict[str, Any]] = {}
    methods: set[str] = set()
    node_module: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for mod, facts in project.iter_modules():
        if _test_module_name(mod):
            continue  # tests call everything and serve no request
        orm = orm_facts(facts)
        for kind in _NODE_KINDS:
            for name, fn in orm.get(kind, {}).items():
                q = f"{mod}.{name}"
                nodes[q] = fn
                node_module[q] = mod
                if kind == "methods":
                    methods.add(q)
                by_name.setdefault(name.rsplit(".", 1)[-1], []).append(q)
    resolved: dict[str, Any] = {}  # a call's target -> the nodes it names, or a name to match (``str``)
    heads = {m.split(".", 1)[0] for m in project.module_names()} | {m.split(".", 1)[0] for m in project.aliases}

    def targets(target: str) -> Any:
        out = resolved.get(target)
        if out is not None:
            return out
        if target in nodes:  # (most calls name the function where it is defined)
            out = resolved[target] = (target,)
            return out
        if target.split(".", 1)[0] not in heads:  # ``db.query``, ``self.helper``, a library's function
            out = resolved[target] = target.rsplit(".", 1)[-1]  # type: ignore[assignment]  (by name)
            return out
        found = project.resolve_symbol(target)  # (a class or a module-level object is read below: the kind is needed)
        if found is not None and found[2] == "functions":
            fq = f"{found[0]}.{found[1]}"
            out = (fq,) if fq in nodes else ()  # (a function of a test module is no node)
        else:
            head, _, last = target.rpartition(".")
            cls = project.resolve_symbol(head) if head else None
            made = module_instance_class(project, head) if cls is not None and cls[2] == "assignments" else None
            if cls is not None and cls[2] == "classes":
                out = typed_targets(f"{cls[0]}.{cls[1]}.{last}")  # ``Service.method(...)``
            elif made is not None:
                out = typed_targets(f"{made}.{last}")  # ``item_service.update(...)``, ``item_service = ItemService()``
            elif found is not None:
                out = ()  # a class (its methods are reached by name) or a module-level object
            else:
                out = last or target  # type: ignore[assignment]  (by name)
        resolved[target] = out
        return out

    imports_of: dict[str, set[str]] = {}
    modules = project.modules

    def module_imports(mod: str) -> set[str]:
        """The project modules ``mod`` imports at module level (a module, or the module of a name)."""
        out = imports_of.get(mod)
        if out is None:
            out = imports_of[mod] = set()
            for target in project.modules[mod].get("imports", {}).values():
                if target.split(".", 1)[0] not in heads:
                    continue
                if target in modules:
                    out.add(target)
                elif target.rpartition(".")[0] in modules:
                    out.add(target.rpartition(".")[0])  # ``from pkg.mod import name``
                else:
                    split = project.split(target)
                    if split is not None:
                        out.add(split[0])
        return out

    def reach(seeds: Iterable[str]) -> set[str]:
        """Nodes reached from ``seeds``. A call matched by name reaches a function or method of that name
        only in a live module: one holding reached code, or imported by a live one (``session.execute`` does
        not reach a CLI command's ``execute`` that only the CLI's own modules import)."""
        seen: set[str] = set()
        stack: list[str] = []
        expanded: set[str] = set()  # targets and names already followed (a name like ``get`` is met often)
        live: set[str] = set()
        holding: set[str] = set()  # modules holding reached code (their imports are live)
        pending: dict[str, list[str]] = {}  # module not yet live -> nodes of a wanted name in it

        def make_live(mod: str) -> None:
            todo = [mod]
            while todo:  # what a live module imports is live too (``app.DATABASE.repo.method()``)
                m = todo.pop()
                if m not in live:
                    live.add(m)
                    add(pending.pop(m, ()))
                    todo.extend(module_imports(m))

        def add(found: Iterable[str]) -> None:
            for t in found:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
                    mod = node_module[t]
                    if mod not in holding:
                        holding.add(mod)
                        make_live(mod)
                        for imported in module_imports(mod):
                            make_live(imported)

        def by_name_live(name: str) -> None:
            if name in expanded:
                return
            expanded.add(name)
            for t in by_name.get(name, ()):
                mod = node_module[t]
                if mod in live:
                    add((t,))
                else:
                    pending.setdefault(mod, []).append(t)

        def follow(found: Any) -> None:
            if found.__class__ is str:  # a name: every function or method so called
                by_name_live(found)
                return
            add(found)
            for t in getattr(found, "overrides", ()):  # (a subclass's override: in a live module, as by name)
                mod = node_module[t]
                if mod in live:
                    add((t,))
                else:
                    pending.setdefault(mod, []).append(t)

        add(seeds)
        while stack:
            q = stack.pop()
            fn = nodes[q]
            receivers = receivers_of(fn)
            for key in ("calls_out", "refs_out"):
                for t in fn.get(key, ()):
                    if key == "calls_out" and t in receivers:
                        for typed in receivers[t]:  # ``svc.update(...)`` on a ``svc = BlogService(db)``
                            follow(receiver_targets(q, t, typed))
                    elif key == "calls_out" and q in methods and t.startswith(_SELF) and t.count(".") == 1:
                        follow(typed_targets(f"{q.rpartition('.')[0]}.{t.partition('.')[2]}"))  # ``self.fetch(...)``
                    elif t not in expanded:
                        expanded.add(t)
                        follow(targets(t))
            for name in fn.get("name_calls", ()):
                if name in receivers:
                    for typed in receivers[name]:  # ``self.service.update(...)``, ``__init__`` keeping the service
                        follow(receiver_targets(q, name, typed))
                else:
                    by_name_live(name)
        return seen

    def receiver_targets(q: str, called: str, typed: str) -> Any:
        """What one call of node ``q`` whose receiver the index typed (``receivers``) reaches."""
        if typed == PLAIN_CALL:  # ``update(table)``, ``sa.update(table)``: a module-level name, resolved as before
            found = targets(called)
            return () if found.__class__ is str and called.split(".", 1)[0] not in heads else found
        if typed.startswith(SELF_RECEIVER):  # ``super().update()``
            return typed_targets(q.rpartition(".")[0] + typed[len(SELF_RECEIVER):]) if q in methods else typed.rpartition(".")[2]
        return typed_targets(typed)

    typed_found: dict[str, Any] = {}

    def typed_targets(typed: str) -> Any:
        """The nodes a method call on a receiver of a known class reaches (``receivers`` facts): the method its
        class defines or inherits from a project base, with the overrides of the project's subclasses; the
        method's name (every function or method so called, as for an unresolved call) when the class is not the
        project's, reaches an outside base first, or defines no such method."""
        out = typed_found.get(typed)
        if out is None:
            # (``async with Service() as service``: the instance, when the class's ``__aenter__`` returns ``self``)
            out = typed_found[typed] = _typed_method_nodes(project, nodes, methods, by_name, heads, entered_instance(project, typed) or typed)
        return out

    aliases: dict[str, bool] = {}

    def _as_nodes(found: Any) -> Iterable[str]:
        return by_name.get(found, ()) if found.__class__ is str else found

    def dependency_param(p: dict[str, Any]) -> bool:
        """``Depends(...)`` / ``Security(...)``, also through an ``Annotated`` alias held in a name."""
        if last_segment(p.get("marker")) in DEPENDENCY_MARKERS:
            return True
        alias = p.get("alias")
        if not alias:
            return False
        if alias not in aliases:
            entry = alias_entry(project, alias) if alias.split(".", 1)[0] in heads else None
            aliases[alias] = entry is not None and last_segment(entry.get("marker")) in DEPENDENCY_MARKERS
        return aliases[alias]

    def admin_param(p: dict[str, Any]) -> bool:
        if not (last_segment(p.get("marker")) in DEPENDENCY_MARKERS or dependency_param(p)):
            return False  # (``db: Session``: no dependency to classify)
        assert settings is not None
        said = f"{p.get('dependency') or ''} {p.get('alias') or ''} {p.get('kwargs') or ''}".lower()
        if not settings.admin_dependencies and not any(w in said for w in ADMIN_WORDS) and not privileged_arguments(
            p.get("args"), p.get("kwargs"), accounts=lambda: not multi_tenant(project, settings), alternatives=len(p.get("args") or ()) > 1 and role_alternatives(project, p.get("dependency"))
        ):
            return False  # (cheap: an admin dependency says so, ``current_superuser``; else the route claims)
        return param_dependency(project, settings, p).kind == "admin"

    route_of = {q: index_route(project, fn) for q, fn in nodes.items() if fn.get("route")}
    for q in route_of:
        if route_of[q] and unregistered_view(project, node_module[q], q[len(node_module[q]) + 1:]):
            route_of[q] = False  # a view of a blueprint nothing registers serves no request (``flask_blueprints``)
        elif route_of[q] and unincluded_view(project, node_module[q], q[len(node_module[q]) + 1:]):
            route_of[q] = False  # a route of a router nothing includes serves no request (``fastapi_routers``)
    for q in _configured_route_nodes(project, nodes, node_module, by_name):
        route_of[q] = True  # registered from a configuration list (``knowledge.fastapi.config_routes``)
    for q in view_class_methods(project):
        if q in nodes:
            route_of[q] = True  # a method of a Flask view class (``knowledge.flask``)
    routes = [q for q, yes in route_of.items() if yes]
    tasks = [q for q, fn in nodes.items() if fn.get("task")]
    tasks += [t for fn in nodes.values() for c in fn.get("background_out", ()) for t in _as_nodes(targets(c))]
    if not routes:
        # no request handler found (not a FastAPI app, or one this index cannot read): every top-level
        # function that nothing calls is a root, and only what background jobs alone reach makes no claim
        return {q: "task" for q in _background_only(project)}
    admin: list[str] = []
    roots: list[str] = []
    for q, fn in nodes.items():
        params = fn.get("params", ())
        if route_of.get(q):
            if fn.get("admin_gate") or (settings is not None and any(admin_param(p) for p in params)) or admin_decorated(project, fn):
                admin.append(q)
            else:
                roots.append(q)
        elif fn.get("routes_inside") or fn.get("tool") or any(dependency_param(p) for p in params):
            roots.append(q)  # a router factory (its nested handlers' calls are its own), a dependency
    for mod, facts in project.iter_modules():
        for entry in orm_facts(facts).get("aliases", {}).values():
            if entry.get("dependency") and last_segment(entry.get("marker")) in DEPENDENCY_MARKERS:
                roots.extend(_as_nodes(targets(entry["dependency"])))  # ``ItemDep = Annotated[Item, Depends(load_item)]``
    claims = reach(roots)
    out: dict[str, str] = {}
    for q in reach(admin) - claims:
        out[q] = "admin"
    for q in reach(tasks) - claims:
        out.setdefault(q, "task")
    for q, fn in nodes.items():
        if q not in claims and not route_of.get(q) and not _refuses_its_identity(project, settings, node_module[q], q):
            out.setdefault(q, "none")
    for q in routes:
        out.pop(q, None)  # a request handler makes its own claims (or none, when admin-only)
    return out


_SELF = ("self.", "cls.")


def _typed_method_nodes(
    project: "ProjectIndex", nodes: dict[str, Any], methods: set[str], by_name: dict[str, list[str]], heads: set[str], typed: str,
) -> Any:
    """``_claim_reach``'s ``typed_targets``: ``(node, ...)`` or the method's name (every function or method so
    called). A project class: the method it defines or inherits from a project base, with its subclasses'
    overrides. A library class (``sqlalchemy.orm.Session``, ``builtins.dict``): only the overrides of project
    subclasses. What a call on a receiver gives (``<class>()``): by name when the class is the project's (its
    methods return anything), else the methods of table models (a library's query hands rows on)."""
    head, _, method = typed.rpartition(".")
    given = head.endswith("()")
    head = head[:-2] if given else head
    cls = project.get_class(head)
    if cls is None and head.split(".", 1)[0] in heads:
        entry = alias_entry(project, head)  # ``service: ServiceDep`` with ``ServiceDep = Annotated[Service, Depends()]``
        cls = project.get_class(entry["type"]) if entry is not None and entry.get("type") else None
        if cls is None:
            return method  # a project name that is no class (a factory function): as before
    if given:
        if cls is not None:
            return method
        rows = _Reached()
        rows.overrides = tuple(q for q in by_name.get(method, ()) if q in methods and is_table_model(project, q[: -len(method) - 1]))
        return rows
    out = _Reached()
    if cls is not None:
        line = project.class_mro(cls[0])
        if any(last_segment(owner) == "Protocol" for owner, _ in line):
            return method  # a protocol: any class of that shape is one (as before)
        for owner, facts in line:
            if facts is None:
                return method  # (a library base may define it: as before)
            if f"{owner}.{method}" in nodes:
                out = _Reached((f"{owner}.{method}",))
                break
        if not out:
            return method
    base = cls[0] if cls is not None else head
    out.overrides = tuple(
        q for q in by_name.get(method, ())
        if q not in out and q in methods and q[: -len(method) - 1] != base and any(name == base for name, _ in project.class_mro(q[: -len(method) - 1])[1:])
    )  # a subclass's override: the receiver may be one
    return out


class _Reached(tuple):
    """The nodes a typed call reaches, with the project subclasses' ``overrides`` of the method (or the table models'
    methods a query chain may call), followed only in live modules, as a call matched by name is."""

    overrides: tuple = ()


def _refuses_its_identity(project: "ProjectIndex", settings: Optional["Settings"], module: str, qualified: str) -> bool:
    """A function or method that refuses access itself on an identity parameter together with another value
    (the ``access`` groups of its ``flow`` ``checks``: ``if collection.owner_id != user_id: raise
    AccessDeniedError``) says by its own code that the parameter is the caller, whoever calls it: it makes a
    claim even when no route reaches it today (a service method the routes no longer call)."""
    name = qualified[len(module) + 1:]
    flow = (project.modules[module] or {}).get("extra", {}).get("flow", {})
    entry = flow.get("checks", {}).get(name)
    if not entry:
        return False
    fields = set(settings.identity_fields if settings is not None else DEFAULT_IDENTITY_FIELDS)
    fields |= {f"current_{f}" for f in fields}
    # an identity-named parameter that keys the function's own lookup is the row's key, not the caller
    # (``require_org_role(org_id, current_user)`` loads the organisation by ``org_id``)
    summary = flow.get("methods" if "." in name else "functions", {}).get(name) or {}
    fields -= {k.split(".", 1)[0] for f in summary.get("fetches", ()) for k in f.get("keys", ())}
    groups = list(entry.get("access", ()))
    groups += [g for name, g in entry.get("refuses", ()) if any(access_name(last_segment(q)) for q, _ in project.class_mro(name))]
    return any(len(group) >= 2 and fields.intersection(group) for group in groups)


def _background_only(project: "ProjectIndex") -> frozenset[str]:
    """Top-level functions only background jobs reach, with every function nothing calls (and every function
    a class method calls) a root: the rule for a project where no request handler is found."""
    functions: dict[str, dict[str, Any]] = {}
    for mod, facts in project.iter_modules():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            functions[f"{mod}.{name}"] = fn
    if not any(fn.get("task") or fn.get("background_out") for fn in functions.values()):
        return frozenset()
    resolved: dict[str, Optional[str]] = {}

    def node(target: str) -> Optional[str]:
        if target not in resolved:
            found = project.project_function(target)
            resolved[target] = f"{found[0]}.{found[1]}" if found is not None else None
        return resolved[target]

    edges: dict[str, list[str]] = {}
    called: set[str] = set()
    starts: set[str] = set()
    for q, fn in functions.items():
        out = [t for t in (node(c) for c in fn.get("calls_out", ())) if t is not None and t != q]
        edges[q] = out
        called.update(out)
        for c in fn.get("background_out", ()):
            t = node(c)
            if t is not None:
                called.add(t)
                starts.add(t)
        if fn.get("task"):
            starts.add(q)
    for mod, facts in project.iter_modules():
        for c in orm_facts(facts).get("method_calls", ()):
            t = node(c)
            if t is not None:
                called.discard(t)  # a caller outside the graph: a root

    def reach(seeds: Iterable[str]) -> set[str]:
        seen = set(seeds)
        stack = list(seen)
        while stack:
            for t in edges.get(stack.pop(), ()):
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return seen

    roots = [q for q, fn in functions.items() if q not in called and not fn.get("task") and q not in starts]
    claims = reach(roots)
    return frozenset(reach(starts) - claims)
