"""Readers of the project index's per-function summaries (flow and orm facts): what a project helper, a held
service's method or a dependency fetches, keys, checks and decides, and whether the caller's id handed to it
decides anything."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Optional, Union

from ...ground.config import analysis_key
from ..auth import authenticating_class, Identity, names_site_operator, param_dependency, principal_classes, principal_fed_parameters, USER_CLASS
from ..auth import held_request_attributes  # (the classes holding the request: ``request_checked``)
from ..auth import decorator_verified_keys  # (keys a decorator checked name checked parents: ``decorator_checked_parents``)
from ..context_managers import entered_flow
from ..facts import method_home, method_return, orm_facts
from ..imports import last_segment
from ..index.extractors.flow import access_name  # an exception or refusal named for access
from ..models import (
    column_traits,
    creator_recorded_only,
    globally_scoped,
    identifying_column,
    identity_columns,
    is_owned,
    is_table_model,
    model_columns,
    party_outlived_only,
    project_identity_fields,
    reference_path,
    referenced_model,
    table_named_by_key,
    tables_by_class_name,
)
from ..repositories import core_row_table, member_class, module_instance_class, self_attribute_class, sole_implementation, specialised
from ..scoping import caller_compared_columns, membership_owner
from .vocabulary import library_check_name, named_like_check, secret_key_column, spells_check, VISIBILITY_WORDS
from .syntax import _local_copies, _store_class

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .values import Site


def helper_compared_column(project: "ProjectIndex", settings: "Settings", q: str, model: str) -> Optional[str]:
    """The column of ``model`` an authorisation helper handed the whole row decides on: attributes of its
    parameters it compares (``param_compared`` index facts), also in the project functions it calls (two
    levels: ``ensure_visible(obj, ctx)`` -> ``is_visible(obj, ctx)`` comparing ``obj.owner_principal_id``).
    Only a column outside the identity fields, the one compared (``None`` when the helper compares an identity
    column: the message then names the model's scoping column, as for any check)."""

    def build() -> Optional[str]:
        found = project.project_function(q)
        if found is None:
            return None
        attrs: set[str] = set()
        seen: set[tuple[str, str]] = set()
        frontier = [(found[0], found[1])]
        for _ in range(3):
            nxt: list[tuple[str, str]] = []
            for mod, name in frontier:
                if (mod, name) in seen or len(seen) >= 24:
                    continue
                seen.add((mod, name))
                fn = orm_facts(project.modules[mod]).get("functions", {}).get(name) or {}
                attrs.update(fn.get("param_compared", ()))
                for target in fn.get("calls_out", ()):
                    sub = project.project_function(target)
                    if sub is not None:
                        nxt.append((sub[0], sub[1]))
            frontier = nxt
        cols = (attrs & set(model_columns(project, model))) - {"id"}
        if not cols or cols & set(identity_columns(project, settings, model)):
            return None  # an identity column among them: the message names the model's scoping column
        return next(iter(cols)) if len(cols) == 1 else None

    return project.memo(("queries.helper_column", q, model, settings.identity_fields), build)


def row_method_facts(project: "ProjectIndex", model: str, method: str) -> Optional[dict]:
    """The ``methods`` index entry of ``model.method``, found through the model's bases."""
    for owner, _ in project.class_mro(model):
        found = project.resolve_symbol(owner)
        if found is None or found[2] != "classes":
            continue
        entry = orm_facts(project.modules[found[0]]).get("methods", {}).get(f"{found[1]}.{method}")
        if entry is not None:
            return entry
    return None


def flow_facts(project: "ProjectIndex", module: str) -> dict:
    """The module's ``flow`` index facts (``index/extractors/flow.py``)."""
    facts = project.modules.get(module) if hasattr(project.modules, "get") else project.modules[module]
    flow = (facts or {}).get("extra", {}).get("flow", {})
    if flow.get("entered"):  # (calls on ``async with Service() as service``: ``knowledge.context_managers``)
        return project.memo(("flow.entered", module), lambda: entered_flow(project, flow))  # type: ignore[no-any-return]
    return flow


def method_summary(project: "ProjectIndex", cls: str, method: str) -> Optional[tuple[str, str, str, dict]]:
    """(module, class, name, summary) of ``cls.method`` or of the first base class that defines it; for an
    interface the project implements once, of that implementation (``repositories.sole_implementation``)."""
    cls = sole_implementation(project, cls) or cls
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        where = project.split(name)
        if where is None:
            continue
        summary = flow_facts(project, where[0]).get("methods", {}).get(f"{where[1]}.{method}")
        if summary is not None:
            return where[0], name, f"{where[1]}.{method}", summary
        if method in facts.get("methods", ()):
            return None  # defined there without a summary: it reaches no lookup
    return None


def _single_lookup_model(summary: dict, method: str) -> Optional[str]:
    """``def get_job(self, job_id): job = self.db.query(Job).filter(Job.id == job_id).one_or_none(); return
    job``: an unannotated getter of a data-access class whose summary returns what it looks up, one lookup of
    one model keyed on its own parameters: the row of that model."""
    fetches = summary.get("fetches", ())
    if not summary.get("returns") or len(fetches) != 1 or not method.startswith(("get", "find", "read", "fetch", "load")):
        return None
    keys = set(fetches[0].get("keys", ()))
    if not keys or not keys <= set(summary.get("params", ())):
        return None
    return fetches[0].get("model")


# one call ``helper_unscoped`` follows (its comment there)
_Followed = tuple[dict, list[str], int, dict, dict, bool, tuple[str, Optional[str], str, dict]]


def helper_unscoped(
    project: "ProjectIndex",
    settings: "Settings",
    module: str,
    cls: Optional[str],
    name: str,
    summary: dict,
    _depth: int = 0,
    models: tuple[tuple[str, str], ...] = (),
    owner_values: bool = False,
    checked_only: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """Parameters of a project function or method that reach a lookup of an owned model with no owner
    predicate and no ownership comparison in the function that does it, directly or through the helpers
    it hands them to: ``{parameter: (model, call chain, "")}``. ``models``: the classes the caller hands to the
    function's model parameters (a generic getter, ``must_exist(db, Note, note_id)``: ``with_models``).
    With ``owner_values``, also the parameters that are the only value the lookup's owner column is compared
    with (``Payment.user_id == user_id``, nothing else on ``user_id``): ``(model, call chain, column)``; the
    owner is whoever the caller names, so a client's value there is a client key (RULES.md, BKL201). With
    ``checked_only``, also the lookups of tables owned only through the project's checks (``checked_only_tables``)
    when the function reaches no owned one: a route's lookup BKL201 reports where the route decides nothing."""
    # (the depth is part of the answer: the reading stops three calls down, so a helper first read deep inside
    # another's chain would otherwise keep a shortened answer for every later reader, and findings would depend
    # on the order files and functions are read in)
    key = (
        "flow.unscoped", module, cls, name, models, owner_values, checked_only, _depth,
        settings.identity_fields, settings.owned_models, settings.not_owned_models,
        tuple(summary.get("self_checked", ())),  # (a call that does not hand the kept value skips that check)
        tuple(summary.get("omitted", ())),  # (a call leaving out a parameter skips the predicates it adds)
        summary.get("handed_fetches", ()),  # (the lookups on a module this call hands in: ``with_handed_modules``)
    )
    return project.memo(
        key, lambda: _helper_unscoped(project, settings, module, cls, name, with_models(summary, dict(models)), _depth, owner_values, checked_only)
    )


def with_models(summary: dict, models: dict[str, str]) -> dict:
    """A generic getter's summary (its lookups on a model parameter, ``model_param`` of a ``flow`` fetch) with
    the classes its caller hands in: ``db.get(model, ident=key)`` called as ``must_exist(db, Note, note_id)``
    is a lookup of ``Note``. Lookups on a model parameter the caller fills with no class are dropped."""
    fetches = summary.get("fetches")
    if not fetches or not any("model_param" in f for f in fetches):
        return summary
    filled = [
        f if "model_param" not in f else dict(f, model=models[f["model_param"]])
        for f in fetches
        if "model_param" not in f or f["model_param"] in models
    ]
    return dict(summary, fetches=filled)


def handed_models(summary: dict, offset: int, given: Iterable[tuple[Union[int, str], str]]) -> tuple[tuple[str, str], ...]:
    """The classes a call hands to a generic getter's model parameters (``given``: argument position or keyword,
    class), by parameter name; ``offset`` 1 for a method's ``self``."""
    wanted = {f["model_param"] for f in summary.get("fetches", ()) if "model_param" in f}
    if not wanted:
        return ()
    params = summary.get("params", [])
    out: dict[str, str] = {}
    for where, q in given:
        param = where if isinstance(where, str) else (params[where + offset] if where + offset < len(params) else None)
        if param in wanted:
            out[param] = q
    return tuple(sorted(out.items()))


def held_method_decides(project: "ProjectIndex", cls: str, method: str) -> Optional[dict]:
    """``method`` of ``cls`` or of its first base defining it decides on two or more of the parameters it is
    given (``method_deciders`` of the ``flow`` index facts): ``{"how": "raise" | "verdict", "on": [parameters]}``;
    ``None`` otherwise. A method not named like a check must decide access on two of them (``access_groups``
    of its ``checks``: a refusal of the caller, an exception named for access, a predicate's answer), not its
    own business (``delete_report(report_id, user)`` raising a service error on the report's state)."""
    for name, facts in project.class_mro(cls):
        where = project.split(name) if facts is not None else None
        if where is None:
            continue
        flow = flow_facts(project, where[0])
        key = f"{where[1]}.{method}"
        found = flow.get("method_deciders", {}).get(key)
        if found is not None:
            if named_like_check(method):
                return found
            entry = flow.get("checks", {}).get(key)
            on = set(found.get("on", ()))
            if entry and any(len(on & set(g)) >= 2 for g in access_groups(project, entry)):
                return found
            return _request_decision(project, name, method, flow, key)
        if method in facts.get("methods", ()):
            return _request_decision(project, name, method, flow, key)
    return None


def _request_decision(project: "ProjectIndex", cls: str, method: str, flow: dict, key: str) -> Optional[dict]:
    """A method refusing unless what its parameter loads belongs to ``self.request.user``, the caller
    (``request_checked``): it decides on that parameter with the caller it holds."""
    if not request_checked(project, cls, method):
        return None
    entry = (flow.get("request_deciders") or {}).get(key) or {}
    return {"how": "raise", "on": list(entry.get("on", ())), "asks": "request"}


def held_decider_call(project: "ProjectIndex", cls: Optional[str], summary: dict) -> bool:
    """A method's summary calls a deciding method of a service its class holds, handing it one of its
    parameters (``self._permission.enforce(subject, "events.delete", f"organization/{event.organization_id}")``):
    the helper decides access itself (BKL202 there, when it knows who asks), like a ``checked`` summary."""
    if cls is None or not summary.get("calls"):
        return False
    for c in summary.get("calls", ()):
        target = c["target"]
        if not (target.startswith("self.") and target.count(".") in (1, 2) and c.get("args")):
            continue
        if target.count(".") == 1:
            held: Optional[str] = cls  # ``self._check_site_admin_permissions(user, site_id)``: its own class's
            method = target[5:]
        else:
            _self, attr, method = target.split(".")
            held = self_attribute_class(project, cls, attr)
        found = held_method_decides(project, held, method) if held is not None else None
        if found is None:
            continue
        where = project.split(held)
        if where and _refuses_for_its_own_business(project, flow_facts(project, where[0]).get("checks", {}).get(f"{where[1]}.{method}")):
            continue  # ``validate_role_name_not_exists_in_team(team_id, name)``: a conflict, not who may act
        params = [p for p in (flow_facts(project, where[0]).get("methods", {}).get(f"{where[1]}.{method}") or {}).get("params", ()) if p not in ("self", "cls")] if where else []
        handed = {params[i] if isinstance(i, int) and i < len(params) else i for i, _param in c["args"]}
        if handed & set(found["on"]):
            return True  # hands one of its parameters to what the method decides on
    return False


def _refuses_for_its_own_business(project: "ProjectIndex", entry: Optional[dict]) -> bool:
    """A deciding method whose every decision is a refusal with an exception that says nothing of access
    (``RoleNameExistsInTeamException``: a conflict; ``access_groups`` finds none): it checks the request's data,
    not who may act on the row."""
    return bool(entry and entry.get("refuses")) and not entry.get("verdicts") and not access_groups(project, entry)  # type: ignore[union-attr]


def _helper_unscoped(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, depth: int,
    owner_values: bool = False, with_checked: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], str]]:
    out: dict[str, tuple[str, tuple[str, ...], str]] = {}
    if summary.get("verdict"):
        return out  # a yes or no (``return query.first() is None``): no row leaves the helper (RULES: an existence oracle)
    short = name.rsplit(".", 1)[-1] if cls is None else name
    preds = set(summary.get("preds", ()))
    compared = set(summary.get("compared", ()))
    fields = set(project_identity_fields(project, settings))
    filters = summary.get("filters", {})
    # a check of its own, or a deciding method of a service it holds handed what it loaded
    checked = (
        bool(summary.get("checked")) or bool(summary.get("self_checked")) or held_decider_call(project, cls, summary)
        or request_checked(project, cls, name)
    )
    checked_only = checked_only_tables(project, settings) if with_checked else frozenset()
    # (an owned table's lookups first: a table owned only through the project's checks never hides one)
    for fetch in sorted(_addressed_first(project, summary), key=lambda f: _checked_only_fetch(project, settings, f, checked_only)):
        found = project.get_class(fetch["model"])
        if found is None or not is_table_model(project, found[0]):
            continue
        model = found[0]
        if not (is_owned(project, settings, model) or model in checked_only) or globally_scoped(project, model):
            continue  # (a table owned only through the project's checks reaches a route too: BKL201 where it checks nothing)
        cols = set(identity_columns(project, settings, model)) or fields
        # (the predicates of this lookup, when the summary could tell them from the other lookups')
        own = set(fetch["preds"]) if "preds" in fetch else preds
        if cols & own or cols & (set(fetch["compared"]) if "compared" in fetch else compared) or any(secret_key_column(project, model, p) for p in own) or checked:
            if owner_values and cols & own and not any(secret_key_column(project, model, p) for p in own) and not summary.get("checked"):
                for k, column in _owner_value_params(project, summary, model, cols & own).items():
                    out.setdefault(k, (model, (f"{short}()",), column))
            continue  # scoped in the query, checked in the helper (BKL202 there, when it knows who asks), or keyed on a secret
        if fetch.get("probe"):
            continue  # ``existing = ...first()`` only to ``raise`` when found, keyed on no owner column: a duplicate refused (a slug)
        for k in fetch.get("own_keys", fetch.get("keys", ())):
            if k in filters and not any(_identifying(project, settings, entry) for entry in filters[k]):
                continue  # compared only with attributes (``Message.lang == lang``): a listing's filter, not a key
            out.setdefault(k, (model, (f"{short}()",), ""))
    if depth >= 3 or (fields & compared and not _predicates_only(summary, fields)) or checked:
        return _owned_over_checked(project, settings, out, checked_only)  # too deep, or the helper compares an owner itself: what it hands on is its own business
    params = summary.get("params", [])
    # (call, callee's parameters, offset, what reaches unscoped there, callee's summary, whether its row is used,
    # the callee: module, class, name, summary)
    followed: list[_Followed] = []
    for c in summary.get("calls", ()):
        target = c["target"]
        sub: Optional[tuple[str, Optional[str], str, dict]] = None
        if target.startswith("self.") and cls is not None and target.count(".") == 2:
            sub = held_method_summary(project, cls, target)  # ``self._items.get_by_id(key)``
        elif target.startswith("self.") and cls is not None:
            sub = specialised(project, cls, method_summary(project, cls, target[5:]))
        else:
            found = project.resolve_symbol(target)  # (a name that is no project symbol at all is read below: the kind is needed)
            if found is not None and found[2] == "functions":
                s = flow_facts(project, found[0]).get("functions", {}).get(found[1])
                if s is not None:
                    sub = (found[0], None, found[1], s)
            elif found is None and "." in target:
                # a class or static method called on a store class (``InteractionStore.delete(db, key)``), or a
                # method of a module-level instance of one (``chat_repo = ChatRepo()``, ``chat_repo.get(db, id)``)
                owner, _, method = target.rpartition(".")
                store = _store_class(project, owner) or module_instance_class(project, owner)
                if store is not None:
                    sub = specialised(project, store, method_summary(project, store, method))
                elif target.count(".") == 2:
                    sub = _member_call_summary(project, module, cls, name, target)  # ``uow.bookings.get_by_id(key)``
        if sub is None or (sub[0], sub[2]) == (module, name):
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        given = handed_models(sub[3], offset, c.get("models", ()))
        inner = helper_unscoped(project, settings, sub[0], sub[1], sub[2], sub[3], depth + 1, given, owner_values, with_checked)
        # a getter whose row is only tested for presence here is a yes or no, no row used or changed: it reaches
        # nothing, but verifies the key when it is scoped (``_verified_keys``)
        tested_only = bool(c.get("tested") and not sub[3].get("writes") and not sub[3].get("calls"))
        followed.append((c, sub_params, offset, inner, sub[3], not tested_only, sub))
    verified = _verified_keys(project, params, fields, followed)
    for k, tables in (_keys_checked_beside_caller(project, settings, (module, cls, name), params, followed) if out else {}).items():
        if k in out and _row_of_verified(project, summary, k, out[k][0], tables):
            del out[k]  # (the comments of a task the callee found in the caller's workspace, keyed by the same key)
    for c, sub_params, offset, inner, sub_summary, used, _sub in followed:
        if not inner or not used:
            continue
        # (an id read off a parameter, ``msg.project_id``, is keyed on the parameter, as in a predicate)
        for where, param in [*c["args"], *c.get("attr_args", ())]:
            if param not in params or (param in out and not _checked_only_entry(project, settings, out[param], checked_only)):
                continue
            target_param = _callee_param(where, sub_params, offset)
            if target_param in inner:
                model, chain, column = inner[target_param]
                if param in out and _checked_only_entry(project, settings, inner[target_param], checked_only):
                    continue  # (only an owned table's lookup replaces one of a table owned through checks)
                if _owner_returned_and_compared(project, settings, c, sub_summary, model):
                    continue  # (the helper compares the owner the callee hands back: its own check, BKL202 there)
                if (project.canonical(model) or model) in verified.get(param, ()):
                    continue  # (a row of the model the helper verified that key for, with the tenant)
                out[param] = (model, (f"{short}()",) + chain, column)
    return _owned_over_checked(project, settings, out, checked_only)


