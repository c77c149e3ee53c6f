"""What the project index believes, as plain data (``backend-lint facts``): import roots and module names,
unresolved project imports, auth and admin dependencies and why each counts, principal classes,
authorisation helpers, owned models with their scoping column and why, migration trees.

Answers "why did it not fire?" in one command. Returns facts only (JSON-able dicts and lists); the face
prints them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..auth import (
    _test_module_name,
    caller_decorator,
    caller_decorators,
    kwargs_access_checks,
    authentication_middleware,
    ADMIN_WORDS,
    AUTH_NAME,
    AUTHORIZATION_PARAMS,
    DependencyKind,
    alias_dependency,
    auth_library,
    authenticating_function,
    authenticating_route_class,
    refusing_authenticator,
    classify_dependency,
    is_security_scheme,
    library_dependency,
    no_claim_reason,
    param_dependency,
    principal_classes,
    privileged_arguments,
    role_alternatives,
    tenant_principal_field,
)
from ..facts import orm_facts
from ..flask import GLOBAL_PRINCIPALS, LIBRARY_AUTH_DECORATORS, VIEW_CLASSES, dispatch_authentication
from ..fastapi import config_routes, route_wrapper
from ..imports import last_segment
from ..models import identity_columns, is_owned, is_table_model, owner_like_columns, scoping_column
from ..queries import helper_checked_tables, loaded_then_decided, named_like_check, owning_parents, session_handle_name, verify_words_in
from ..scoping import inferred_scoping

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from . import ProjectIndex


def _rel(index: "ProjectIndex", path: str) -> str:
    try:
        return os.path.relpath(path, index.root)
    except ValueError:
        return path


def _roots(index: "ProjectIndex") -> list[dict[str, str]]:
    report = index.roots_report
    out = [{"path": ".", "why": "project root (packages by their `__init__.py` chain; a leading `src/` dropped)"}]
    if report is not None:
        units = sorted(report.units)
        for d in report.roots():
            rel = _rel(index, d)
            if d in report.src:
                out.append({"path": rel, "why": "`src` in the configuration"})
                continue
            spaces = set(report.namespaces)
            mine = [os.path.basename(u)[:-3] if u.endswith(".py") else os.path.basename(u) for u in units
                    if os.path.dirname(u) == d and u not in spaces]
            if mine:
                out.append({"path": rel, "why": f"the project's absolute imports of {', '.join(f'`{m}`' for m in mine[:6])}"
                            + (f" and {len(mine) - 6} more" if len(mine) > 6 else "") + " resolve from here"})
            named = [os.path.basename(u) for u in units if os.path.dirname(u) == d and u in spaces]
            if named:
                out.append({"path": rel, "why": f"relative imports climb out of the packages in {', '.join(f'`{m}`' for m in named)} "
                            "(a directory without `__init__.py`, a namespace package) and resolve from here"})
    services = index.services()
    for d, head in sorted(services.items()):
        others = sum(1 for h in services.values() if h == head) - 1
        prefix = ".".join(_rel(index, d).split(os.sep))
        out.append({"path": _rel(index, d), "why": f"a service root: its package `{head}` shares its name with {others} other service "
                    f"root{'s' if others != 1 else ''}; its modules are named `{prefix}.{head}...` and its absolute imports of "
                    f"`{head}` resolve within it"})
    return out


def _module_names(index: "ProjectIndex") -> dict[str, str]:
    return {_rel(index, p): index.by_path[p] for p in sorted(index.by_path)}


def _why_dependency(index: "ProjectIndex", settings: "Settings", q: str, kind: DependencyKind, factory: bool = False, args: tuple[str, ...] = ()) -> str:
    """A short reason, in the order ``classify_dependency`` decides (``factory``: called in the marker,
    ``Depends(is_user_in(GroupType.admin))``, with ``args`` its arguments)."""
    name = last_segment(q)
    reasons: list[str] = []
    if any(q == e or q.endswith("." + e) or name == e for e in settings.auth_dependencies):
        reasons.append("named in `auth-dependencies` (or a default name)")
    if kind.kind == "admin":
        if any(q == e or q.endswith("." + e) or name == e for e in settings.admin_dependencies):
            reasons.append("named in `admin-dependencies`")
        elif any(w in name.lower() for w in ADMIN_WORDS):
            reasons.append("its name says admin/superuser")
        elif args:
            reasons.append(f"given a privileged role or permission (`{', '.join(args)}`)")
    if AUTH_NAME.search(name.lower()):
        reasons.append("its name says it yields the current user")
    found = index.resolve_symbol(q)
    if found is not None:
        mod, attr, what = found
        orm = orm_facts(index.modules[mod])
        if what == "functions":
            fn = orm.get("functions", {}).get(attr) or {}
            if factory and fn.get("makes"):
                fn = fn["makes"]
                reasons.append(f"a dependency factory: FastAPI runs the function it returns, `{fn.get('name')}`")
                if AUTH_NAME.search(str(fn.get("name", "")).lower()):
                    reasons.append("whose name says it yields the current user")
            if fn.get("auth"):
                reasons.append("; ".join(fn["auth"]))
            for p in fn.get("params", ()):
                dep = p.get("dependency")
                if dep and (is_security_scheme(dep) or classify_dependency(index, settings, dep, None, p.get("kwargs"), 0, bool(p.get("called")), p.get("args")).kind is not None):
                    reasons.append(f"depends on `{dep}{'(...)' if p.get('called') else ''}`")
                    break
                if dep is None and p.get("marker") and auth_library(index, p.get("type")):
                    reasons.append(f"depends on `{p['type']}` (an authentication library's class)")
                    break
            if not reasons and fn.get("raises"):
                through = refusing_authenticator(index, fn)
                if through is not None:
                    reasons.append(through)
            lookup = fn.get("credential_lookup")
            if lookup and not reasons:
                reasons.append(f"looks up the `{lookup.get('header')}` header's credential and refuses (raises) when nothing answers")
            if fn.get("returns") and not reasons:
                reasons.append(f"returns the user model `{fn['returns']}`")
        elif what == "classes":
            bases = index.modules[mod].get("classes", {}).get(attr, {}).get("bases", ())
            if any(is_security_scheme(b) for b in bases):
                reasons.append("a subclass of a FastAPI security scheme")
            elif orm.get("callables", {}).get(attr, {}).get("auth"):
                reasons.append("its `__call__` decodes a token")
        elif what == "assignments":
            call = orm.get("calls", {}).get(attr) or {}
            if last_segment(call.get("func")) == "current_user":
                reasons.append("fastapi-users' `current_user(...)`")
            elif is_security_scheme(call.get("func")):
                reasons.append(f"a security scheme (`{call.get('func')}`)")
            elif auth_library(index, call.get("func")):
                reasons.append(f"an object of the authentication library `{call['func'].split('.', 1)[0]}`")
    elif is_security_scheme(q):
        reasons.append("a FastAPI security scheme")
    elif auth_library(index, q):
        reasons.append(f"from the authentication library `{q.split('.', 1)[0]}`")
    else:
        owner = q.rpartition(".")[0]
        if "." in q and library_dependency(index, q):
            reasons.append(f"a method of `{last_segment(owner)}`, an object an authentication library makes")
    return "; ".join(reasons) or "inferred from its dependencies"


def _tenant_logins(index: "ProjectIndex", settings: "Settings", used: Iterable[str]) -> list[dict[str, Any]]:
    """Dependencies named like an admin gate that are not one: what they return carries the caller's tenant
    (``knowledge.auth.tenant_admins``), so their routes still owe the tenant's scope."""
    out: list[dict[str, Any]] = []
    for q in sorted(used):
        lowered = last_segment(q).lower()
        found = index.project_function(q)
        if found is None or not any(w in lowered for w in ADMIN_WORDS):
            continue
        fn = orm_facts(index.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        field = tenant_principal_field(index, lowered, fn)
        kind = classify_dependency(index, settings, q) if field else None
        if kind is not None and kind.kind != "admin":
            out.append({"name": found[1], "module": found[0], "principal": fn.get("returns"), "auth": kind.kind == "auth",
                        "why": f"its name says admin, but what it returns carries the caller's tenant (`{field}`): the tenant's "
                               "login, no admin gate" + ("" if kind.kind == "auth" else " (it never refuses: no auth dependency either)")})
    return out


def _dependencies(index: "ProjectIndex", settings: "Settings") -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The auth and admin dependencies among what the project's functions and aliases depend on, and those named
    like admin gates that are a tenant's login (``_tenant_logins``)."""
    used: dict[str, str] = {}  # dependency -> a module that uses it
    aliases: list[tuple[str, str]] = []
    factories: dict[str, set[tuple[str, ...]]] = {}  # dependency factory -> the privileged arguments it is given
    for mod, facts in index.iter_modules():
        orm = orm_facts(facts)
        fns = list(orm.get("functions", {}).values()) + list(orm.get("callables", {}).values())
        fns += [fn["makes"] for fn in orm.get("functions", {}).values() if fn.get("makes")]
        for fn in fns:
            for p in fn.get("params", ()):
                dep = p.get("dependency")
                if isinstance(dep, str) and dep and p.get("called"):
                    args = (*p.get("args", ()), *(p.get("kwargs") or {}).values())
                    if len(p.get("args", ())) > 1 and role_alternatives(index, dep):
                        # several roles of a ``*roles`` factory: alternatives; keyword values each on its own
                        privileged = privileged_arguments(p.get("args"), p.get("kwargs"), alternatives=True)
                    else:
                        privileged = privileged_arguments(args, None)
                    factories.setdefault(index.canonical(dep), set()).add(args if privileged else ())
                    continue
                if isinstance(dep, str) and dep:
                    used.setdefault(index.canonical(dep), mod)
                elif dep is None and p.get("marker") and auth_library(index, p.get("type")):
                    used.setdefault(p["type"], mod)  # ``Authorize: AuthJWT = Depends()``: the class is the dependency
        for name, entry in orm.get("aliases", {}).items():
            dep = entry.get("dependency")
            if isinstance(dep, str) and dep:
                aliases.append((mod, name))
                used.setdefault(index.canonical(dep), mod)
    auth: list[dict[str, Any]] = []
    admin: list[dict[str, Any]] = []
    for q in sorted(used):
        kind = classify_dependency(index, settings, q)
        if kind.kind is None:
            continue
        found = index.resolve_symbol(q)
        row = {
            "name": last_segment(q), "module": found[0] if found else q.rpartition(".")[0],
            "principal": kind.principal_type, "credentials_only": kind.credentials,
            "why": _why_dependency(index, settings, q, kind),
        }
        (admin if kind.kind == "admin" else auth).append(row)
    for q in sorted(factories):
        found = index.resolve_symbol(q)  # (a class's module is reported below: the kind is needed)
        if found is None or found[2] != "functions" or not orm_facts(index.modules[found[0]]).get("functions", {}).get(found[1], {}).get("makes"):
            if q not in used:
                used[q] = ""
                kind = classify_dependency(index, settings, q)  # (a class or an annotated factory: as before)
                if kind.kind is not None:
                    row = {
                        "name": last_segment(q), "module": found[0] if found else q.rpartition(".")[0],
                        "principal": kind.principal_type, "credentials_only": kind.credentials,
                        "why": _why_dependency(index, settings, q, kind),
                    }
                    (admin if kind.kind == "admin" else auth).append(row)
            continue
        for args in sorted(factories[q]):
            kind = classify_dependency(index, settings, q, None, None, 0, True, list(args))
            if kind.kind is None:
                break  # (not an auth factory: no argument makes it one)
            row = {
                "name": f"{last_segment(q)}({', '.join(args) if args else '...'})", "module": found[0],
                "principal": kind.principal_type, "credentials_only": kind.credentials,
                "why": _why_dependency(index, settings, q, kind, True, args if kind.kind == "admin" else ()),
            }
            (admin if kind.kind == "admin" else auth).append(row)
    for mod, name in aliases:
        kind = alias_dependency(index, settings, f"{mod}.{name}")
        if kind.kind is None:
            continue
        entry = orm_facts(index.modules[mod])["aliases"][name]
        dep, marker = entry.get("dependency"), last_segment(entry.get("marker")) or "Depends"
        spelled = f"`{marker}({last_segment(dep)})`"
        row = {
            "name": name, "module": mod, "principal": kind.principal_type, "credentials_only": kind.credentials,
            "why": f"`Annotated` alias of {spelled}" if entry.get("type") else f"the marker {spelled} held in a module-level name",
        }
        (admin if kind.kind == "admin" else auth).append(row)
    return auth, admin, _tenant_logins(index, settings, used)


def _authorization_helpers(index: "ProjectIndex", settings: "Settings") -> list[dict[str, str]]:
    """Project functions that decide access to a row after it is loaded: configured, or named like a check
    (``check_permission``, ``ensure_access``) and raising or returning a verdict."""
    out: list[dict[str, str]] = []
    configured = settings.authorization_helpers
    identity_names = set(settings.principal_parameters) | set(settings.identity_fields)
    principals = principal_classes(index, settings)
    for mod, facts in index.iter_modules():
        orm = orm_facts(facts)
        for name, fn in orm.get("functions", {}).items():
            q = f"{mod}.{name}"
            if any(c == name or q == c or q.endswith("." + c) for c in configured):
                out.append({"name": name, "module": mod, "why": "named in `authorization-helpers`"})
                continue
            if _test_module_name(mod):
                continue  # ``test_scheduler_on_non_label_check(user)``: a test asserts, it guards no request
            words = verify_words_in(name)
            params = [p for p in fn.get("params", ()) if p.get("name") not in ("self", "cls")]
            if not words and len(params) >= 2 and not any(p.get("dependency") for p in params):
                verdict = _verdict_on_caller(index, facts, name, fn, params, identity_names, principals)
                if verdict is not None:
                    out.append({"name": name, "module": mod, "why": verdict})
                continue
            if not words or len(params) < 2 or any(p.get("dependency") for p in params):
                continue  # a dependency (``Depends``) is not a helper called after a load
            who = [p.get("name") for p in params if p.get("name") in identity_names
                   or (p.get("type") and index.canonical(p["type"]) in principals)]
            if not who or not (fn.get("raises") or last_segment(fn.get("returns")) in ("", "bool", "None")):
                continue  # given neither the principal nor an identity value, or returns no verdict
            flow = facts.get("extra", {}).get("flow", {})
            if name not in flow.get("deciders", ()):
                continue  # raises or returns nothing decided on what it is given (a token signer, a loader)
            on = flow.get("decided_on", {}).get(name)
            if on is not None:
                who = [w for w in who if w in on]
                if not who:
                    continue  # decides on what it loads, never on who asks (an ML check run given the org id)
            if named_like_check(name):
                why = f"its name says `{words[0]}`, it takes `{who[0]}`"
                why += " and it raises" if fn.get("raises") else ""
            elif fn.get("raises"):
                # ``add_workspace_member(db, workspace_id, user_id)``: a writer, whose name says no check, that
                # refuses a caller on what it is given (as ``queries`` reads a raising helper that decides)
                why = f"it takes `{who[0]}` and raises on what it is given (its name says it writes)"
            else:
                continue  # a writer named `*_member` that returns what it wrote decides nothing
            out.append({"name": name, "module": mod, "why": why})
        deciders = facts.get("extra", {}).get("flow", {}).get("method_deciders", {})
        for name, entry in orm.get("methods", {}).items():
            # a table model's method that compares what it is given with the row's owner or members
            # (``org.is_member(user_id)``): called with the principal on a fetched row, it decides access
            checked = entry.get("authorises")
            if checked and is_table_model(index, f"{mod}.{name.split('.', 1)[0]}"):
                params = ", ".join(f"`{c}`" for c in checked)
                why = f"a method of the model that compares {params} with the row's owner or members"
                out.append({"name": name, "module": mod, "why": why})
                continue
            decider = deciders.get(name)
            if decider is None or _test_module_name(mod):
                continue
            # a service's method given the subject and what it acts on that decides on both
            # (``PermissionService.enforce(subject, action, resource)``; ``queries._deciding_method``)
            types = entry.get("arg_types") or {}
            who = [a for a in decider["on"] if a in identity_names or (types.get(a) and index.canonical(types[a]) in principals)]
            if who:
                verdict = "raises when it denies" if decider["how"] == "raise" else "returns a verdict"
                out.append({"name": name, "module": mod, "why": f"a method that decides on `{who[0]}` and what it is handed; it {verdict}"})
    return sorted(out, key=lambda r: (r["module"], r["name"]))


_SESSION_TYPES = frozenset({"Session", "AsyncSession", "Connection", "AsyncConnection"})


def _verdict_on_caller(
    index: "ProjectIndex", facts: dict, name: str, fn: dict, params: list, identity_names: set, principals: Any
) -> Optional[str]:
    """``is_project_lead(db, user_id, project_id) -> bool``, whose name says no check: a function annotated to
    return a bool that decides (flow ``deciders``) on the principal or an identity value and on another value it
    is handed. Where a caller refuses on its verdict, ``queries`` reads it as an authorisation helper (as one
    named like a check); the facts say so by what it does."""
    if last_segment(fn.get("returns")) != "bool":
        return None
    flow = facts.get("extra", {}).get("flow", {})
    if name not in flow.get("deciders", ()):
        return None
    on = set(flow.get("decided_on", {}).get(name, ()))
    who = [p.get("name") for p in params if p.get("name") in on and (p.get("name") in identity_names
           or (p.get("type") and index.canonical(p["type"]) in principals))]
    others = [
        p.get("name") for p in params
        if p.get("name") in on and p.get("name") not in who and not session_handle_name(p.get("name") or "")
        and last_segment(p.get("type")) not in _SESSION_TYPES
    ]
    if not who or not others:
        return None
    return f"it returns a verdict on `{who[0]}` and `{others[0]}` (whatever its name; a check where the caller refuses on it)"


def _credential_like(p: dict[str, Any]) -> bool:
    """A parameter that can carry the request's credential: the ``Authorization`` header, a token, a cookie, the
    request itself or a security scheme's credentials."""
    name = str(p.get("name", "")).lower()
    if name in AUTHORIZATION_PARAMS or name in ("request", "credentials", "creds", "cookie", "cookies"):
        return True
    if any(w in name for w in ("token", "jwt", "session")):
        return True
    return last_segment(p.get("type")) in ("Request", "HTTPConnection", "WebSocket", "HTTPAuthorizationCredentials")


def _caller_decoders(index: "ProjectIndex") -> list[dict[str, str]]:
    """Project functions that authenticate a credential they are handed (decode a token, verify it, or call one
    that does): a handler that calls one with its ``Authorization`` header, a cookie or the request has the
    caller in what it returns (``user_id, tenant_id = get_current_user_id(authorization)``)."""
    out: list[dict[str, str]] = []
    for mod, facts in index.iter_modules():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            if fn.get("route") or not fn.get("params"):
                continue
            if any(last_segment(p.get("marker")) in ("Depends", "Security") for p in fn["params"]):
                continue  # a dependency: listed with the auth dependencies
            if not any(_credential_like(p) for p in fn["params"]):
                continue  # handed no credential (a job, a tool that authenticates on its own)
            why = authenticating_function(index, f"{mod}.{name}")
            if why is not None:
                out.append({"name": name, "module": mod, "why": why})
    return sorted(out, key=lambda r: (r["module"], r["name"]))


def _owned_models(index: "ProjectIndex", settings: "Settings") -> list[dict[str, Any]]:
    out = []
    for q, _ in index.iter_classes():
        if not is_table_model(index, q) or not is_owned(index, settings, q):
            continue
        mod, _, name = q.rpartition(".")
        columns = list(identity_columns(index, settings, q))
        forced = any(q == n or q.endswith("." + n) or name == n for n in settings.owned_models)
        if forced and not columns:
            why = "named in `owned-models`"
        else:
            used = inferred_scoping(index, settings).get(q, {})
            named = [c for c in columns if c not in used]
            parts = [f"a table with the identity column{'s' if len(named) > 1 else ''} {', '.join(f'`{c}`' for c in named)}"] if named else []
            parts += [f"`{c}` the project compares with the caller ({used[c]})" for c in columns if c in used]
            why = "; ".join(parts)
        out.append({"name": name, "module": mod, "scoping_column": scoping_column(index, settings, q),
                    "identity_columns": columns, "why": why})
    out.sort(key=lambda r: (r["module"], r["name"]))
    return out + _checked_models(index, settings)


def _checked_models(index: "ProjectIndex", settings: "Settings") -> list[dict[str, Any]]:
    """Tables with no identity column owned through the project's own access decisions (``queries.
    helper_checked_tables``): a load of one by a client key is reported only at such a decision made after it
    (BKL202), never as BKL201. Listed after the owned models, ``checked_only``."""
    decided = loaded_then_decided(index, settings)
    out = []
    for q in sorted(helper_checked_tables(index, settings)):
        if is_owned(index, settings, q):
            continue
        mod, _, name = q.rpartition(".")
        if q in decided:
            fn, decision = decided[q]
            why = (f"rows held by `{fn.rsplit('.', 1)[-1]}` ({fn.rpartition('.')[0]}) while it calls the access decision "
                   f"`{decision}()`: owned through what that decision is handed with the caller (the row, or its column)")
        else:
            why = "a parameter of a check helper is annotated with it: owned through that helper's decision"
        out.append({"name": name, "module": mod, "scoping_column": None, "identity_columns": [], "checked_only": True,
                    "why": why + "; BKL202 at such a check only, never BKL201"})
    for q, (parent, column) in sorted(owning_parents(index, settings).items()):  # (none of them listed above)
        mod, _, name = q.rpartition(".")
        why = (f"owned through `{parent.rsplit('.', 1)[-1]}` by `{column}` (no identity column of its own); BKL201 where a route "
               f"loads one by a client key and checks neither it nor its `{parent.rsplit('.', 1)[-1]}`")
        out.append({"name": name, "module": mod, "scoping_column": None, "identity_columns": [], "checked_only": True,
                    "through_parent": True, "why": why})
    return out


def _migration_trees(index: "ProjectIndex") -> list[dict[str, Any]]:
    """Alembic revision directories: revisions, heads and bases."""
    by_dir: dict[str, list[dict[str, Any]]] = {}
    for mod, facts in index.iter_modules():
        rev = facts.get("extra", {}).get("alembic")
        if isinstance(rev, dict) and facts.get("path"):
            by_dir.setdefault(os.path.dirname(facts["path"]), []).append(rev)
    out = []
    for d, revs in sorted(by_dir.items()):
        ids = {r.get("revision") for r in revs if r.get("revision")}
        downs = {x for r in revs for x in (r.get("down_revision") or ())}
        out.append({
            "directory": _rel(index, d), "revisions": len(revs),
            "heads": sorted(i for i in ids if i not in downs), "bases": sorted(r.get("revision") or "?" for r in revs if not r.get("down_revision")),
        })
    return out


def _family2_silent(data: dict[str, Any], index: "ProjectIndex", settings: "Settings") -> list[str]:
    """Why family 2 (BKL2xx) can make no claim on this project, when it cannot: no owned model, or no
    principal anywhere (auth dependencies that yield credentials only)."""
    out: list[str] = []
    if not [m for m in data["owned_models"] if not m.get("checked_only")]:
        fields = ", ".join(f"`{f}`" for f in settings.identity_fields[:6])
        why = f"no table model has an identity column ({fields}, ...): no model is owned"
        unmapped = [q for q, facts in index.iter_classes() if "__tablename__" in facts.get("fields", {}) and not is_table_model(index, q)]
        if unmapped:
            why += (f"; {len(unmapped)} classes declare `__tablename__` on a base not recognised as declarative (a base "
                    "chosen at run time, `_base = load(...) if ... else Base`) and no `Column(...)` of their own: they "
                    "are not read as tables")
        candidates = owner_like_columns(index, settings)
        if candidates:
            shown = ", ".join(f"`{c}` ({n} models)" for c, n in list(candidates.items())[:4])
            why += (f"; columns named like an owner: {shown}; if the project scopes rows by one of them, name it in "
                    "`extend-identity-fields` (and the principal's attribute in `identity-attributes`)")
        out.append(why)
    auth = data["auth_dependencies"]
    credentials_only = bool(auth) and all(d.get("credentials_only") for d in auth) and not data["principal_classes"]
    if data["owned_models"] and auth and not credentials_only:
        routes, authenticated, client_identity = _route_principals(index, settings)
        if routes and authenticated * 4 < routes:
            why = (f"only {authenticated} of the {routes} route handlers (module-level functions) take a parameter that "
                   "depends on an auth dependency: the others have no principal and make no claim (a router's "
                   "`dependencies=[...]` authenticates but names no caller; `request.state.user` "
                   "read in a handler count)")
            if client_identity:
                shown = ", ".join(f"`{n}` ({c} routes)" for n, c in sorted(client_identity.items(), key=lambda kv: -kv[1])[:3])
                why += (f"; identity-named parameters the others take from the client: {shown} (no rule trusts them "
                        "as the caller; BKL102 reports them only on a route that also authenticates)")
            out.append(why)
    if (
        not auth
        and not data.get("caller_decorators")
        and not data.get("caller_decoders")
        and not data.get("flask_callers")
        and not any(r.get("authenticates") for r in data.get("configured_routes") or ())
    ):
        # (views handed the caller by a decorator, routes that decode it in their body, and routes under an
        # authenticating route class have one)
        out.append("no auth dependency is recognised: no route has a principal (name one in `auth-dependencies`)")
    elif credentials_only:
        out.append(
            "every auth dependency yields credentials only (a security scheme's token, no user): no route has a "
            "principal, so only functions taking an identity-named parameter make claims (name the dependency that "
            "returns the caller in `auth-dependencies`)"
        )
    return out


ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "api_route", "websocket"})


