"""The caller's values an authentication dependency keeps on ``request.state`` (index facts ``state_sets``,
``state_client``, ``state_returns``: ``index/extractors/request_state.py``).

An auth dependency (a project function that authenticates a credential, ``authenticating_function``) that
stores what it found of the caller on the request (``request.state._org_id = membership``,
``request.state._current_user = user``; the value is its own local, made from no client value) makes that
attribute the caller's wherever an authenticated route reads it back: ``request.state._org_id``,
``getattr(request.state, "_org_id", None)``, or a project helper whose only statement returns one of those
(``org_id = get_user_org_id(request)``). The attribute names its identity field (``_org_id`` -> ``org_id``,
``request.state.org = m.organization_id`` -> ``organization_id``), or the principal (``_current_user``).
An attribute that anything else sets from a client value (a middleware copying ``X-Org`` from the headers, a
dependency copying a query parameter) is no one's: nothing changes for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..facts import orm_facts
from ..imports import last_segment
from .dependencies import REQUEST_STATE_PRINCIPALS, _request_params, authenticating_function

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from .params import ParamInfo

cst = lazy_import("libcst")


def caller_state_attributes(project: Optional["ProjectIndex"], fields: frozenset[str]) -> dict[str, Optional[str]]:
    """``{attribute of request.state: identity field, or None for the principal}`` set by the project's auth
    dependencies from the caller (and set from a client value nowhere)."""
    if project is None:
        return {}

    def build() -> dict[str, Optional[str]]:
        found: dict[str, Optional[str]] = {}
        client: set[str] = set()
        for mod, facts in project.modules.items():
            orm = orm_facts(facts)
            for kind in ("functions", "methods"):
                for name, fn in (orm.get(kind) or {}).items():  # type: ignore[union-attr]
                    client |= set(fn.get("state_client", ()))
                    sets = fn.get("state_sets")
                    if not sets:
                        continue
                    if kind == "methods" or authenticating_function(project, f"{mod}.{name}") is None:
                        client |= set(sets)  # set by what authenticates no one: a middleware's, a header's
                        continue
                    for attr, value in sets.items():
                        bare = attr.strip("_")
                        tail = last_segment(value) if "." in value and "(" not in value else ""
                        if tail in fields:
                            found.setdefault(attr, tail)
                        elif bare in fields and "(" not in value:
                            found.setdefault(attr, bare)
                        elif bare in REQUEST_STATE_PRINCIPALS and "." not in value and "(" not in value:
                            found.setdefault(attr, None)
        return {a: f for a, f in found.items() if a not in client}

    return project.memo(("auth.caller_state", fields), build)


def _state_read(node: "cst.BaseExpression", requests: set[str]) -> Optional[str]:
    """``x`` of ``request.state.x`` or ``getattr(request.state, "x"[, default])``."""
    while isinstance(node, cst.Await):
        node = node.expression
    if isinstance(node, cst.Attribute):
        base = node.value
        if isinstance(base, cst.Attribute) and base.attr.value == "state" and isinstance(base.value, cst.Name) and base.value.value in requests:
            return node.attr.value
        return None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "getattr" and 2 <= len(node.args) <= 3:
        base, key = node.args[0].value, node.args[1].value
        if (
            isinstance(base, cst.Attribute) and base.attr.value == "state" and isinstance(base.value, cst.Name)
            and base.value.value in requests and isinstance(key, cst.SimpleString) and not node.args[0].keyword
        ):
            text = key.evaluated_value
            return text if isinstance(text, str) else None
    return None


def _helper_read(ctx: "FileContext", node: "cst.BaseExpression", requests: set[str]) -> Optional[str]:
    """``x`` for ``helper(request)`` where the project function ``helper`` only returns ``request.state.x``."""
    project = ctx.project
    while isinstance(node, cst.Await):
        node = node.expression
    if project is None or not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
        return None
    found = project.project_function(ctx.qualified_name(node.func))
    if found is None:
        return None
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
    returns = fn.get("state_returns")
    if not returns:
        return None
    i = returns["param"]
    positional = [a for a in node.args if a.keyword is None and not a.star]
    if i < len(positional) and isinstance(positional[i].value, cst.Name) and positional[i].value.value in requests:
        return returns["attr"]
    return None


def state_caller(ctx: "FileContext", func: "cst.FunctionDef", params: list["ParamInfo"]) -> tuple[dict[str, Optional[str]], dict[str, tuple[Optional[str], int]]]:
    """For an authenticated route: (``{"request.state.x": field or None}`` for every read of such an attribute,
    ``{local: (field or None, id of the assignment)}`` for ``org_id = get_user_org_id(request)`` /
    ``org_id = getattr(request.state, "_org_id", None)``), over ``caller_state_attributes``."""
    requests = _request_params(params)
    if not requests:
        return {}, {}
    attrs = caller_state_attributes(ctx.project, frozenset(ctx.settings.identity_fields))
    if not attrs:
        return {}, {}
    paths: dict[str, Optional[str]] = {}
    locals_: dict[str, tuple[Optional[str], int]] = {}
    stack: list[cst.CSTNode] = [func.body]
    written: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign):
            written |= {id(t.target) for t in node.targets}
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            written.add(id(node.target))
        if isinstance(node, cst.Attribute) and id(node) not in written:
            attr = _state_read(node, requests)
            if attr in attrs:
                paths[f"{node.value.value.value}.state.{attr}"] = attrs[attr]  # type: ignore[attr-defined]
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], cst.Name):
                attr = _state_read(node.value, requests) or _helper_read(ctx, node.value, requests)
                if attr in attrs:
                    locals_.setdefault(targets[0].value, (attrs[attr], id(node)))
        stack.extend(node.children)
    return paths, locals_