def _member_call_summary(
    project: "ProjectIndex", module: str, cls: Optional[str], name: str, target: str
) -> Optional[tuple[str, str, str, dict]]:
    """``uow.bookings.get_by_id`` called in a function whose parameter ``uow`` is typed with a unit of work (or its
    interface): the summary of ``get_by_id`` on the repository class the unit of work hands out as ``bookings``
    (``repositories.member_class``); ``None`` for anything else."""
    head, attr, method = target.split(".")
    orm = orm_facts(project.modules[module]) if module in project.modules else {}
    if cls is None:
        types = {p.get("name"): p.get("type") for p in (orm.get("functions", {}).get(name) or {}).get("params", ())}
    else:
        entry = orm.get("methods", {}).get(name) or {}
        types = {p.get("name"): p.get("type") for p in entry.get("params", ())}
        types.update(entry.get("arg_types", {}))
        if entry.get("first_type"):
            types[entry.get("first")] = entry["first_type"]
    found = project.get_class(types[head]) if types.get(head) else None
    held = member_class(project, found[0], attr) if found is not None else None
    return specialised(project, held, method_summary(project, held, method)) if held is not None else None


def _owned_over_checked(project: "ProjectIndex", settings: "Settings", out: dict, checked_only: frozenset[str]) -> dict:
    """``_helper_unscoped``'s answer without its tables owned only through checks when an owned table is reached
    too: the owned row is the one the helper's caller answers for (as before such tables were followed)."""
    if all(_checked_only_entry(project, settings, v, checked_only) for v in out.values()):
        return out
    return {k: v for k, v in out.items() if not _checked_only_entry(project, settings, v, checked_only)}


def _checked_only_fetch(project: "ProjectIndex", settings: "Settings", fetch: dict, checked_only: frozenset[str]) -> bool:
    """The summary's lookup is of a table owned only through the project's checks (``helper_checked_tables``)."""
    found = project.get_class(fetch["model"])
    return found is not None and found[0] in checked_only and not is_owned(project, settings, found[0])


def _checked_only_entry(project: "ProjectIndex", settings: "Settings", entry: tuple, checked_only: frozenset[str]) -> bool:
    """A ``helper_unscoped`` answer naming a table owned only through the project's checks."""
    return entry[0] in checked_only and not is_owned(project, settings, entry[0])


def _owner_returned_and_compared(project: "ProjectIndex", settings: "Settings", call: dict, callee: dict, model: str) -> bool:
    """``owner = repo.get_owner_of_edit(edit_id)`` (the callee returns its row's owner column, flow fact
    ``returns_attr``) then ``if int(user_id) != int(owner): raise Forbidden`` (the call entry's ``compared``):
    the function decides access on the row the callee loaded."""
    column = callee.get("returns_attr")
    return bool(column and call.get("compared")) and column in identity_columns(project, settings, model)


def _callee_param(where: Union[int, str], sub_params: list[str], offset: int) -> Optional[str]:
    if isinstance(where, int):
        return sub_params[where + offset] if where + offset < len(sub_params) else None
    return where


# identity fields that name a person, not a tenant (``client_identity.PERSON_FIELDS``, which imports this package)
_PERSON_FIELDS = frozenset({"user_id", "owner_id", "author_id", "creator_id", "created_by_id", "member_id"})