def _route_principals(index: "ProjectIndex", settings: "Settings") -> tuple[int, int, dict[str, int]]:
    """Module-level route handlers (``@<router>.get(...)``), those with an auth-dependency parameter, and the
    identity-named parameters the others take from the client (path, query, body): a cheap census for
    ``family2_silent``, not the rules' own reading."""
    fields = set(settings.identity_fields)
    routes = authenticated = 0
    client: dict[str, int] = {}
    for _, facts in index.iter_modules():
        described = orm_facts(facts).get("functions", {})
        for name, fn in facts.get("functions", {}).items():
            decorators = fn.get("decorators") or ()
            wrapper = described.get(name, {}).get("route_wrapper")
            if wrapper and route_wrapper(index, wrapper) is not None:
                routes += 1
                markers = (route_wrapper(index, wrapper) or {}).get("dependencies", ())
                if authentication_middleware(index) and any(param_dependency(index, settings, m).kind is not None for m in markers):
                    authenticated += 1  # ``request.user`` behind the middleware (``route_wrappers``)
                    continue
            elif not any("." in (d or "") and last_segment(d) in ROUTE_DECORATORS for d in decorators):
                continue
            else:
                routes += 1
            params = described.get(name, {}).get("params", ())
            if any(param_dependency(index, settings, p).kind is not None for p in params):
                authenticated += 1
                continue
            if any(authenticating_function(index, t) for t in described.get(name, {}).get("calls_out", ())):
                authenticated += 1  # decodes the caller in its body (``get_current_user_id(authorization)``)
                continue
            for p in params:
                if p.get("name") in fields and not p.get("dependency"):
                    client[p["name"]] = client.get(p["name"], 0) + 1
    return routes, authenticated, client


