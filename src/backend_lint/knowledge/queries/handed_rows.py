"""Rows a route looks up by its client keys and hands, as they are, to a project function (``org = await
OrganizationRepository(db).get_by_id(org_id)``, then ``svc.update(org, payload, current_user)``): in the callee
such a parameter holds a row fetched unscoped, so a check of it there (``self._require_role(actor.id, org.id,
...)``) is made after an unscoped fetch (BKL202 at that check), as for a row a dependency hands in
(``summaries.dependency_row``). Read from the routes' ``feeds`` facts (kind ``row``, ``index/extractors/orm.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ...ground.config import analysis_key
from ..auth import param_dependency, principal_classes
from ..context_managers import entered_instance
from ..facts import orm_facts
from ..models import globally_scoped, identity_columns, is_owned
from .summaries import _single_lookup_model, flow_facts, helper_checked_tables, method_summary
from .vocabulary import named_like_check

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex


def route_handed_rows(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, dict[str, str]]:
    """``{function: {parameter: table model}}``: parameters of project functions that some route hands a row it
    looked up by its own client keys alone (a plain path, query or body value, a dependency that is not the
    caller beside it) through a project function or method whose summary is one lookup of that table, keyed on
    what it is handed, with no owner predicate and nothing checked. Only tables that are owned or that the
    project hands to its checks (``helper_checked_tables``), never the principal's. A callee the route reads as
    the check itself is left out (one finding per fetch: ``_route_reads_as_check``)."""
    if project is None:
        return {}
    return project.memo(("queries.route_handed_rows", analysis_key(settings)), lambda: _route_handed_rows(project, settings))


def _route_handed_rows(project: "ProjectIndex", settings: "Settings") -> dict[str, dict[str, str]]:
    decided = helper_checked_tables(project, settings)
    principals = principal_classes(project, settings)
    out: dict[str, dict[str, str]] = {}
    for _, facts in project.iter_modules():
        for fn in orm_facts(facts).get("functions", {}).values():
            if not fn.get("route"):
                continue
            own = {p["name"]: p for p in fn.get("params", ())}
            for feed in fn.get("feeds", ()):
                rows = [(where, param) for where, param, kind in feed["args"] if kind == "row"]
                if not rows:
                    continue
                callee = _callee(project, fn, feed["target"])
                if callee is None or _route_reads_as_check(project, feed["target"], callee[0]):
                    continue
                for where, param in rows:
                    name = callee[1][where] if isinstance(where, int) and where < len(callee[1]) else where
                    model = _fetched_model(project, settings, fn, own, param)
                    if not isinstance(name, str) or name not in callee[1] or model is None or model in principals:
                        continue
                    if (is_owned(project, settings, model) or model in decided) and not globally_scoped(project, model):
                        out.setdefault(callee[0], {})[name] = model
    return out


def _route_reads_as_check(project: "ProjectIndex", target: str, callee: str) -> bool:
    """The route reads its call of ``callee`` as the check itself (BKL202 at the call, ``_Decisions.
    _authorization_helper``): a callee named like a check, or a module function that decides on what it is
    handed (``deciders`` of the ``flow`` facts: ``deck_for(account, deck, session)`` refusing on both)."""
    if named_like_check(callee.rsplit(".", 1)[-1]):
        return True
    found = project.project_function(target)
    return found is not None and found[1] in flow_facts(project, found[0]).get("deciders", ())


def _callee(project: "ProjectIndex", fn: dict, target: str) -> Optional[tuple[str, list[str]]]:
    """(``"<module>.<name>"``, parameter names in call order) of a feed's target: a project function, or the one
    method its typed receiver resolves to (``receivers`` facts; ``self`` dropped)."""
    found = project.project_function(target)
    if found is not None:
        entry = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        return f"{found[0]}.{found[1]}", [p["name"] for p in entry.get("params", ())]
    methods = [entered_instance(project, r) or r for r in fn.get("receivers", {}).get(target, ()) if "." in r]
    if len(methods) != 1:
        return None
    summary = _method(project, methods[0])
    if summary is None:
        return None
    return f"{summary[0]}.{summary[2]}", list(summary[3].get("params", ()))[1:]


def _method(project: "ProjectIndex", qualified: str) -> Optional[tuple[str, str, str, dict]]:
    cls, _, method = qualified.rpartition(".")
    return method_summary(project, cls, method) if cls and project.get_class(cls) is not None else None


def _fetched_model(project: "ProjectIndex", settings: "Settings", fn: dict, own: dict[str, Any], param: str) -> Optional[str]:
    """The table the route's lookup (``param``: ``"<target>|<dependencies handed>"``) returns a row of, looked
    up by the client's key with no owner predicate; ``None`` when a dependency handed is the caller's or the
    lookup's summary says otherwise."""
    target, _, deps = param.partition("|")
    if any(d in own and param_dependency(project, settings, own[d]).kind == "auth" for d in deps.split(",") if d):
        return None  # (handed the caller: it may scope the lookup)
    found = project.project_function(target)
    if found is not None:
        summary: Optional[dict] = flow_facts(project, found[0]).get("functions", {}).get(found[1])
    else:
        methods = [entered_instance(project, r) or r for r in fn.get("receivers", {}).get(target, ()) if "." in r]
        hit = _method(project, methods[0]) if len(methods) == 1 else None
        summary = hit[3] if hit is not None else None
    if not summary or summary.get("checked"):
        return None
    # (one lookup of one table keyed on what it is handed, returned: ``_single_lookup_model`` without the getter's name)
    model = _single_lookup_model(summary, "get")
    if model is None:
        return None
    model = project.canonical(model)
    if set(identity_columns(project, settings, model)) & set(summary.get("preds", ())):
        return None  # (an owner predicate of its own)
    return model