def _verified_keys(
    project: "ProjectIndex", params: list[str], fields: set[str], followed: list["_Followed"]
) -> dict[str, set[str]]:
    """``{key parameter: models}``: the helper's key parameters it hands, beside a tenant-named parameter of its own
    (an identity field that names no person: ``workspace_id``, not the ``user_id`` of a user the request names), to
    a project lookup of a row by that key, with the tenant in its predicate (``formula_item_dao.
    get_by_id_and_workspace(session, id=formula_item_id, workspace_id=workspace_id)``, then ``if not formula_item:
    raise``): the key is verified for the tenant there, and a load of a row of the same model by it
    (``formula_item_dao.remove(session, id=formula_item_id)``) addresses a row already checked."""
    out: dict[str, set[str]] = {}
    tenants = fields - _PERSON_FIELDS
    for c, sub_params, offset, inner, callee, _, _sub in followed:
        handed = [(where, param) for where, param in c["args"] if param in params]
        tenant_args = {_callee_param(where, sub_params, offset) for where, param in handed if param in tenants}
        if not tenant_args:
            continue
        for where, param in handed:
            if param in fields:
                continue
            target_param = _callee_param(where, sub_params, offset)
            if target_param is None or target_param in inner:
                continue
            for model in _fetched_by_both(project, callee, target_param, tenant_args):
                out.setdefault(param, set()).add(model)
    return out


def _fetched_by_both(project: "ProjectIndex", callee: dict, key: str, others: set) -> set[str]:
    """The models a function's lookups fetch keyed on its parameter ``key`` and on one of ``others``."""
    out: set[str] = set()
    for f in callee.get("fetches", ()):
        keys = set(f.get("keys", ()))
        if key in keys and keys & others and f.get("model"):
            out.add(project.canonical(f["model"]) or f["model"])
    return out


def _keys_checked_beside_caller(
    project: "ProjectIndex", settings: "Settings", helper: tuple[str, Optional[str], str], params: list[str], followed: list["_Followed"]
) -> dict[str, set[str]]:
    """``{key parameter: models}``: the helper's key parameters it hands, beside another parameter of its own,
    to a project function that decides in two steps (``get_task(db, workspace_id, task_id, current_user)``): it
    hands the tenant with who asks to a call deciding on both (``require_membership(db, workspace_id,
    current_user.id)``, 403), then looks the row up by the key and the tenant and refuses when it is missing (404).
    The key is checked beside the caller there: a row the helper then reads by it, of that model or of a child
    referencing it by the key (``TaskComment.task_id``), is the checked row's."""
    out: dict[str, set[str]] = {}
    for c, sub_params, offset, _inner, callee, _used, sub in followed:
        entry = flow_facts(project, sub[0]).get("checks", {}).get(sub[2]) or {}
        refusing = {p for g in access_groups(project, entry, verdicts=False) for p in g}
        if not refusing:
            continue
        handed = [(_callee_param(where, sub_params, offset), param) for where, param in c["args"] if param in params]
        # (the callee's parameters the helper fills with who asks: they hold the caller there too)
        callers = {tp for tp, param in handed if tp is not None and _carries_caller(project, settings, helper, param)}
        decided = {
            tp for tp, param in handed
            if tp is not None and tp not in callers and _decided_with_caller(project, settings, sub, callee, tp, callers)
        }
        if not decided:
            continue
        for tp, param in handed:
            if tp is None or tp in decided or tp not in refusing or tp in callers or param in _PERSON_FIELDS:
                continue
            models = _fetched_by_both(project, callee, tp, decided)
            if models:
                out.setdefault(param, set()).update(models)
    return out


def _decided_with_caller(
    project: "ProjectIndex", settings: "Settings", fn: tuple, summary: dict, tenant: str, callers: set[str]
) -> bool:
    """The function ``fn`` (module, class, name, ...) hands its parameter ``tenant`` with one carrying who asks
    (``_carries_caller``, or one of ``callers``, those its caller fills with who asks) to a call that decides on
    both (``callee_decides``)."""
    for c in summary.get("calls", ()):
        handed = [*c.get("args", ()), *c.get("attr_args", ())]
        at_tenant = [w for w, p in handed if p == tenant]
        at_caller = [w for w, p in handed if p in callers or _carries_caller(project, settings, fn, p)]
        if not at_tenant or not at_caller:
            continue
        sub = project_callee(project, fn[1], c.get("target", ""))
        if sub is not None and any(callee_decides(project, sub, a, b, verdicts=False) for a in at_tenant for b in at_caller):
            return True
    return False


def _carries_caller(project: "ProjectIndex", settings: "Settings", fn: tuple, param: str) -> bool:
    """A parameter of the function ``fn`` (module, class, name, ...) that holds who asks: one named in
    ``principal_parameters`` (``current_user``), one its callers fill from the principal
    (``principal_fed_parameters``: ``user_id=current_user.id``), or one annotated with a principal class. Not
    any ``user``-named one: ``assignee_user_id`` is a user the client names."""
    if param in settings.principal_parameters:
        return True
    module, cls, name = fn[0], fn[1], fn[2]
    key = f"{module}.{cls}.{name}" if cls else f"{module}.{name}"
    if param in principal_fed_parameters(project, settings).get(key, ()):
        return True
    facts = project.modules.get(module) if hasattr(project.modules, "get") else project.modules[module]
    orm = orm_facts(facts) if facts else {}
    if cls:
        annotation = orm.get("methods", {}).get(f"{cls}.{name}", {}).get("arg_types", {}).get(param)
    else:
        annotation = next((p.get("type") for p in orm.get("functions", {}).get(name, {}).get("params", ()) if p.get("name") == param), None)
    return bool(annotation) and (project.canonical(annotation) or annotation) in principal_classes(project, settings)


def _row_of_verified(project: "ProjectIndex", summary: dict, key: str, model: str, tables: set[str]) -> bool:
    """A row of ``model`` the helper reads by ``key`` is a row of one of ``tables``, or a child referencing one by
    the column ``key`` fills (``filters``: ``TaskComment:task_id`` -> ``Task``)."""
    if (project.canonical(model) or model) in tables:
        return True
    for entry in summary.get("filters", {}).get(key, ()):
        owner, _, column = entry.rpartition(":")
        found = project.get_class(owner)
        parent = referenced_model(project, found[0], column) if found is not None and found[0] == model else None
        if parent is not None and (project.canonical(parent) or parent) in tables:
            return True
    return False


def _predicates_only(summary: dict, fields: set[str]) -> bool:
    """The identity columns a helper compares are compared only inside predicates, each with a parameter that
    does nothing else (``scopes_only``: ``Asset.company_id == company_id`` beside ``Asset.id == asset_id``): those
    lookups are scoped, the keys it hands to other helpers are not by that (``principal_passes_through`` reads
    the caller's parameter per lookup)."""
    if not summary.get("scopes_only") or summary.get("held_preds") or fields & set(summary.get("bound", ())):
        return False
    outside = set(summary.get("compared", ())) - set(summary.get("pred_compared", ()))
    return not fields & outside


def _owner_value_params(project: "ProjectIndex", summary: dict, model: str, scoped: set[str]) -> dict[str, str]:
    """The parameters that are the only values a helper's predicates compare the identity columns ``scoped``
    of ``model`` with (``filters`` of the ``flow`` summary; no column of them is compared with anything else,
    ``bound``): ``{parameter: column}``. Empty when a visibility column is in the predicates (a listing of
    public rows besides one owner's may be intended) or the helper compares with what its object holds."""
    outside = set(summary.get("compared", ())) - set(summary.get("pred_compared", ()))
    if summary.get("held_preds") or (set(summary.get("bound", ())) | outside) & scoped:
        return {}  # (also compared with something else, or checked in Python: ``row.user_id != user_id``)
    if any(w in p.lower() for p in summary.get("preds", ()) for w in VISIBILITY_WORDS):
        return {}
    out: dict[str, str] = {}
    covered: set[str] = set()
    for param, entries in summary.get("filters", {}).items():
        for entry in entries:
            owner, _, column = entry.rpartition(":")
            found = project.get_class(owner) if column in scoped else None
            if found is not None and found[0] == model:
                out.setdefault(param, column)
                covered.add(column)
    return out if covered == scoped else {}