def _no_claim_functions(index: "ProjectIndex", settings: "Settings") -> list[dict[str, str]]:
    """Functions and methods that take an identity (a parameter named in ``identity-fields`` or
    ``principal-parameters``) and make no claim, with why (``knowledge.auth.no_claim_reason``): "why is this
    helper silent?"."""
    names = set(settings.identity_fields) | set(settings.principal_parameters)
    out: list[dict[str, str]] = []
    for mod, facts in index.iter_modules():
        orm = orm_facts(facts)
        for kind in ("functions", "methods"):
            for name, fn in orm.get(kind, {}).items():
                if fn.get("route"):
                    continue
                params = fn.get("args") or [p.get("name") for p in fn.get("params", ())]
                if names.isdisjoint(params):
                    continue
                why = no_claim_reason(index, settings, f"{mod}.{name}")
                if why is not None:
                    out.append({"name": name, "module": mod, "why": why})
    return out


def _route_wrappers(index: "ProjectIndex", settings: "Settings") -> list[dict[str, Any]]:
    """Project decorator factories handed a router's method (``@protected_route(router.get, "/x", [...])``): how
    many handlers each registers, what its ``dependencies=[...]`` are, and whether ``request.user`` is the caller
    of those handlers (``knowledge.auth.request_user_principals``). A wrapper that never registers what it is
    handed is listed as no route."""
    counts: dict[str, int] = {}
    for _, facts in index.iter_modules():
        orm = orm_facts(facts)
        for kind in ("functions", "methods"):
            for fn in orm.get(kind, {}).values():
                wrapper = fn.get("route_wrapper")
                if wrapper:
                    counts[wrapper] = counts.get(wrapper, 0) + 1
    middleware = [mod for mod, facts in index.iter_modules() if orm_facts(facts).get("auth_middleware") and not _test_module_name(mod)]
    out: list[dict[str, Any]] = []
    for wrapper, n in sorted(counts.items()):
        registers = route_wrapper(index, wrapper)
        found = index.resolve_symbol(wrapper)
        module, name = (found[0], found[1]) if found else wrapper.rpartition(".")[::2]
        if registers is None:
            out.append({"module": module, "name": name, "handlers": n, "registers": False,
                        "why": "handed a router's method but never registers with it: its functions are no routes"})
            continue
        deps = []
        authenticates = False
        for marker in registers.get("dependencies", ()):
            kind = param_dependency(index, settings, marker)
            authenticates = authenticates or kind.kind is not None
            deps.append(f"`{last_segment(marker.get('marker'))}({marker.get('dependency')})`: {kind.kind or 'not auth'}")
        why = "registers the route with the router method it is handed (`method(path, ...)(fn)`)"
        if deps:
            why += "; dependencies " + ", ".join(deps)
        if authenticates and middleware:
            principal = (f"`request.user` read in its handlers is the caller: the app installs Starlette's "
                         f"`AuthenticationMiddleware` ({', '.join(middleware[:3])}) and the wrapper's dependencies authenticate")
        elif authenticates:
            principal = "authenticated, but no `AuthenticationMiddleware` is installed: `request.user` is not read as the caller"
        else:
            principal = "its dependencies do not authenticate: its handlers have no principal from it"
        out.append({"module": module, "name": name, "handlers": n, "registers": True, "why": why, "principal": principal})
    return out


