"""What BKL201 and BKL202 share: ``isolation_findings(ctx, func, identity)``, the unscoped fetches and the checks
after them in one function, with the gates, public reads and helpers that answer for them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..auth import decorator_verified_keys, Identity, route_path_guards, route_refused_keys
from ..models import globally_scoped, is_owned
from ..cst import load_names, walk
from ..imports import dotted_name
from .values import Val
from .analyzer import function_queries
from .summaries import _client_keyed
from .checks import (
    _access_gate,
    _caller_unread,
    _child_of_checked_parent,
    _existence_only,
    _guarded_node,
    _guarded_site,
    _tied_site,
    _helper_decided_row,
    _key_for_caller_query,
    _key_only_scoped,
    _parent_only_scoped,
    _keyed_by_caller,
    _merged_into_guarded,
    _parent_sites,
    _roster_read,
    staff_list,
    _secret_gated,
    _only_tested,
    _refused_by_its_tests,
    _principal_table,
)
from .permission_gates import gated_unheld_model, global_permission_gate
from .public import _public_read, refused_unless_public
from .forgotten import forgotten_check_model
from .attach import _public_parent_of_own_child
from .aggregates import aggregate_only, children_counted
from .helper_keys import helper_key_scoped
from .created import keyed_by_created_row
from .flag_reset import flag_reset
from .keys_only import keys_only
from .own_key import key_grant_refused, own_key_refused
from .person_link import person_linked
from .unwritten import _public_row_unwritten

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from .values import Comparison, FunctionQueries, Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def owned_site_model(ctx: "FileContext", site: Site) -> Optional[str]:
    """The first entity of the site that is owned and not scoped globally."""
    for model in site.entities:
        if is_owned(ctx.project, ctx.settings, model) and not globally_scoped(ctx.project, model):
            return model
    return None


# --- findings shared by BKL201 and BKL202 ------------------------------------------------------------------

@dataclass
class IsolationFindings:
    unscoped: list[tuple[Site, str]] = field(default_factory=list)  # (site, owned model)
    checked_after: list[tuple[cst.CSTNode, str]] = field(default_factory=list)  # (comparison, owned model)
    untied: list[tuple[cst.CSTNode, str, str, tuple[str, ...]]] = field(default_factory=list)  # FunctionQueries.untied
    untied_children: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    helper_checks: dict[int, Comparison] = field(default_factory=dict)  # id(call) -> an authorisation helper's check
    # id(comparison) -> the row's column compared with the principal when it is none of the identity fields
    compared_columns: dict[int, str] = field(default_factory=dict)
    # id(comparison) -> (local, model) of the client-keyed row the checked row was looked up from (``Val.origin``):
    # the check decides access to that row, which the message names
    origins: dict[int, tuple[str, str]] = field(default_factory=dict)
    identity: Optional[Identity] = None
    queries: Optional[FunctionQueries] = None


def isolation_findings(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> IsolationFindings:
    """BKL201 sites and BKL202 comparisons of one function, decided together (one finding per fetch)."""
    return ctx.cached(("queries.isolation", id(func)), lambda: _isolation(ctx, func, identity))


def _isolation(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> IsolationFindings:
    out = IsolationFindings(identity=identity)
    if not identity.in_scope and not identity.router_auth:
        return out
    fq = function_queries(ctx, func, identity)
    out.queries = fq
    project, settings = ctx.project, ctx.settings
    seen: set = set()
    # a row looked up by an attribute of another fetched row (``tenant = ...where(Tenant.id == role.tenant_id)``):
    # comparing its owner with the principal decides access to that other row (``tenant.owner_id != owner_id``)
    named_sites: dict[str, Site] = {}
    for site in fq.sites:
        for name in site.row_names:
            named_sites.setdefault(name, site)
    checks: list[Comparison] = []
    for check in fq.checks:
        row = check.row
        if not row.model and len(row.sites) > 1 and not row.scoped:
            # a row of one of several models, one per way: the check decides on the lookup of each way; the
            # first owned one is named, the others are checked by the same call (one finding per check)
            owned = [(s, owned_site_model(ctx, s)) for s in row.sites]
            owned = [(s, m) for s, m in owned if m is not None]
            if owned:
                for s, _ in owned[1:]:
                    s.checked_after.append(check.node)
                checks.append(replace(check, row=replace(row, sites=tuple(s for s, _ in owned[:1]), model=owned[0][1])))
            continue
        if (row.sites and (row.scoped or not any(s.unscoped for s in row.sites))) or (not row.sites and row.scoped and row.keys):
            for parent in _parent_sites(row, named_sites):
                model = owned_site_model(ctx, parent)
                if model is not None:
                    checks.append(replace(check, row=Val(sites=(parent,), rows=True, model=model)))
                    break
            else:
                checks.append(check)
        else:
            checks.append(check)
    # several checks of one row: report the principal's (``tenant.owner_id != owner_id``), not a comparison
    # with values only derived from another loaded row (the target user's tenants); among those, a comparison
    # before a helper's call or a flag's test (``hosting = has_host_role(...)``, then ``if not hosting and
    # row.creator_id != user.id: raise``: the owner column the message names is compared there), then the first in the
    # source (``can = row.creator_id == user.id or await has_role(user, row.org_id)``: the walk meets the helper's
    # call before the test of ``can`` that makes the comparison a decision, the reader meets the comparison first)
    if len(checks) > 1:
        order = {id(n): i for i, n in enumerate(walk(func))}
        checks.sort(key=lambda c: (not c.direct, not _compares(c), order.get(id(c.node), len(order))))
    # rows checked themselves (``if checklist.author_id != user.id``): a check of their parent decides nothing more
    checked_locals = {
        c.name for c in checks
        if c.name is not None and c.row.origin is None and c.row.repo and c.row.model
        and is_owned(project, settings, c.row.model)
    }
    guarded = route_path_guards(ctx, func) if identity.route is not None else frozenset()
    refused = route_refused_keys(ctx, func) if identity.route is not None and not identity.admin else frozenset()
    if identity.route is not None:
        guarded |= decorator_verified_keys(ctx, func, identity.principals)
    owned_checks = {id(c.node) for c in checks if c.row.model and is_owned(project, settings, c.row.model)}
    for check in checks:
        row = check.row
        key_only = _key_only_scoped(check, identity) or helper_key_scoped(ctx, func, check, identity) or _parent_only_scoped(ctx, check, identity)
        if (row.scoped and not key_only) or row.opaque or not row.model:
            continue
        if guarded and row.sites and all(_guarded_site(s, guarded) for s in row.sites):
            continue  # the row's key was verified before the route ran: the check here decides nothing new
        if globally_scoped(project, row.model):
            continue
        if not is_owned(project, settings, row.model) and (
            id(check.node) in owned_checks or not (check.membership or check.child or _helper_decided_row(ctx, func, identity, check))
        ):
            continue  # (a check that decides on an owned row too is reported for that row: one finding per check)
        if row.sites and not key_only and not any(s.unscoped for s in row.sites):
            continue
        if row.sites and all(refused_unless_public(func, s) for s in row.sites):
            continue  # refused unless the row is public: public content, as a statement filtered on visibility
        if not row.sites and not row.repo and not key_only:
            continue
        # one finding per fetch: a site's, or a repository row's binding (``Val.fetch``); a row whose binding the walk
        # lost (joined ways that bound it apart) keeps a finding per check
        key = tuple(id(s) for s in row.sites) or (("fetch", id(row.fetch)) if row.fetch is not None else ("repo", id(check.node)))
        if row.origin is not None:
            # one finding per client-keyed row, at the first check of its chain (``card -> column -> board``)
            if row.origin[0] in checked_locals:
                continue
            key = ("origin", row.origin[0])
        if key in seen:
            continue
        seen.add(key)
        for s in row.sites:
            s.checked_after.append(check.node)
        out.checked_after.append((check.node, row.model))
        if row.origin is not None:
            out.origins[id(check.node)] = row.origin
        if check.helper is not None:
            out.helper_checks[id(check.node)] = check
        elif check.column is not None:
            out.compared_columns[id(check.node)] = check.column
    gate = identity.route is None and _access_gate(func, identity, {n for s in fq.sites for n in s.row_names})
    unread = _caller_unread(func, identity)
    keys_read: set[int] = set()  # sites that only read ids: no claim, but a row keyed off them is the client's
    for site in fq.sites:
        model = owned_site_model(ctx, site) or forgotten_check_model(ctx, func, identity, fq, site)
        if model is None or not site.unscoped or site.checked_after or site.owner_gated or site.refetched:
            continue
        if gate:
            continue
        if global_permission_gate(ctx, func, identity) and (gated_unheld_model(ctx, model) or _keyed_as_gated_row(ctx, site, fq.sites)):
            continue  # a platform-wide permission gate, a model the caller holds no scope of (``permission_gates``)
        if guarded and _guarded_site(site, guarded):
            continue  # a route dependency (or decorator) loads the row by this parameter and decides on the caller
        if refused and _tied_site(ctx, func, site, model, refused):
            continue  # a row tied to the path key a route dependency refused the caller on (its check is that key's)
        if identity.router_auth and not _client_keyed(ctx, func, identity, site):
            continue  # authenticated, no caller in scope: only a lookup by the client's key is claimed
        if unread and not _client_keyed(ctx, func, identity, site):
            continue  # the caller handed in and never read: authenticated as above, nothing of it in scope
        if identity.global_caller and site.kind in ("select", "query") and not (site.key_names or site.via or site.pred_nodes):
            # a Flask view handed no caller (a decorator authenticates it, the caller is a global): a listing
            # keyed on nothing is the view's catalogue (rules, templates, groups), as for a route whose router
            # authenticates; only a lookup by a key is claimed
            continue
        if _roster_read(ctx, site, model):
            continue
        if staff_list(ctx, site, model):
            continue  # the operator's staff listed by role from the principal's own table
        if refused_unless_public(func, site):
            continue  # refused unless the row is public (``if team.visibility != "public": raise``): public content
        if flag_reset(ctx, func, site, model):
            continue  # a table-wide flag cleared on every row (``update(Agent).values(is_default=False)``): no row named or read
        if keyed_by_created_row(func, site):
            continue  # keyed on the row the function just created and added: a key the server generated
        if aggregate_only(ctx, func, site):
            continue  # a number over every owner's rows, keyed by nothing, kept in the function: no row, no client key
        if children_counted(ctx, site, model, fq.sites):
            continue  # how many rows hang off a parent the client names: a number about the parent, no row
        if keys_only(ctx, func, site, fq.sites):
            keys_read.add(id(site))
            continue  # only ids read, to key other lookups or route a call: nothing of any row leaves
        if _keyed_by_caller(identity, site):
            continue
        if own_key_refused(ctx, func, site, model, identity):
            continue  # the principal's own row, its key then held to the caller's id (``current_user.id != user_id``)
        if key_grant_refused(ctx, func, site, identity, fq.derived_names):
            continue  # the key named in a grant the caller must hold (``check_permission(perms, f"x/{key}.read")``)
        if fq.checks and _existence_only(func, site) and _tied_to_checked(site, fq):
            continue  # only tested for existence, tied to a row whose access the function decides
        if _existence_only(func, site, refusing=True):
            continue  # ``if existing: raise HTTPException(400, "already registered")``: a uniqueness refusal
        if _only_tested(func, site):
            continue  # the row only tested: a free value picked, a yes or no, a refusal while it exists
        if _refused_by_its_tests(func, site):
            continue  # a value probe refused behind the row's own tests (``if existing: if existing.is_valid(): raise``)
        if person_linked(ctx, func, site, model, _principal_table(ctx, model)):
            continue  # a person found by a contact value only to write their key onto another row (an assignee)
        if _child_of_checked_parent(func, site, fq.sites):
            continue  # keyed on the key of a parent just loaded with the owner predicate (refused when missing)
        if _merged_into_guarded(ctx, func, site, model):
            continue  # handed only to a method of another row that leaves unless both share the owner column
        if _key_for_caller_query(func, site, fq.sites):
            continue
        if _secret_gated(func, site):
            continue
        if _public_read(ctx, func, site, model, identity):
            continue
        if _public_parent_of_own_child(ctx, func, site, model, identity):
            continue  # a parent any caller reads by its key, loaded only to attach the caller's own new row
        if _public_row_unwritten(ctx, func, site, model, identity):
            continue  # public content only read, linked from another row, or answered with a row the caller owns
        out.unscoped.append((site, model))
    reported = {id(s) for s, _ in out.unscoped} | keys_read
    for site in fq.sites:
        # a lookup keyed only off rows reported unchecked (``Site.keyed_off``): the key was the client's too
        if site.keyed_off and id(site) not in reported and not site.checked_after and not site.owner_gated and not site.admin:
            model = owned_site_model(ctx, site)
            if model is not None and all(id(s) in reported for s in site.keyed_off) and not _only_tested(func, site):
                out.unscoped.append((site, model))
                reported.add(id(site))
    if not gate and not identity.router_auth:
        out.untied = [u for u in fq.untied if not (guarded and _guarded_node(fq, u[0], guarded))]
    if not gate:
        out.untied_children = list(fq.untied_children)
    return out


def _keyed_as_gated_row(ctx: "FileContext", site: "Site", sites: list) -> bool:
    """Under a platform-wide permission gate, ``delete(GroupRole).where(GroupRole.group_id == group_id)`` where the
    route also loads an ``OrgGroup`` (a model the gate answers for: ``gated_unheld_model``) by the same key: the rows
    keyed on the gated row's key are that row's (a cascade, a listing of its children), the gated role's as the row
    is. A lookup by a key no gated row is loaded by is read as before."""
    keys = set(site.key_names)
    if not keys:
        return False
    for other in sites:
        if other is site or not (set(other.key_names) & keys):
            continue
        model = owned_site_model(ctx, other)
        if model is not None and gated_unheld_model(ctx, model):
            return True
    return False


def _tied_to_checked(site: "Site", fq: "FunctionQueries") -> bool:
    """A row only tested for existence answers for nothing only when it is tied to a row the function checks: looked
    up by a key that row is looked up by too (``board`` by ``board_id``, then the checked ``card`` by ``card_id`` and
    ``board_id``), by a value read off it, or keyed the checked row's lookup, or its key is handed to the check. A
    check of another row (a project's membership) decides nothing about a row the client names by its own key
    (``artifact = get(Artifact, body.artifact_id)``: the check reads none of its columns)."""
    keys = set(site.key_names)
    roots = {k.split(".", 1)[0] for k in keys}
    for check in fq.checks:
        if not check.row.sites:
            return True  # (a repository's row: what keyed it is not known here)
        if keys & set(load_names(check.node)) or any(k in _dotted(check.node) for k in keys):
            return True
        for other in check.row.sites:
            if other is site:
                return True
            other_keys = set(other.key_names)
            if keys & other_keys or roots & other.row_names or {k.split(".", 1)[0] for k in other_keys} & site.row_names:
                return True
            if any(s is site for s in other.keyed_off) or any(s is other for s in site.keyed_off):
                return True
    return False


def _dotted(node: "cst.CSTNode") -> set[str]:
    """The dotted names read in ``node`` (``proposal_data.project_id``)."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, cst.Attribute):
            name = dotted_name(n)
            if name is not None:
                out.add(name)
    return out


def _compares(check: Comparison) -> bool:
    """The check is a comparison of the row's column (``row.creator_id != user.id``), not an authorisation
    helper's call or the test of a flag that holds a verdict (``if not can_cancel:``)."""
    return check.helper is None and isinstance(check.node, cst.Comparison)
