"""A project function handed who asks and a key, that loads the row by the key and decides in Python
(``ensure_workspace_access(workspace_id, user, repo)``, ``require_workspace_member(db, workspace_id, user_id)``):
the check in its own body decides access to a row the route's client named (BKL202 at that check, once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..auth import client_fed_parameters, Identity, param_dependency, principal_fed_here, raw_principal_fed
from ..cst import load_names
from ..facts import orm_facts
from ..imports import last_segment
from ..index.extractors.orm import TENANT_COLUMNS  # the same parsing as the index
from .summaries import _callee_param, flow_facts, summary_of_call

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from ...ground.config import Settings
    from .values import Comparison

cst = lazy_import("libcst")


def helper_caller_params(identity: Identity) -> set[str]:
    """In a project function (no route), the parameters named for who asks: ``user_id`` / ``current_user_id``
    (an identity parameter of the user field), which the routes fill with the caller's id; the other identity-named
    parameters (``workspace_id``) are keys the caller hands on, possibly the client's."""
    if identity.route is not None:
        return set()
    return {n for n, field in identity.identity_params.items() if field == "user_id" or n.startswith("current_")}


def helper_key_scoped(ctx: "FileContext", func: "cst.FunctionDef", check: "Comparison", identity: Identity) -> bool:
    """In a project function, the checked row was looked up only by parameters named like identity fields that
    are the row's own key (``Workspace.id == workspace_id``, ``repo.get_by_id(workspace_id)``), and the check
    compares the row with who asks, another parameter (``workspace.owner_id != user_id``, ``== user.id``): the
    key is one the caller handed on (a route's path or body key), not the caller's tenant, so the row was
    loaded unscoped and access is decided after the fetch."""
    row = check.row
    if identity.route is not None or not row.scoped or row.opaque or not row.model:
        return False
    if row.sites:
        if not all(s.key_only_scoped for s in row.sites):
            return False
        keys = {k.split(".", 1)[0] for s in row.sites for k in s.key_names}
    else:
        keys = {k.split(".", 1)[0] for k in row.keys}
        if not keys or not keys <= set(identity.identity_params) or keys & helper_caller_params(identity):
            return False
    who = (set(identity.principals) | helper_caller_params(identity)) - keys
    if not any(n in who for n in load_names(check.node)):
        return False
    # a key some authenticated route hands on as the client sent it (through services): never only server-made
    return bool(keys & principal_fed_here(ctx, func, client_reached_parameters))


def client_reached_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: a route's own path, query and body parameters, ``client_fed_parameters`` (a route
    hands the parameter one of them) and, to a fixpoint, the parameters of the project functions and methods those functions hand such a
    parameter on to, as it is or an attribute of it (``ensure_workspace_access(workspace_id=workspace_id, ...)``
    in a service a route called with its path key; the ``calls`` of the flow summaries)."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        reached: dict[str, set[str]] = {k: set(v) for k, v in client_fed_parameters(project, settings).items()}
        for mod, facts in project.iter_modules():
            for name, fn in orm_facts(facts).get("functions", {}).items():
                if fn.get("route"):  # a route's own path, query and body parameters (no dependency)
                    plain = {p["name"] for p in fn.get("params", ()) if not p.get("dependency") and last_segment(p.get("marker")) not in ("Depends", "Security")}
                    reached.setdefault(f"{mod}.{name}", set()).update(plain)
        return {k: sorted(v) for k, v in _reach(project, reached).items()}

    key = (settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters, settings.identity_fields)
    return project.stored_memo(f"queries.client_reached:{key!r}", build, load=dict)


def _flow_summaries(project: "ProjectIndex") -> dict[str, tuple[Optional[str], dict]]:
    """``{function key: (class, flow summary)}`` of every project function and method."""
    summaries: dict[str, tuple[Optional[str], dict]] = {}
    for mod, _facts in project.iter_modules():
        flow = flow_facts(project, mod)
        for name, summary in flow.get("functions", {}).items():
            summaries[f"{mod}.{name}"] = (None, summary)
        for name, summary in flow.get("methods", {}).items():
            summaries[f"{mod}.{name}"] = (f"{mod}.{name.rsplit('.', 1)[0]}", summary)
    return summaries


def _reach(project: "ProjectIndex", seeds: dict[str, set[str]]) -> dict[str, set[str]]:
    """``seeds`` (``{function: parameters}``) and, to a fixpoint, the parameters of the project functions and
    methods those functions hand such a parameter on to, as it is or an attribute of it (the ``calls`` of the
    flow summaries)."""
    reached = {k: set(v) for k, v in seeds.items()}
    summaries = project.memo(("queries.flow_summaries",), lambda: _flow_summaries(project))
    todo = [k for k in reached if k in summaries]
    while todo:
        key = todo.pop()
        cls, summary = summaries[key]
        given = reached[key]
        for call in summary.get("calls") or ():
            handed = [(w, p) for w, p in [*(call.get("args") or ()), *(call.get("attr_args") or ())] if p in given]
            if not handed:
                continue
            sub = summary_of_call(project, cls, call.get("target") or "")
            if sub is None:
                continue
            sub_mod, sub_cls, sub_name, sub_summary = sub
            params = sub_summary.get("params", [])
            offset = 1 if (sub_cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
            target = f"{sub_mod}.{sub_name}"
            found = {n for w, _ in handed if (n := _callee_param(w, params, offset)) in params}
            if found - reached.get(target, set()):
                reached.setdefault(target, set()).update(found)
                if target in summaries:
                    todo.append(target)
    return reached


def client_keyed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: ``client_reached_parameters`` less every parameter an authenticated caller hands
    the principal's id or its own key (``principal_fed_parameters``' raw reading, followed through the functions
    it is handed on to the same way): on every way a route reaches it, the parameter holds a key the client sent
    (``UserRepository.get_or_404(organization_id, user_id)`` reached from ``GET /users/{user_id}`` through a
    service), whatever its name; an identity-named parameter some caller fills with who asks is not one, nor a tenant-named one
    (``workspace_id``: the tenant readings decide it)."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        seeds = {k: set(v) for k, v in raw_principal_fed(project, settings).items()}
        for mod, facts in project.iter_modules():
            for name, fn in orm_facts(facts).get("functions", {}).items():
                if fn.get("route"):  # a route's caller (an auth dependency), handed on or read from (``current_user.id``)
                    callers = {p["name"] for p in fn.get("params", ()) if param_dependency(project, settings, p).kind == "auth"}
                    if callers:
                        seeds.setdefault(f"{mod}.{name}", set()).update(callers)
        principal_reached = _reach(project, seeds)
        out: dict[str, list[str]] = {}
        for key, names in client_reached_parameters(project, settings).items():
            # (a tenant-named parameter stays with the tenant readings: a tenant key the client names is one the routes
            # check membership of, ``checked tenant keys``; compared with a row's tenant column it scopes that row)
            kept = sorted(n for n in set(names) - principal_reached.get(key, set()) if n not in TENANT_COLUMNS)
            if kept:
                out[key] = kept
        return out

    key = (settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters, settings.identity_fields)
    return project.stored_memo(f"queries.client_keyed:{key!r}", build, load=dict)