def _configured_routes(index: "ProjectIndex") -> list[dict[str, Any]]:
    """Routes registered from configuration lists by a project helper (``knowledge.fastapi.config_routes``),
    per registering module and route class: how many endpoints, and whether the route class authenticates
    them (``knowledge.auth.authenticating_route_class``: the caller then lives on ``request.state``)."""
    groups: dict[tuple[str, str], int] = {}
    for entries in config_routes(index).values():
        for e in entries:
            key = (e.get("module") or "?", e.get("route_class") or "")
            groups[key] = groups.get(key, 0) + 1
    out: list[dict[str, Any]] = []
    for (module, route_class), n in sorted(groups.items()):
        found = authenticating_route_class(index, route_class) if route_class else None
        if found is not None:
            why = (f"route class `{route_class}` authenticates every request and puts the caller on "
                   + ", ".join(f"`request.state.{a}`" for a in found["state"]))
            if found["exempt"]:
                why += " (endpoints marked " + ", ".join(f"`{a}`" for a in found["exempt"]) + " skip it)"
        elif route_class:
            why = f"route class `{route_class}` authenticates no one (no credential read and refused)"
        else:
            why = "no route class: authenticated only by what the endpoints themselves read"
        out.append({"module": module, "route_class": route_class or None, "endpoints": n, "authenticates": found is not None, "why": why})
    return out


