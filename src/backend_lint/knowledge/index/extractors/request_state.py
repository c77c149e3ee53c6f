"""What a function puts on, or reads back from, ``request.state`` (this module has no ``extract``:
``orm._function_facts`` calls ``state_facts``; read in ``knowledge.auth.request_state``).

``state_sets``: ``{attribute: value spelled}`` for ``request.state._org_id = membership`` where the value is a local
of the function (or its attribute) that no client value reaches: not a parameter the function takes from the
request (only ``Depends(...)`` parameters are not), nor anything read off the request's headers, query string,
path parameters, cookies or body, nor a local made from those (a token's ``jwt.decode``/``verify`` call is
what turns a credential into the caller, so it clears the mark); ``state_client``: the attributes it sets
from anything else. ``state_returns``: ``{"param": i, "attr":
name}`` for a function whose only statement (after a docstring) returns ``getattr(request.state, "name",
...)`` or ``request.state.name`` of its ``i``-th parameter."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import walk

_CLIENT_ATTRS = frozenset({"headers", "query_params", "path_params", "cookies", "body", "json", "form", "client"})
_CLEARING = ("decode", "verify")


def _state_attribute(node: ast.expr, params: set[str]) -> Optional[tuple[str, str]]:
    """``(parameter, attribute)`` for ``p.state.x`` or ``getattr(p.state, "x"[, default])``, ``p`` a parameter."""
    if node.__class__ is ast.Attribute:
        base = node.value  # type: ignore[attr-defined]
        if base.__class__ is ast.Attribute and base.attr == "state" and base.value.__class__ is ast.Name and base.value.id in params:
            return base.value.id, node.attr  # type: ignore[attr-defined]
        return None
    if (
        node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.func.id == "getattr"  # type: ignore[attr-defined]
        and 2 <= len(node.args) <= 3 and not node.keywords  # type: ignore[attr-defined]
        and node.args[1].__class__ is ast.Constant and isinstance(node.args[1].value, str)  # type: ignore[attr-defined]
    ):
        base = node.args[0]  # type: ignore[attr-defined]
        if base.__class__ is ast.Attribute and base.attr == "state" and base.value.__class__ is ast.Name and base.value.id in params:
            return base.value.id, node.args[1].value  # type: ignore[attr-defined]
    return None


def _clears(value: ast.expr) -> bool:
    while value.__class__ is ast.Await:
        value = value.value  # type: ignore[attr-defined]
    if value.__class__ is not ast.Call:
        return False
    f = value.func  # type: ignore[attr-defined]
    name = f.attr if f.__class__ is ast.Attribute else getattr(f, "id", "")
    return name.startswith(_CLEARING)


def _client(value: ast.expr, tainted: set[str]) -> bool:
    for n in walk(value):
        if n.__class__ is ast.Name and n.id in tainted:
            return True
        if n.__class__ is ast.Attribute and n.attr in _CLIENT_ATTRS:
            return True
    return False


def state_facts(fn: Any, params: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    args = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]
    names = set(args)
    body = [s for s in fn.body if not (s.__class__ is ast.Expr and s.value.__class__ is ast.Constant)]  # type: ignore[attr-defined]
    if len(body) == 1 and body[0].__class__ is ast.Return and body[0].value is not None:  # type: ignore[attr-defined]
        found = _state_attribute(body[0].value, names)  # type: ignore[attr-defined]
        if found is not None:
            out["state_returns"] = {"param": args.index(found[0]), "attr": found[1]}
        return out
    assigns: list[tuple[str, ast.expr]] = []
    stores: list[tuple[str, ast.expr]] = []
    for n in walk(fn):
        if n.__class__ is ast.Assign:
            for t in n.targets:
                if t.__class__ is ast.Name:
                    assigns.append((t.id, n.value))
                elif t.__class__ is ast.Tuple:
                    assigns.extend((e.id, n.value) for e in t.elts if e.__class__ is ast.Name)
                elif t.__class__ is ast.Attribute and _state_attribute(t, names) is not None:
                    stores.append((t.attr, n.value))
        elif n.__class__ in (ast.AnnAssign, ast.AugAssign, ast.NamedExpr) and n.target.__class__ is ast.Name and n.value is not None:
            assigns.append((n.target.id, n.value))
        elif n.__class__ in (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith):
            for t in ([n.target] if n.__class__ in (ast.For, ast.AsyncFor) else [i.optional_vars for i in n.items]):
                for e in walk(t) if t is not None else ():
                    if e.__class__ is ast.Name:
                        assigns.append((e.id, n.iter if n.__class__ in (ast.For, ast.AsyncFor) else n.items[0].context_expr))
    if not stores:
        return out
    depends = {p["name"] for p in params if p.get("dependency")}
    tainted = names - depends
    changed = True
    while changed:
        changed = False
        for name, value in assigns:
            if name not in tainted and not _clears(value) and _client(value, tainted):
                tainted.add(name)
                changed = True
    local = {name for name, _ in assigns}
    sets: dict[str, str] = {}
    for attr, value in stores:
        root = value
        while root.__class__ is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if root.__class__ is ast.Name and (root.id in local or root.id in depends) and not _client(value, tainted):  # type: ignore[attr-defined]
            sets.setdefault(attr, ast.unparse(value)[:100])
        else:
            sets[attr] = ""  # set from something else somewhere: not the caller's
    if any(sets.values()):
        out["state_sets"] = {a: v for a, v in sets.items() if v}
    if not all(sets.values()):
        out["state_client"] = sorted(a for a, v in sets.items() if not v)
    return out