def dependency_row(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str], model: str) -> Optional[str]:
    """``row: Article = Depends(validate_article)``: the owned model ``model`` when the dependency function
    ``provider`` hands on a row of it that it looked up by a key the client supplies (a plain, path or query
    parameter of the dependency) with no owner predicate and no ownership comparison of its own (its flow
    summary, through the helpers it calls: ``helper_unscoped``), and returns a value; or that receives such a
    row from another dependency and hands it on, not given the caller (so deciding nothing on who asks). The
    function receiving the row decides access to it, if anything does."""
    if project is None or not provider:
        return None
    key = ("queries.dependency_row", provider, model, settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.memo(key, lambda: _dependency_row(project, settings, provider, model))


def _dependency_row(project: "ProjectIndex", settings: "Settings", provider: str, model: str, _depth: int = 0) -> Optional[str]:
    found = project.project_function(provider)
    if found is None:
        return None
    if not (is_owned(project, settings, model) or _decided_table(project, settings, model)) or globally_scoped(project, model):
        return None
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
    if fn is None or (summary is not None and not summary.get("returns")):
        return None
    summary = summary or {}  # (no summary: no lookup, no comparison, nothing handed on; the receiver's type says it returns the row)
    keys = set()
    plain = ("str", "int", "UUID", "UUID4")
    for p in fn.get("params", ()):
        marker = last_segment(p.get("marker"))
        if (p.get("alias") and last_segment(p["alias"]) not in plain) or p.get("name") in ("self", "cls", "request", "websocket"):
            continue  # (an ``Annotated`` alias held in a name: a dependency, not a key)
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            keys.add(p.get("name"))
    canonical = project.canonical(model)
    if not keys:
        # ``validate_edit_pending(edit: Edit = Depends(validate_edit_id)) -> Edit``: a dependency that receives
        # the row from another one and hands it on, comparing no owner itself
        cols = set(identity_columns(project, settings, model)) | set(project_identity_fields(project, settings))
        if cols & set(summary.get("compared", ())) or _depth >= 4:
            return None
        if any((k := param_dependency(project, settings, p)).kind is not None and not k.resource for p in fn.get("params", ())):
            return None  # given the caller: it may decide on the row itself (a check the index does not summarise)
        for p in fn.get("params", ()):
            if (
                p.get("dependency") and not p.get("called") and p.get("type") and project.canonical(p["type"]) == canonical
                and p["dependency"] != provider and _dependency_row(project, settings, p["dependency"], model, _depth + 1)
            ):
                return model
        return None
    if _asks_principal_object(project, settings, fn):
        return None
    if not is_owned(project, settings, model):
        # a table the project's checks decide on (``_decided_table``): looked up here by the client's key, with
        # nothing checked on the way (``get_problem_by_id(id) -> ProblemORM``)
        if summary.get("checked") or held_decider_call(project, None, summary):
            return None
        for fetch in summary.get("fetches", ()):
            if project.canonical(fetch["model"]) == canonical and keys & set(fetch.get("own_keys", fetch.get("keys", ()))):
                return model
        return None
    reached = helper_unscoped(project, settings, found[0], None, found[1], summary)
    for k in keys:
        if k in reached and project.canonical(reached[k][0]) == canonical:
            return model
    return None


def _asks_principal_object(project: "ProjectIndex", settings: "Settings", fn: dict) -> bool:
    """The dependency is given the caller as an object that decides access (``auth: Rules =
    Depends(get_rules)``, ``knowledge.auth.authenticating_class``) and calls one of its methods: it decides on
    the row itself (``auth.assert_jobs(job.owner_id)``, reported there), a check the flow summary does not hold."""
    called = set(fn.get("name_calls", ()))
    for p in fn.get("params", ()):
        kind = param_dependency(project, settings, p)
        cls = authenticating_class(project, kind.principal_type) if kind.kind is not None and not kind.resource else None
        if cls is None:
            continue
        found = project.get_class(cls)
        methods = set(found[1].get("methods", ())) if found is not None else set()
        if called & methods or any(c.partition(".")[0] == p.get("name") and c.partition(".")[2] in methods for c in fn.get("calls_out", ())):
            return True
    return False


def held_method_summary(project: "ProjectIndex", cls: str, target: str) -> Optional[tuple[str, str, str, dict]]:
    """``self.<attribute>.<method>`` in a method of ``cls``: the summary of that method of the class ``__init__``
    keeps there (``knowledge.repositories``)."""
    _, attr, method = target.split(".")
    held = self_attribute_class(project, cls, attr)
    if held is None:
        return None
    return specialised(project, held, method_summary(project, held, method))


def _identifying(project: "ProjectIndex", settings: "Settings", entry: str) -> bool:
    model, _, column = entry.rpartition(":")
    found = project.get_class(model)
    if found is None or not is_table_model(project, found[0]):
        return True
    return identifying_column(project, settings, found[0], column)


# class methods of a model that build a row rather than look one up (``from_schema``, ``create``, ``new``)
_CONSTRUCTOR_PREFIXES = ("from_", "create", "new", "build", "make")


def client_value_function(project: "ProjectIndex", q: str) -> bool:
    """``q`` names a project function, or a method of a project class, that returns a value the client sent in
    a header, the query string or a cookie, unchecked (``extractors.orm.returns_client_value``)."""
    found = project.project_function(q)
    if found is not None:
        return found[1] in orm_facts(project.modules[found[0]]).get("client_values", ())
    owner, _, method = q.rpartition(".")
    cls = project.get_class(owner) if owner else None
    if cls is None:
        return False
    mod, _, short = cls[0].rpartition(".")
    return mod in project.modules and f"{short}.{method}" in orm_facts(project.modules[mod]).get("client_values", ())


def helper_checked_tables(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Tables with no identity column whose rows the project hands to its own checks: a function or method
    named like a check (``named_like_check``) with a parameter annotated with the table (``def
    __check_authorized(self, current_user, connection: Optional[LLMConnection])``, ``def _enforce_job_access(
    self, job: JobRecord, ...)``). A row of one loaded by a key and handed to such a helper with the principal
    is decided after the load (``_helper_decided_row``); family 2's screens let the names reaching these
    tables through. Tables named like the principal's (``User``) and the principal classes are not: a user
    handed to a membership check is asked about, not guarded."""
    if project is None:
        return frozenset()
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> frozenset[str]:
        principals = principal_classes(project, settings)
        found: set[str] = set()
        for _, facts in project.iter_modules():
            orm = orm_facts(facts)
            typed: list[tuple[str, Iterable[Optional[str]]]] = [
                (name, (p.get("type") for p in fn.get("params", ()))) for name, fn in orm.get("functions", {}).items()
            ]
            typed += [(name.rsplit(".", 1)[-1], entry.get("arg_types", {}).values()) for name, entry in orm.get("methods", {}).items()]
            for name, types in typed:
                if not named_like_check(name):
                    continue
                for t in types:
                    cls = project.get_class(t) if t else None
                    if cls is None or cls[0] in principals or USER_CLASS.search(last_segment(cls[0])):
                        continue
                    if is_table_model(project, cls[0]) and not is_owned(project, settings, cls[0]):
                        found.add(cls[0])
        found.update(loaded_then_decided(project, settings))
        return frozenset(found)

    # (stored with the index: a run linting one file reads the tables instead of every module's checks)
    return project.memo(
        ("queries.helper_checked_tables", key),
        lambda: project.stored_memo(f"queries.helper_checked_tables:{analysis_key(settings)}", build, load=frozenset),
    )


def membership_group(project: Optional["ProjectIndex"], settings: "Settings", model: str) -> Optional[str]:
    """``scoping.membership_owner`` of a table that is not the users' (``Organization`` reached through
    ``Membership``; never ``User``, whose membership rows name the member, not a group: ``WorkspaceMember`` compared
    with the caller on both its columns). A principal class that is a group (a store whose token also authenticates,
    reached through ``StoreAccess``) stays one."""
    if project is None or USER_CLASS.search(last_segment(model)):
        return None
    return membership_owner(project, settings, model)


def shared_party_record(project: Optional["ProjectIndex"], settings: "Settings", site: "Site", model: str, directory: bool = False) -> bool:
    """``models.party_outlived_only`` for this lookup: the model's owner columns only record a person its rows
    outlive, and the lookup is not the child rows of a parent the client chose: none of the model's columns its
    client keys are compared with references an owned table that is no such shared record itself
    (``FormSubmission.form_id == form_id``: a form's submissions, read by a key of the owned ``Form``, are that
    form's; ``Opportunite.id == opportunity_id`` is the shared row itself). When the compared columns cannot
    be told, the lookup keeps its owner. ``directory``: the model is a directory entry every caller lists
    (``directories.directory_link``), read as such a record too."""
    from .syntax import client_key_columns  # (the site's own predicates)

    if project is None or not (directory or party_outlived_only(project, settings, model)):
        return False
    columns = client_key_columns(site)
    if columns is None:
        return False
    for column in columns:
        parent = referenced_model(project, model, column)
        if parent is None or parent == model or not is_owned(project, settings, parent):
            continue
        if not (creator_recorded_only(project, settings, parent) or party_outlived_only(project, settings, parent)):
            return False
    return True


def checked_only_tables(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The tables owned only through the project's checks: ``helper_checked_tables``, and the tables with no
    identity column whose references reach one of them or an owned table (``owning_parents``; two steps at most:
    a checklist item of a card the project decides on after the load is the card's, an invoice's line is the
    invoice's). Family 2 reports a row of one loaded by a client key on a route that decides nothing about it on
    any path (``forgotten.forgotten_check_model``, BKL201)."""
    if project is None:
        return frozenset()
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> frozenset[str]:
        principals = principal_classes(project, settings)
        # (the scope a permission is granted on, an organisation or a workspace, is found to check it: ``_SCOPE_TABLE``)
        found = {t for t in _checked_with_caller(project, settings, principals) if not _SCOPE_TABLE.search(last_segment(t))}
        candidates = [
            q for q, _ in project.iter_classes()
            if q not in found and q not in principals and not USER_CLASS.search(last_segment(q))
            and is_table_model(project, q) and not is_owned(project, settings, q) and not globally_scoped(project, q)
        ]
        for _ in range(2):
            more = {q for q in candidates if q not in found and any(referenced_model(project, q, c) in found for c in model_columns(project, q))}
            more |= set(owning_parents(project, settings)) - found
            if not more:
                break
            found |= more
        return frozenset(found)

    # (stored with the index, as ``helper_checked_tables``: a run linting one file reads the tables instead of
    # summarising every module's functions through ``loaded_then_decided``)
    return project.memo(
        ("queries.checked_only_tables", key),
        lambda: project.stored_memo(f"queries.checked_only_tables:{analysis_key(settings)}", build, load=frozenset),
    )


_CLASS_WORD = re.compile(r"(?i)(?:orm|model|table|db|entity|record|row|sql)$")


def owning_parents(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, tuple[str, str]]:
    """The tables with no identity column (not owned, not the principal's, not shared by every tenant, not handed
    to the project's checks: ``helper_checked_tables``) whose rows belong to a row of an owned table they reference (``InvoiceItem.invoice_id`` -> ``Invoice``, owned by
    ``vendor_id``): ``{table: (owned parent, referencing column)}``, the first such column in declaration order.
    A parent that is the principal's own table (a row naming a person) makes no owner."""
    if project is None:
        return {}
    key = ("queries.owning_parents", settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)
    return project.memo(key, lambda: _owning_parents(project, settings))


def _owning_parents(project: "ProjectIndex", settings: "Settings") -> dict[str, tuple[str, str]]:
    principals = principal_classes(project, settings)

    def owner(q: str) -> bool:
        return q not in principals and not USER_CLASS.search(last_segment(q)) and is_table_model(project, q) and is_owned(project, settings, q)

    def person(q: Optional[str]) -> bool:
        # (``UsersOrm``, ``UserModel``: the accounts' table under a class word and a plural)
        bare = _CLASS_WORD.sub("", last_segment(q)) if q is not None else ""
        return q is not None and (q in principals or bool(USER_CLASS.search(last_segment(q)) or USER_CLASS.search(bare.rstrip("s"))))

    decided = helper_checked_tables(project, settings)  # (the project's own checks decide on those: said so)
    tables = [q for q, _ in project.iter_classes() if is_table_model(project, q)]
    # the tables an owner column refers to (the accounts, the organisations): whom rows belong to, not rows of one
    owners = {
        referenced_model(project, m, c) or table_named_by_key(project, c)
        for m in tables if is_owned(project, settings, m) for c in identity_columns(project, settings, m)
    }
    out: dict[str, tuple[str, str]] = {}
    compared: Optional[frozenset[tuple[str, str]]] = None
    for q in tables:
        if person(q) or q in decided or q in owners or is_owned(project, settings, q) or globally_scoped(project, q):
            continue
        parents = [(column, referenced_model(project, q, column)) for column in model_columns(project, q)]
        people = {column for column, parent in parents if person(parent)}
        if people:
            # (a row naming a person, who booked or made it: whose it is, that person or the parent, is not said;
            # unless it names several people and the project compares none of those columns with the caller, in a
            # query or a decision (``InternalReview.reviewer_id`` / ``reviewee_id`` beside ``contract_draft_id``):
            # then they are the people taking part, no one of them the row's owner, and the row is the parent's)
            if compared is None:
                compared = caller_compared_columns(project, settings)
            if len(people) < 2 or any((q, column) in compared for column in people):
                continue
            parents = [(column, parent) for column, parent in parents if column not in people]
        referenced = [(column, parent) for column, parent in parents if parent is not None and parent != q]
        if referenced and all(owner(parent) for _, parent in referenced):
            # (a row that also refers to a table nobody owns, an appointment or a catalogue entry the staff share,
            # is not said to be the owned parent's)
            out[q] = (referenced[0][1], referenced[0][0])
            continue
        # a row that also refers to rows of its siblings under one owned parent (``MediaAsset.brand_id`` -> ``Brand``
        # and ``linked_dish_id`` -> ``Dish``, itself ``Dish.brand_id`` -> ``Brand``): the parent's, by the column
        # that reaches it (never by the sibling's)
        for column, parent in referenced:
            if owner(parent) and all(
                other == parent or owner(other) or _sibling_under(project, settings, other, parent)
                for _, other in referenced
            ):
                out[q] = (parent, column)
                break
    return out


def _sibling_under(project: "ProjectIndex", settings: "Settings", table: str, parent: str) -> bool:
    """``table`` is a project table with no identity column (not owned, not shared by every tenant) that has a
    foreign key of its own to ``parent``: a sibling row under the same owned parent."""
    if is_owned(project, settings, table) or globally_scoped(project, table):
        return False
    for column in model_columns(project, table):
        traits = column_traits(project, table, column)
        if traits is not None and traits.foreign_key and referenced_model(project, table, column) == parent:
            return True
    return False


def _checked_with_caller(project: "ProjectIndex", settings: "Settings", principals: Iterable[str]) -> set[str]:
    """The ``helper_checked_tables`` a check decides on together with who asks: a check helper with a parameter
    annotated with the table and one carrying the caller (``ensure_note_access(session, note: Note, user)``), or
    the access decision ``loaded_then_decided`` found beside the table's rows taking the caller
    (``get_project_with_access(project_id, user, db)``). A decision handed no caller (``check_family_limit(...)``,
    ``check_appointment_conflict(...)``, ``row.can_be_modified()``) is no evidence that the table is owned."""
    checked = helper_checked_tables(project, settings)
    decided = loaded_then_decided(project, settings)
    out: set[str] = set()
    for _, facts in project.iter_modules():
        orm = orm_facts(facts)
        typed = [(name, fn.get("params", ())) for name, fn in orm.get("functions", {}).items()]
        typed += [
            (name.rsplit(".", 1)[-1], [{"name": k, "type": t} for k, t in entry.get("arg_types", {}).items()])
            for name, entry in orm.get("methods", {}).items()
        ]
        for name, params in typed:
            if not named_like_check(name) or not any(_caller_param(project, settings, p, principals) for p in params):
                continue
            for p in params:
                cls = project.get_class(p.get("type")) if p.get("type") else None
                if cls is not None and cls[0] in checked:
                    out.add(cls[0])
    for table, (holder, decision) in decided.items():
        if table not in out and _decision_takes_caller(project, settings, holder, decision, principals):
            out.add(table)
    return out


def _caller_param(project: "ProjectIndex", settings: "Settings", param: dict, principals: Iterable[str]) -> bool:
    """A parameter that carries who asks: named like the principal or an identity field, or typed with a
    principal class."""
    name = (param.get("name") or "").lower()
    if name in settings.principal_parameters or name in settings.identity_fields or "user" in name:
        return True
    cls = project.get_class(param["type"]) if param.get("type") else None
    return cls is not None and cls[0] in principals


def _decision_takes_caller(project: "ProjectIndex", settings: "Settings", holder: str, decision: str, principals: Iterable[str]) -> bool:
    """The call named ``decision`` in the project function or method ``holder`` reaches a project function or
    method with a parameter carrying who asks (a library's check, by its name alone: taken to)."""
    found = project.project_function(holder)
    owner: Optional[str] = None
    if found is not None:
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    else:
        mod_cls, _, method = holder.rpartition(".")
        klass = project.get_class(mod_cls)
        if klass is None:
            return False
        owner = klass[0]
        module, _, cls_name = owner.rpartition(".")
        fn = orm_facts(project.modules[module]).get("methods", {}).get(f"{cls_name}.{method}") or {} if module in project.modules else {}
    for target in fn.get("calls_out", ()):
        if last_segment(target) != decision:
            continue
        sub = project_callee(project, owner, target)
        if sub is None:
            return True
        orm = orm_facts(project.modules[sub[0]])
        if sub[1] is None:
            params = (orm.get("functions", {}).get(sub[2]) or {}).get("params", ())
        else:
            entry = orm.get("methods", {}).get(sub[2].split(".", 1)[-1] if sub[2].count(".") > 1 else sub[2]) or {}
            params = [{"name": k, "type": t} for k, t in entry.get("arg_types", {}).items()] + list(entry.get("params", ()))
        flow = flow_facts(project, sub[0]).get("checks", {}).get(sub[2]) or {}
        params = list(params) + [{"name": n} for n in flow.get("params", ())]
        if any(_caller_param(project, settings, p, principals) for p in params):
            return True
    return False


def _decided_table(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    return model in helper_checked_tables(project, settings)


def _deciding_call(
    project: "ProjectIndex", settings: "Settings", principals: Iterable[str], cls: Optional[str], target: str
) -> Optional[str]:
    """The name of a call's target when it decides access (``flow`` facts ``checks``): a project function or
    method named like a check that decides on what it is given, or one deciding access whatever its name
    (``access_groups``: a 401 / 403 / 404 refusal, an access-named exception, a verdict); a library's callee
    by its name alone (``named_like_check``). ``None`` otherwise, and for a getter that only refuses when its own
    lookup finds nothing (``_not_found_only``)."""
    last = last_segment(target)
    sub = project_callee(project, cls, target)
    if sub is None:
        if not last[:1].isupper() and project.resolve_symbol(target) is None and library_check_name(last):
            return last
        return None
    entry = flow_facts(project, sub[0]).get("checks", {}).get(sub[2])
    if not entry:
        return None
    if not ((named_like_check(last) and entry.get("groups")) or access_groups(project, entry)):
        return None
    if _not_found_only(project, settings, principals, sub, entry):
        return None
    return last


def _not_found_only(
    project: "ProjectIndex", settings: "Settings", principals: Iterable[str], sub: tuple[str, Optional[str], str], entry: dict
) -> bool:
    """Every decision of the project function or method ``sub`` (its ``checks`` ``entry``) asks only whether its
    own lookup found a row (``flow`` facts ``not_found``: ``if not instance: raise NotFoundError(...)`` after
    ``select(model).where(getattr(model, field) == identifier)``), and no parameter of it carries who asks
    (``_caller_param``): a generic ``get_or_404(db, Model, id)`` decides nothing about access. One that
    filters by the caller (``get_owned_or_404(db, Model, id, user_id)``) or compares an owner too still decides."""
    lookups = entry.get("not_found")
    if not lookups or any(g not in lookups for g in entry.get("groups", ())):
        return False
    typed: dict[str, Optional[str]] = {}
    orm = orm_facts(project.modules[sub[0]])
    if sub[1] is None:
        typed = {p.get("name"): p.get("type") for p in (orm.get("functions", {}).get(sub[2]) or {}).get("params", ())}
    else:
        method = orm.get("methods", {}).get(sub[2].split(".", 1)[-1] if sub[2].count(".") > 1 else sub[2]) or {}
        typed = {p.get("name"): p.get("type") for p in method.get("params", ())}
        typed.update(method.get("arg_types", {}))
    # no parameter carries who asks, among those its lookup reads or any other: a getter handed the caller decides
    # through what it hands the caller to (``require_role(p.workspace_id, role, db, user)``)
    names = set(typed) | {n for g in lookups for n in g}
    return not any(_caller_param(project, settings, {"name": n, "type": typed.get(n)}, principals) for n in names)


# tables that are the scope permissions are granted on (an organisation, a tenant, a workspace, an account): a
# check of the caller on one is about the scope itself, found by the key it is checked by, not a row owned in it
_SCOPE_TABLE = re.compile(r"(?i)^(?:organi[sz]ation|org|tenant|workspace|account|company)(?:entity|model|orm|table|db)?$")


def loaded_then_decided(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, tuple[str, str]]:
    """Tables with no identity column whose rows a project function holds (a parameter annotated with the
    table, a dependency's row, a lookup of its own or a project helper returning the row) while it calls an
    access decision (``_deciding_call``): ``{table: (function, decision)}``, the first such function. Only a
    candidate: a row of one is decided after its load when the row itself (or an attribute of it) is handed
    to that decision together with who asks (``_helper_decided_row``, BKL202 at the call). Tables named like
    the principal's and the principal classes are not: a user handed to a check is asked about."""
    if project is None:
        return {}
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> dict[str, tuple[str, str]]:
        principals = principal_classes(project, settings)
        found: dict[str, tuple[str, str]] = {}

        def table(name: Optional[str]) -> Optional[str]:
            cls = project.get_class(name) if name else None
            if cls is not None and (core := core_row_table(project, cls[0])) is not None and not USER_CLASS.search(last_segment(cls[0])):
                cls = project.get_class(core) or cls  # ``Pet``: an entity built from one Core table's rows (``pets``)
            if cls is None or cls[0] in principals or USER_CLASS.search(last_segment(cls[0])):
                return None
            if _SCOPE_TABLE.search(last_segment(cls[0])):
                return None  # the scope a permission is granted on, found to check it (``enforce(user, f"organization/{org.id}")``)
            if not is_table_model(project, cls[0]) or is_owned(project, settings, cls[0]):
                return None  # (a Core table's rows handed around as objects are not followed: no finding needs them yet)
            return cls[0]

        def returned(cls: Optional[str], target: str) -> Optional[str]:
            sub = project_callee(project, cls, target)
            if sub is None:
                return None
            if sub[1] is None:
                return (orm_facts(project.modules[sub[0]]).get("functions", {}).get(sub[2]) or {}).get("returns")
            return method_return(project, sub[1], sub[2].rpartition(".")[2])

        deciding: dict[tuple[Optional[str], str], Optional[str]] = {}

        def decision_of(owner: Optional[str], target: str) -> Optional[str]:
            k = (owner if target.startswith("self.") else None, target)
            if k not in deciding:
                deciding[k] = _deciding_call(project, settings, principals, owner, target)
            return deciding[k]

        for mod, facts in project.iter_modules():
            orm = orm_facts(facts)
            flow = flow_facts(project, mod)
            # a route's parameter typed with a table and given by no dependency is the request's body, not a row
            entries = [
                (name, None, fn, [p.get("type") for p in fn.get("params", ()) if p.get("dependency") or not fn.get("route")],
                 flow.get("functions", {}).get(name) or {})
                for name, fn in orm.get("functions", {}).items()
            ]
            for name, fn in orm.get("methods", {}).items():
                owner = f"{mod}.{name.rsplit('.', 1)[0]}"
                types = list(fn.get("arg_types", {}).values()) + [p.get("type") for p in fn.get("params", ())]
                entries.append((name, owner, fn, types, flow.get("methods", {}).get(name) or {}))
            for name, owner, fn, types, summary in entries:
                # a function that holds no row of such a table by its parameters, references or own lookups is
                # not read further: its calls (which change with every edit) stay unread, so the language server
                # keeps its findings elsewhere when only they change
                held = [table(t) for t in types]
                held += [table(t) for t in _service_core_entities(project, types)]
                held += [table(r) for r in fn.get("refs_out", ())]
                held += [table(f.get("model")) for f in summary.get("fetches", ())]
                if not any(held):
                    continue
                calls = list(fn.get("calls_out", ()))
                # ``pets.get_pet(pet_id)`` on a parameter annotated with a service class (``pets: IPetsService``)
                typed = {p.get("name"): p.get("type") for p in fn.get("params", ()) if p.get("type")}
                typed.update(fn.get("arg_types", {}))
                calls += [f"{typed[head]}.{rest}" for c in calls if (head := c.partition(".")[0]) in typed and (rest := c.partition(".")[2]) and "." not in rest]
                decision = next((d for c in calls if (d := decision_of(owner, c)) is not None), None)
                if decision is None:
                    continue
                held += [table(returned(owner, c)) for c in calls]
                for t in held:
                    if t is not None and t not in found:
                        found[t] = (f"{mod}.{name}", decision)
        return found

    return project.memo(("queries.loaded_then_decided", key), build)


def _service_core_entities(project: "ProjectIndex", types: Iterable[Optional[str]]) -> list[str]:
    """The entity classes built from a Core table's rows (``repositories.core_row_table``) that the methods of
    the services among ``types`` return (``pets: IPetsService`` whose ``get_pet`` returns ``Pet``, built from
    ``pets`` rows): a function given such a service holds those rows when it calls them."""
    out: list[str] = []
    for t in types:
        if not t:
            continue
        cls = project.get_class(t)
        if cls is None:
            continue
        impl = sole_implementation(project, cls[0]) or cls[0]
        out.extend(project.memo(("queries.service_core_entities", impl), lambda impl=impl: _core_entities_of(project, impl)))
    return out


def _core_entities_of(project: "ProjectIndex", cls: str) -> list[str]:
    out: list[str] = []
    for name, facts in project.class_mro(cls):
        where = project.split(name) if facts is not None else None
        if where is None:
            continue
        for made in orm_facts(project.modules[where[0]]).get("method_returns", {}).get(where[1], {}).values():
            found = project.get_class(made) if made else None
            if found is not None and core_row_table(project, found[0]) is not None and found[0] not in out:
                out.append(found[0])
    return out


def _held_scope(project: "ProjectIndex", cls: Optional[str], summary: dict, _depth: int = 0) -> bool:
    """The method compares a column with what its object holds (``held_preds``: ``APIKey.project_id ==
    self.project_id``), itself or through the methods of its own class it hands a parameter to
    (``delete(key_id)`` calling ``self.read_one(key_id)``)."""
    if summary.get("held_preds"):
        return True
    if cls is None or _depth > 2:
        return False
    for c in summary.get("calls", ()):
        target = c.get("target", "")
        if target.startswith("self.") and target.count(".") == 1:
            sub = method_summary(project, cls, target[5:])
            if sub is not None and _held_scope(project, sub[1], sub[3], _depth + 1):
                return True
    return False


def _summary_of_call(
    project: "ProjectIndex", cls: Optional[str], target: str
) -> Optional[tuple[str, Optional[str], str, dict]]:
    """(module, class, name, summary) of a call recorded in a flow summary (``calls[].target``), resolved as
    ``helper_unscoped`` resolves it; ``None`` when it is not a summarised project function or method."""
    if target.startswith("self.") and cls is not None and target.count(".") == 2:
        return held_method_summary(project, cls, target)
    if target.startswith("self.") and cls is not None:
        return specialised(project, cls, method_summary(project, cls, target[5:]))
    found = project.resolve_symbol(target)  # (a name that is no project symbol at all is read below: the kind is needed)
    if found is not None and found[2] == "functions":
        s = flow_facts(project, found[0]).get("functions", {}).get(found[1])
        return (found[0], None, found[1], s) if s is not None else None
    if found is None and "." in target:
        owner, _, method = target.rpartition(".")
        store = _store_class(project, owner) or module_instance_class(project, owner)
        if store is not None:
            return specialised(project, store, method_summary(project, store, method))
    return None



# (the public name, for readers outside this package: client_identity)
summary_of_call = _summary_of_call

def project_callee(project: "ProjectIndex", cls: Optional[str], target: str) -> Optional[tuple[str, Optional[str], str]]:
    """(module, class, key of its ``flow`` facts) of a call's target (a flow summary's ``calls[].target``, or a
    qualified name) when it is a function or a method of the project, whose body the index has read:
    ``self._assert_access`` in a method of ``cls``, ``self.perms.can_edit`` (the class ``__init__`` keeps in
    ``perms``), ``app.access.require_member``, ``app.access.Policy.can_edit``. ``None``: not the project's (a
    library's, a builtin) or not resolved: only its name can say what it does."""
    if not target:
        return None
    if target.startswith("self."):
        parts = target.split(".")
        if cls is None or len(parts) > 3:
            return None
        if len(parts) == 2:
            return method_home(project, cls, parts[1])
        held = self_attribute_class(project, cls, parts[1])
        return method_home(project, held, parts[2]) if held is not None else None
    found = project.resolve_symbol(target)
    if found is not None:
        return (found[0], None, found[1]) if found[2] == "functions" else None
    if "." in target:
        owner, _, method = target.rpartition(".")
        klass = project.get_class(owner)
        held = klass[0] if klass is not None else module_instance_class(project, owner)
        if held is not None:
            return method_home(project, held, method)
    return None


def access_exception(project: "ProjectIndex", name: str) -> bool:
    """The exception class ``name`` (a dotted name a helper raises, whose own name says nothing of access)
    refuses access through a base named for it (``class NotYourLedger(PermissionError)``,
    ``class SeatRefused(ForbiddenError)``); ``QuotaExceeded(Exception)`` does not."""
    return any(access_name(last_segment(q)) for q, _ in project.class_mro(name))


def access_groups(project: "ProjectIndex", entry: dict, verdicts: bool = True) -> list[list[str]]:
    """The decision groups of a ``checks`` entry that are access decisions: a refusal of the caller
    (``access``), a refusal with an exception whose bases say access (``refuses``), and, when the caller
    refuses on the answer (``verdicts``), a predicate's answers. Not: validation, quotas, choices."""
    out = list(entry.get("access", ()))
    if verdicts:
        out += entry.get("verdicts", ())
    out += [g for name, g in entry.get("refuses", ()) if access_exception(project, name)]
    return out


def callee_decides(
    project: "ProjectIndex", callee: tuple[str, Optional[str], str], first: object, second: object, _depth: int = 0,
    verdicts: bool = True,
) -> bool:
    """Whether the project function or method ``callee`` (``project_callee``), handed two values at ``first``
    and ``second`` (argument position or keyword, as the call hands them), decides on both: one of its
    decisions (``flow`` facts ``checks``: a ``raise`` under a test, a verdict returned) reads a value made
    from both, or it hands both on to a call that does (a project helper, read the same way, two calls deep
    at most; a callee the index does not know, by its name: ``named_like_check``). ``_record_access(tenant_id,
    reader)`` that only logs, ``has_free_seats(account_id, school_id)`` that decides on the school alone: no.
    A callee named like a check decides by any of its decisions; one that is not must decide access
    (``access_groups``: a 401 / 403 / 404 refusal, an exception named for access, a predicate whose caller
    refuses): validation, quota and default-choice branches on both (``ValueError``, a config picked under a
    test) are its own business. ``verdicts``: whether the caller refuses on a predicate's answer (``False``
    when it answers 402 on it)."""
    module, cls, key = callee
    check_named = named_like_check(last_segment(key))
    flow = flow_facts(project, module)
    entry = flow.get("checks", {}).get(key)
    summary = (flow.get("methods", {}) if cls is not None else flow.get("functions", {})).get(key)
    params = (entry or summary or {}).get("params", [])
    offset = 1 if cls is not None and params[:1] in (["self"], ["cls"]) else 0

    def named(where: object) -> Optional[str]:
        if isinstance(where, int):
            return params[where + offset] if 0 <= where + offset < len(params) else None
        return where if isinstance(where, str) and where in params else None

    a, b = named(first), named(second)
    if a is None or b is None or a == b:
        return False
    if entry and any(
        a in g and b in g for g in (entry.get("groups", ()) if check_named else access_groups(project, entry, verdicts))
    ):
        return True
    if not summary or _depth >= 2:
        return False
    for c in summary.get("calls", ()):
        handed = [*c.get("args", ()), *c.get("attr_args", ())]
        at_a = [w for w, p in handed if p == a]
        at_b = [w for w, p in handed if p == b]
        if not at_a or not at_b:
            continue
        target = c.get("target", "")
        sub = project_callee(project, cls, target)
        if sub is None:
            last = last_segment(target)
            # a library's check, by its name (a class of the project or anything built, ``TenantMember(...)``,
            # decides nothing)
            if not last[:1].isupper() and project.resolve_symbol(target) is None and library_check_name(last):
                return True
            continue
        if any(callee_decides(project, sub, wa, wb, _depth + 1, verdicts) for wa in at_a for wb in at_b):
            return True
    return False


def principal_passes_through(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict,
    param: str, model: str, _depth: int = 0, key: Optional[str] = None,
) -> bool:
    """Whether the caller's id handed to a project function as ``param`` decides nothing there about rows of
    ``model`` (the owned model a client key handed beside it reaches unscoped): the function only hands it on
    or writes it down (``idle`` in its flow summary: audit columns, logs, presence tests), to helpers that do
    the same, that look up the caller's own row on another table (``get_user_tenant_by_user_id(user_id)``,
    whose role may then be tested), or that write rows of another table. A role test read from the caller's
    row in a tenant (``user_role != "ADMIN"``) is no ownership check of a row outside that tenant. Anything else (a comparison, a predicate on ``model``, an
    authorisation helper, a lookup given the caller and the key, a platform admin guard, a function the
    index cannot see) is taken to decide, as before: the function scopes or checks. ``key``, when known, is the
    function's parameter that carries the client's key (``""``: none of them does): a lookup given the caller
    without the key (``clear_default(user_id, table)`` beside ``update(preset_id)``) decides nothing about the
    key's row when it is a write (returns nothing) or is on another table."""
    if param in summary.get("unused", ()) or param in summary.get("kept", ()):
        return True
    own_lookup = param in summary.get("own_lookups", ())
    scopes_only = param in summary.get("scopes_only", ())
    # (``traits_only``: besides, only a trait of the caller's tested, ``if user and user.is_premium:``)
    idle = param in summary.get("idle", ()) or param in summary.get("traits_only", ())
    if (not idle and param not in summary.get("recorded", ()) and not own_lookup and not scopes_only) or _depth > 5:
        return False
    canonical = project.canonical(model)
    if scopes_only:
        # only a predicate of other lookups (``Asset.id == asset_id, Asset.company_id == company_id``): it scopes
        # those rows, keyed by other parameters than the client's key, not the key's row (``User`` by
        # ``data.employee_id``); a lookup of the model itself, or one the key reaches, is scoped or tied there
        if not key:
            return False
        for f in summary.get("fetches", ()):
            keys = f.get("own_keys", f.get("keys", ()))
            if param not in keys:
                continue
            found = project.get_class(f["model"]) if f.get("model") else None
            if found is None or project.canonical(found[0]) == canonical or key in keys:
                return False
    if own_lookup:
        # its own lookups by the caller's id alone (``User.id == inviter_id``): the caller's own row, on another table
        for f in summary.get("fetches", ()):
            if param not in f.get("own_keys", f.get("keys", ())):
                continue
            found = project.get_class(f["model"])
            if found is None or project.canonical(found[0]) == canonical:
                return False
    for source, words in summary.get("admin_guards", ()):
        if not _tenant_role_guard(project, settings, source, words):
            return False
    for c in summary.get("calls", ()):
        handed_args = [*c["args"], *c.get("attr_args", ())]  # (``current_user.id``, ``msg.project_id`` too)
        spots = [where for where, p in handed_args if p == param]
        if not spots:
            continue
        # ``_get_group_in_org(group_key, token_user.org_id)``: the caller's id or tenant read off the principal and
        # handed to a lookup by another key returns a row of the caller's tenant (a parent that may scope)
        tenant_spots = {where for where, p in c.get("attr_args", ()) if p == param}
        target = c["target"]
        if spells_check(last_segment(target)):
            if _check_of_another_row(c, param, key):
                continue
            return False
        sub = _summary_of_call(project, cls, target)
        if sub is None:
            found = project.project_function(target)
            if found is not None:
                return False  # a project function with nothing summarised: it may compare
            continue  # a library call, a row's constructor
        sub_mod, sub_cls, sub_name, sub_summary = sub
        sub_params = sub_summary.get("params", [])
        offset = 1 if (sub_cls is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        others = {p for _, p in handed_args if p != param}
        # without the client's key (known not to be handed here): the caller's own rows, apart from the key's
        apart = key is not None and not any(p == key for _, p in handed_args)
        sub_key: Optional[str] = None
        if key is not None:
            sub_key = ""
            for where, p in handed_args:
                if p == key:
                    sub_key = where if not isinstance(where, int) else (sub_params[where + offset] if where + offset < len(sub_params) else None)
        for where in spots:
            tp = where if not isinstance(where, int) else (sub_params[where + offset] if where + offset < len(sub_params) else None)
            if tp is None:
                return False
            keyed = [f for f in sub_summary.get("fetches", ()) if tp in f.get("keys", ())]
            if keyed:
                for f in keyed:
                    found = project.get_class(f["model"])
                    if found is None:
                        return False
                    if (
                        sub_key and project.canonical(found[0]) == canonical
                        and _list_narrowed(project, settings, (module, name), c, (sub_mod, sub_name), sub_summary, sub_key, key, (param, tp), f, found[0])
                    ):
                        continue  # (the caller's own rows among the listed keys: the key's other lookups stand)
                    if project.canonical(found[0]) == canonical and not (apart and not sub_summary.get("returns")):
                        return False  # a predicate on the model itself: scoped or checked there
                    if others and sub_summary.get("returns") and (not apart or where in tenant_spots):
                        return False  # a lookup given the caller and another key: a membership check
                continue  # the caller's own row on another table, or a write keyed on the caller
            if not principal_passes_through(project, settings, sub_mod, sub_cls, sub_name, sub_summary, tp, model, _depth + 1, sub_key):
                return False
    return True


def _list_narrowed(
    project: "ProjectIndex", settings: "Settings", caller: tuple[str, str], call: dict, callee: tuple[str, str], sub_summary: dict,
    sub_key: str, key: Optional[str], params: tuple[str, str], fetch: dict, model: str,
) -> bool:
    """A lookup handed the caller and the client's list of keys that it matches with ``in_``
    (``where(Document.id.in_(document_ids), Document.user_id == user_id)``), in a function that decides nothing
    on them (no access refusal, ``access_groups``) and whose caller neither refuses on both nor only tests its
    answer: the caller's own rows among those listed, not a decision on every key listed (one row of the
    caller's lets the others through). The key's other lookups (``Document.id.in_(document_ids)`` alone, for the
    titles) are the caller's to answer for. The caller's id must be compared there with the model's owner column
    (``params``: the function's parameter and the callee's): a lookup scoped by a checked parent's key instead
    (``DocumentEdit.schema_id == schema_id``) is the very lookup the key reaches, tied to that parent."""
    param, tp = params
    if call.get("tested") or sub_key not in fetch.get("own_keys", fetch.get("keys", ())):
        return False
    owners = set(identity_columns(project, settings, model))
    if not any(entry.rpartition(":")[2] in owners for entry in sub_summary.get("filters", {}).get(tp, ())):
        return False
    if not any(
        c.get("target", "").endswith(".in_") and any(p == sub_key for _, p in c.get("args", ()))
        for c in sub_summary.get("calls", ())
    ):
        return False
    entry = flow_facts(project, callee[0]).get("checks", {}).get(callee[1])
    if entry and access_groups(project, entry):
        return False
    own = flow_facts(project, caller[0]).get("checks", {}).get(caller[1])
    return not (own and any(param in g and (key is None or key in g) for g in access_groups(project, own)))


def _check_of_another_row(call: dict, param: str, key: Optional[str]) -> bool:
    """A check given the caller and only another row or its key, made from other parameters than the client's
    key (``organisation = check_model_existence(db, Organisation, org_id)``, then ``check_user_in_org(user=
    current_user, organisation=organisation)``, or ``ensure_member(db, user, org_id)``; the product then loaded
    by ``product_id`` alone): it decides on that other row, nothing about the key's. Needs the key known and
    every argument accounted for (``whole`` in the summary); a check handed the key, a local made from it, or
    nothing but the caller (and the session) still decides."""
    if not key or not call.get("whole"):
        return False
    handed = [p for _, p in (*call["args"], *call.get("attr_args", ()))]
    if key in handed:
        return False
    rows = call.get("rows", ())
    if not all(made and key not in made and made != [param] for _, made in rows):
        return False
    return bool(rows) or any(p != param and (p.endswith("_id") or p.endswith("_ids")) for p in handed)


def _tenant_role_guard(project: "ProjectIndex", settings: "Settings", source: str, words: list) -> bool:
    """An admin guard whose role is read from the caller's row in a tenant (the source lookup's table carries
    an identity column beside the one the caller's row is found by: ``UserTenant.tenant_id``) and that lets
    a plain ``admin`` through (not only a super user): the role of a tenant's administrator, which says
    nothing about rows outside that tenant."""
    if not source:
        return False
    if not any("admin" in w and not names_site_operator(w) for w in words):
        return False
    found = project.project_function(source)
    if found is None:
        return False
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1]) or {}
    filters = summary.get("filters", {})
    for f in summary.get("fetches", ()):
        row = project.get_class(f["model"])
        if row is None or not is_table_model(project, row[0]):
            continue
        # the columns the caller's row is found by (``UserTenant.user_id == user_id``) are not its tenant
        by = {entry.rpartition(":")[2] for k in f.get("keys", ()) for entry in filters.get(k, ())}
        if by and set(identity_columns(project, settings, row[0])) - by:
            return True
    return False


def _addressed_first(project: "ProjectIndex", summary: dict) -> list[dict]:
    """The summary's fetches, those whose key is compared with the model's primary key first: a helper that
    deletes a group by ``group_id`` and then its memberships by the same ``group_id`` is named by the group
    (the row the key addresses), not by the membership table."""
    fetches = list(summary.get("fetches", ()))
    if len(fetches) < 2:
        return fetches
    filters = summary.get("filters", {})

    def addressed(fetch: dict) -> bool:
        for k in fetch.get("keys", ()):
            for entry in filters.get(k, ()):
                model, _, column = entry.rpartition(":")
                if model == fetch["model"]:
                    found = project.get_class(model)
                    traits = column_traits(project, found[0], column) if found is not None else None
                    if traits is not None and traits.primary_key:
                        return True
        return False

    return sorted(fetches, key=lambda f: not addressed(f))


# -- a child row loaded by its own key under a row a dependency checked (H157, issue 17) ---------------------------


def checked_parent_model(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str], type_q: Optional[str]) -> Optional[str]:
    """``flight: Flight = Depends(can_read_flight)``: the table model of the row a dependency hands on after
    deciding access to it: the dependency takes a key the client supplies (a plain, path or query parameter)
    and hands it to a call together with who asks (its auth dependency's value, ``user_id=current_user.id``)
    or with a row another such dependency checked (``project_id=project.id`` under ``Depends(can_read_project)``),
    and returns a value. The row's model is the dependency's (or the receiving parameter's) type when a table,
    else the one table model named like that class (``schemas.Project`` for ``models.Project``). ``None`` for
    anything else (no key, no caller, a lookup by the key alone: ``dependency_row``'s shape)."""
    if project is None or not provider:
        return None
    key = ("queries.checked_parent_model", provider, type_q, settings.identity_fields)
    return project.memo(key, lambda: _checked_parent_model(project, settings, provider, type_q, 0))


def _checked_parent_model(project: "ProjectIndex", settings: "Settings", provider: str, type_q: Optional[str], depth: int) -> Optional[str]:
    found = project.project_function(provider)
    if found is None:
        return None
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
    if fn is None or summary is None or not summary.get("returns"):
        return None
    model = _row_table_named(project, type_q) or _row_table_named(project, fn.get("returns"))
    if model is None:
        return None
    plain = ("str", "int", "UUID", "UUID4")
    keys: set[str] = set()
    askers: set[str] = set()
    for p in fn.get("params", ()):
        name = p.get("name")
        if name in ("self", "cls", "request", "websocket"):
            continue
        if p.get("dependency"):
            kind = param_dependency(project, settings, p)
            if kind.kind is not None and not kind.resource:
                askers.add(name)  # who asks
            elif depth < 4 and _checked_parent_model(project, settings, p["dependency"], p.get("type"), depth + 1):
                askers.add(name)  # a row checked above (the flight's project)
            continue
        if p.get("alias") and last_segment(p["alias"]) not in plain:
            continue
        marker = last_segment(p.get("marker"))
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            keys.add(name)
    if not keys or not askers:
        return None
    for c in summary.get("calls", ()):
        handed = {p for _, p in c.get("args", ())} | {p for _, p in c.get("attr_args", ())}
        if handed & keys and handed & askers:
            return model
    return None


def _row_table_named(project: "ProjectIndex", type_q: Optional[str]) -> Optional[str]:
    """The table model ``type_q`` is, or the only table model whose class has its name (a response schema
    named for its table: ``schemas.Flight`` for ``models.Flight``)."""
    if not type_q:
        return None
    canonical = project.canonical(type_q)
    if is_table_model(project, canonical):
        return canonical
    found = tables_by_class_name(project).get(last_segment(type_q), ())
    return found[0] if len(found) == 1 else None


def child_untied_params(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, parent: str,
    models: tuple[tuple[str, str], ...] = (), owned_too: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Parameters of a project function or method that reach a lookup of a table that is not ``parent`` but
    references it through its foreign keys (``DataProduct.flight_id`` -> ``Flight``), with no predicate on a
    column of that reference path and no comparison of one (``row.flight_id != flight_id``), directly or through
    the helpers it hands them to: ``{parameter: (model, call chain, reference path)}``, the shortest path first.
    A function that checks access itself (``checked``) answers for what it loads; an owned table's lookup is
    ``helper_unscoped``'s (reported by its owner column), unless ``owned_too`` (the caller has no principal in
    scope: no owner rule can answer for it, the checked parent is the only tie)."""
    key = ("flow.child_untied", module, cls, name, parent, models, owned_too, settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.memo(key, lambda: _child_untied_params(project, settings, module, cls, name, with_models(summary, dict(models)), parent, 0, owned_too))


def _child_untied_params(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, parent: str, depth: int,
    owned_too: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    if summary.get("checked"):
        return out
    short = name.rsplit(".", 1)[-1] if cls is None else name
    preds = set(summary.get("preds", ()))
    compared = set(summary.get("compared", ()))
    for fetch in _addressed_first(project, summary):
        found = project.get_class(fetch.get("model") or "")
        if found is None or not is_table_model(project, found[0]) or found[0] == parent or (not owned_too and is_owned(project, settings, found[0])):
            continue
        path = reference_path(project, found[0], parent)
        if path is None:
            continue
        own = set(fetch["preds"]) if "preds" in fetch else preds
        seen = set(fetch["compared"]) if "compared" in fetch else compared
        if set(path) & (own | seen) - _param_filled(summary, found[0], fetch):
            continue  # scoped by (or compared with) the reference to the parent
        for k in fetch.get("own_keys", fetch.get("keys", ())):
            old = out.get(k)
            if old is None or len(path) < len(old[2]):
                out[k] = (found[0], (f"{short}()",), path)
    if depth >= 3:
        return out
    params = summary.get("params", [])
    for c in summary.get("calls", ()):
        target = c["target"]
        sub: Optional[tuple[str, Optional[str], str, dict]] = None
        if target.startswith("self.") and cls is not None and target.count(".") == 1:
            sub = specialised(project, cls, method_summary(project, cls, target[5:]))
        elif not target.startswith("self."):
            found_fn = project.project_function(target)
            if found_fn is not None:
                s = flow_facts(project, found_fn[0]).get("functions", {}).get(found_fn[1])
                if s is not None:
                    sub = (found_fn[0], None, found_fn[1], s)
        if sub is None or (sub[0], sub[2]) == (module, name):
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        given = handed_models(sub[3], offset, c.get("models", ()))
        inner = _child_untied_params(project, settings, sub[0], sub[1], sub[2], with_models(sub[3], dict(given)), parent, depth + 1, owned_too)
        if not inner:
            continue
        for where, param in c["args"]:
            if param not in params or param in out:
                continue
            target_param = (sub_params[where + offset] if where + offset < len(sub_params) else None) if isinstance(where, int) else where
            if target_param in inner:
                model, chain, path = inner[target_param]
                out[param] = (model, (f"{short}()",) + chain, path)
    return out


def _param_filled(summary: dict, model: str, fetch: dict) -> set[str]:
    """The columns of ``model`` the function filters only on a parameter it is handed among the fetch's keys
    (``Resource.task_id == task_id`` in ``_list_by_type(task_id, kind, db)``): such a predicate ties the child
    to the checked parent only as well as the value filling it does, and the caller decides that (a call handed
    the checked key or row never asks, ``_note_child_fetch``); a predicate on any other value stays a tie."""
    keys = set(fetch.get("own_keys", fetch.get("keys", ())))
    by_param: set[str] = set()
    other: set[str] = set()
    for param, entries in summary.get("filters", {}).items():
        for entry in entries:
            m, _, column = entry.rpartition(":")
            if m.rsplit(".", 1)[-1] == model.rsplit(".", 1)[-1]:
                (by_param if param in keys else other).add(column)
    return by_param - other


def checked_parent_dependencies(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The project functions that are dependencies handing on a row they checked (``checked_parent_model`` by
    their own return type), by qualified name: family 2's screen lets a file that names one through (a route
    under one may load a child of the row untied to it)."""
    if project is None:
        return frozenset()
    # Stored with the index (a run linting one file reads the names instead of summarising every module's
    # functions), per the settings: who asks decides which dependencies qualify.
    key = f"queries.checked_parent_dependencies:{analysis_key(settings)}"
    return project.stored_memo(key, lambda: _checked_parent_dependencies(project, settings), load=frozenset)


def _checked_parent_dependencies(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    out: set[str] = set()
    for mod, facts in project.modules.items():
        functions = orm_facts(facts).get("functions", {})
        if not functions:
            continue
        summaries = flow_facts(project, mod).get("functions", {})
        for name, fn in functions.items():
            summary = summaries.get(name)
            if summary is None or not summary.get("returns") or not summary.get("calls") or not fn.get("returns"):
                continue
            if not any(p.get("dependency") for p in fn.get("params", ())):
                continue
            if checked_parent_model(project, settings, f"{mod}.{name}", None) is not None:
                out.add(f"{mod}.{name}")
    return frozenset(out)


def checked_parent_params(ctx: "FileContext", identity: Identity) -> dict[str, str]:
    """A route's parameters holding a row its dependency checked (``checked_parent_model``): name -> table
    model; none in an admin-only route."""
    project = ctx.project
    if project is None or identity.route is None or identity.admin:
        return {}
    out: dict[str, str] = {}
    for p in identity.params:
        if p.provider and p.marker in ("Depends", "Security"):
            model = checked_parent_model(project, ctx.settings, p.provider, p.type)
            if model is not None:
                out[p.name] = model
    return out


def decorator_checked_parents(ctx: "FileContext", func: "cst.FunctionDef", identity: Identity) -> dict[str, str]:
    """A route's keys a decorator verified against the caller (``auth.decorator_verified_keys``: openrelik's
    ``@require_access(allowed_roles=[...])`` on ``folder_id``) that name one table model (``table_named_by_key``:
    ``folder_id`` -> ``Folder``): key -> that table. The decorator checked that row for the caller, as a
    dependency handing on a checked row does (``checked_parent_params``): a child of it looked up here by its own
    key and never tied to it is served from any parent. None in an admin-only route."""
    project = ctx.project
    if project is None or identity.route is None or identity.admin:
        return {}
    out: dict[str, str] = {}
    # and the path keys a route's (or its router's) dependency bound to the caller that the handler does not take
    # (``dependencies=[Depends(require_membership)]`` on ``workspace_id``: ``Identity.tenant_keys``): checked
    # there as by a decorator; a key the handler takes is the caller's tenant value already (``identity_params``)
    keys = decorator_verified_keys(ctx, func, identity.principals) | (identity.tenant_keys - set(identity.identity_params))
    for key in sorted(keys):
        table = table_named_by_key(project, key)
        if table is not None and is_table_model(project, table):
            out[key] = table
    return out


def checked_parent_keys(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str]) -> frozenset[str]:
    """The client keys a dependency handing on a checked row takes (``checked_parent_model``), with those of
    the checked rows it is handed in turn (``flight_id``, ``project_id`` for ``can_read_flight``): the route's
    values of them name the checked rows, not a child."""
    if project is None or not provider:
        return frozenset()
    return project.memo(("queries.checked_parent_keys", provider), lambda: _checked_parent_keys(project, settings, provider, 0))


def _checked_parent_keys(project: "ProjectIndex", settings: "Settings", provider: str, depth: int) -> frozenset[str]:
    found = project.project_function(provider)
    if found is None:
        return frozenset()
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    plain = ("str", "int", "UUID", "UUID4")
    out: set[str] = set()
    for p in fn.get("params", ()):
        name = p.get("name")
        if name in ("self", "cls", "request", "websocket"):
            continue
        if p.get("dependency"):
            if depth < 4 and _checked_parent_model(project, settings, p["dependency"], p.get("type"), depth + 1):
                out |= _checked_parent_keys(project, settings, p["dependency"], depth + 1)
            continue
        if p.get("alias") and last_segment(p["alias"]) not in plain:
            continue
        marker = last_segment(p.get("marker"))
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            out.add(name)
    return frozenset(out)


# an active-record lookup by primary key on a model class (``Role.get(role_id)``, Flask-SQLAlchemy's ``get_or_404``)
_ACTIVE_RECORD_GETS = frozenset({"get", "get_or_404", "find_by_id", "get_by_id"})


def with_handed_modules(summary: dict, offset: int, modules: dict[str, str]) -> dict:
    """A helper that looks a row up on a *module* its caller hands in: ``get_role(db, role_id)`` whose body is
    ``db.Role.get(role_id)``, called with ``db`` the project module that gathers the models (``from app import
    db``). Python resolves ``db.Role`` on the module the caller passes, so the lookup is an active-record get
    by primary key on ``<module>.Role`` keyed on the parameter: added to the summary's ``fetches`` (the flow
    extractor, which sees only the parameter, recorded a call to ``db.Role.get``). ``modules``: parameter name
    -> module, the arguments of this call that name a project module."""
    if not modules or not summary.get("calls"):
        return summary
    params = summary.get("params", [])
    added: list[dict] = []
    for c in summary["calls"]:
        parts = c.get("target", "").split(".")
        if len(parts) != 3 or parts[0] not in modules or not parts[1][:1].isupper() or parts[2] not in _ACTIVE_RECORD_GETS:
            continue
        keys = sorted({p for where, p in c.get("args", ()) if where == 0 and p in params})
        if keys:
            added.append({"model": f"{modules[parts[0]]}.{parts[1]}", "keys": keys, "line": c.get("line", 0)})
    if not added:
        return summary
    keyed = {k for f in added for k in f["keys"]}
    out = dict(summary, fetches=[*summary.get("fetches", ()), *added])
    # (what this call adds, for the memo of ``helper_unscoped``: the same helper called with another module, or
    # with none, answers otherwise, whichever call is read first)
    out["handed_fetches"] = tuple(sorted({*summary.get("handed_fetches", ()), *((f["model"], tuple(f["keys"])) for f in added)}))
    if summary.get("idle"):
        out["idle"] = [p for p in summary["idle"] if p not in keyed]
    return out


def summary_candidate_row(project: Optional["ProjectIndex"], settings: "Settings", module: str, name: str) -> Optional[str]:
    """The table of the row a project function with no return annotation looks up by a key it is handed and
    returns (``def get_build(db, build_id): return db.query(Build).filter(Build.id == build_id).first()``), when
    that table is one the project decides on after the load (``helper_checked_tables``: no identity column, its
    rows handed to access decisions); ``None`` otherwise (several tables, no key, a verdict, a check of its
    own). Such a row is the helper's, like a repository's: BKL202 at a decision handed it (through its
    parent), never BKL201."""
    if project is None:
        return None
    summary = flow_facts(project, module).get("functions", {}).get(name)
    if not summary or not summary.get("returns") or summary.get("verdict") or summary.get("checked"):
        return None
    fetches = summary.get("fetches", ())
    models = {f.get("model") for f in fetches}
    if len(models) != 1 or set(summary.get("selects", ())) - models:
        return None
    found = project.get_class(next(iter(models)) or "")
    if found is None or found[0] not in helper_checked_tables(project, settings) or is_owned(project, settings, found[0]):
        return None
    params = set(summary.get("params", ()))
    if not all(f.get("keys") and set(f["keys"]) <= params for f in fetches):
        return None
    return found[0]


# -- a method checking what it loads against ``self.request.user`` (H163, issue 17) ---------------------------------


def request_checked(project: Optional["ProjectIndex"], cls: Optional[str], method: Optional[str]) -> bool:
    """``method`` (``Class.method`` in its module, or the bare method) of the project class ``cls`` refuses access
    under a test of a value made from its parameter together with ``self.<attr>.user``, where ``self.<attr>`` holds
    the request FastAPI built it with (index fact ``request_deciders`` of the ``flow`` facts; the class declares or
    keeps a ``Request``, ``view_request_attributes``): behind an authenticated route, ``request.user`` is the caller,
    so the method checks what it loads for who asks (BKL202 there), like a helper handed the principal."""
    if project is None or not cls or not method:
        return False
    where = project.split(cls)
    if where is None:
        return False
    mod, name = where
    short = method.rsplit(".", 1)[-1]
    facts = project.modules.get(mod) if hasattr(project.modules, "get") else None
    entry = ((facts or {}).get("extra", {}).get("flow", {}).get("request_deciders") or {}).get(f"{name}.{short}")
    if not entry:
        return False
    held = held_request_attributes(project, cls)
    return any(f"self.{a}" in held for a in entry.get("held", ()))


def _client_keyed(ctx: "FileContext", func: cst.FunctionDef, identity: Identity, site: Site) -> bool:
    """The lookup is keyed on a value the client supplies to the route (a path, query, body or form
    parameter, or a local that only copies one)."""
    params = {
        p.name for p in identity.params
        if p.name not in ("self", "cls") and p.marker not in ("Depends", "Security") and p.dependency.kind is None
    }
    copies = ctx.cached(("queries.copies", id(func)), lambda: _local_copies(ctx, func))
    params |= {local for local, source in copies.items() if source in params}
    return any(k.split(".", 1)[0] in params for k in site.key_names)