def project_facts(index: "ProjectIndex", settings: "Settings") -> dict[str, Any]:
    """Everything above, one JSON-able object."""
    index.load_facts()
    report = index.roots_report
    auth, admin, tenant_logins = _dependencies(index, settings)
    unresolved: list[dict[str, Any]] = [{"path": _rel(index, p), "module": m} for p, m in (report.unresolved if report is not None else [])]
    unresolved += [{"path": _rel(index, p), "module": m, "relative": True, "resolves_to": t}
                   for p, m, t in (report.unresolved_relative if report is not None else [])]
    out: dict[str, Any] = {
        "root": index.root,
        "roots": _roots(index),
        "modules": _module_names(index),
        "renamed_modules": dict(sorted(index.aliases.items())),
        "own_imports": report.own_imports if report is not None else 0,
        "relative_imports": report.relative if report is not None else 0,
        "unresolved_imports": unresolved,
        "unparsed_modules": sorted(_rel(index, p) for p, m in index.by_path.items() if not index.modules.get(m, {"parsed": True}).get("parsed")),
        "newer_syntax_modules": [_rel(index, p) for p in index.newer_syntax_paths()],
        "auth_dependencies": auth,
        "admin_dependencies": admin,
        "tenant_logins": tenant_logins,
        "principal_classes": sorted(principal_classes(index, settings)),
        "authorization_helpers": _authorization_helpers(index, settings),
        "caller_decoders": _caller_decoders(index),
        "owned_models": _owned_models(index, settings),
        "migration_trees": _migration_trees(index),
        "no_claim_functions": _no_claim_functions(index, settings),
        "route_wrappers": _route_wrappers(index, settings),
        "caller_decorators": [
            {"name": q, "why": (caller_decorator(index, q) or {}).get("why", ""), "gates": sorted((caller_decorator(index, q) or {}).get("gates") or ())}
            for q in caller_decorators(index)
        ],
        "configured_routes": _configured_routes(index),
        "kwargs_decorators": _kwargs_decorators(index),
        "flask_callers": _flask_callers(index),
        "flask_dispatch": _flask_dispatch(index),
        "caller_getters": _caller_getters(index),
        "unincluded_routers": _unincluded_routers(index),
    }
    out["family2_silent"] = _family2_silent(out, index, settings)
    return out



def _unincluded_routers(index: "ProjectIndex") -> list[str]:
    """FastAPI routers nothing includes (``knowledge.fastapi_routers``): their routes make no claim."""
    from ..fastapi_routers import unincluded_routers

    return sorted(unincluded_routers(index))


def _flask_callers(index: "ProjectIndex") -> list[dict[str, Any]]:
    """The Flask authentication decorators and caller globals of a library (Flask-Login's ``login_required`` /
    ``current_user``, flask-jwt-extended's, Flask-Security's) the project's modules import: a view they
    authenticate has a principal (``knowledge.flask.flask_caller``), although no FastAPI auth dependency is
    there. ``{"name": the library's name, "modules": how many modules import it}``."""
    wanted = LIBRARY_AUTH_DECORATORS | GLOBAL_PRINCIPALS
    counts: dict[str, int] = {}
    for _mod, facts in index.iter_modules():
        for q in set((facts.get("imports") or {}).values()) & wanted:
            counts[q] = counts.get(q, 0) + 1
    return [{"name": q, "modules": n} for q, n in sorted(counts.items())]


def _flask_dispatch(index: "ProjectIndex") -> list[dict[str, Any]]:
    """Project view classes whose ``dispatch_request`` authenticates every request (``knowledge.flask.
    dispatch_authentication``), with how many of the project's view classes derive from them: ``{"name",
    "why", "views"}``."""
    out: list[dict[str, Any]] = []
    views = [q for q, _facts in index.iter_classes() if any(n in VIEW_CLASSES for n, _f in index.class_mro(q))]
    for mod, facts in index.iter_modules():
        for key, entry in orm_facts(facts).get("methods", {}).items():
            if not key.endswith(".dispatch_request") or not (entry.get("dispatch") or {}).get("auth"):
                continue
            q = f"{mod}.{key.rsplit('.', 1)[0]}"
            if q not in views:
                continue
            count = sum(1 for v in views if v != q and any(n == q for n, _f in index.class_mro(v)) and dispatch_authentication(index, v))
            out.append({"name": q, "why": entry["dispatch"]["auth"], "views": count})
    return sorted(out, key=lambda r: r["name"])


def _caller_getters(index: "ProjectIndex") -> list[dict[str, Any]]:
    """Project functions and methods whose every returned value is the request's authenticated caller (index fact
    ``caller_return``: ``return int(get_jwt_identity())``, ``return current_user``): a Flask view's local bound to
    their call holds the caller (``knowledge.flask.caller_getter``). ``{"name", "kind"}``."""
    out: list[dict[str, Any]] = []
    for mod, facts in index.iter_modules():
        orm = orm_facts(facts)
        for group in ("functions", "methods"):
            for name, entry in orm.get(group, {}).items():
                kind = (entry or {}).get("caller_return")
                if kind:
                    out.append({"name": f"{mod}.{name}", "kind": kind})
    return sorted(out, key=lambda r: r["name"])


def _kwargs_decorators(index: "ProjectIndex") -> list[dict[str, Any]]:
    """Decorators that verify keys of the view's keyword arguments against another of them
    (``knowledge.auth.kwargs_access_checks``): ``{"name", "keys": {key: [the keys handed with it]}}``."""
    out: list[dict[str, Any]] = []
    for mod, facts in index.iter_modules():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            if fn.get("checks_kwargs"):
                found = kwargs_access_checks(index, f"{mod}.{name}")
                if found:
                    out.append({"name": f"{mod}.{name}", "keys": {k: sorted(v) for k, v in sorted(found.items())}})
    return out
