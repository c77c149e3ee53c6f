"""Decorators (or decorator factories) of FastAPI / Starlette views that gate the request they are handed on
``request.user`` (this module has no ``extract``: ``orm._function_facts`` calls ``request_gate``).

lcfs's ``@view_handler([RoleEnum.SUPPLIER, RoleEnum.GOVERNMENT])`` is the shape: its wrapper takes the view's
``request: Request``, reads ``user = getattr(request, "user", None)`` (what an authentication middleware set),
refuses the request when there is none (``if not user: raise HTTPException(401)``), refuses a caller holding none
of the roles the factory was given (``if not any(r in user.role_names for r in required_roles): raise ...``;
``if "*" in required_roles`` lets everyone through), compares ``kwargs.get("organization_id")`` with
``user.organization_id`` and refuses, and then calls the view with the request. What such a decorator decides is
read in ``knowledge.auth.request_gates``."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, walk

_REQUEST_TYPES = frozenset({"Request", "HTTPConnection"})


def _defs(body: list[ast.stmt]) -> list[Any]:
    return [s for s in body if s.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef)]


def _request_param(fn: Any, resolve: Resolve) -> Optional[str]:
    """The wrapper's parameter typed as the request (``request: Request``, ``starlette.requests.Request``)."""
    for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs):
        ann = a.annotation
        if ann is None:
            continue
        q = resolve(ann) or (ann.attr if ann.__class__ is ast.Attribute else getattr(ann, "id", "")) or ""
        if q.rsplit(".", 1)[-1] in _REQUEST_TYPES:
            return a.arg
    return None


def _hands_request(fn: Any, wrapped: set[str], request: str) -> bool:
    """The wrapper calls the wrapped view with the request (``await func(request, *args, **kwargs)``)."""
    for node in walk(fn):
        if node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.func.id in wrapped:  # type: ignore[attr-defined]
            if any(a.__class__ is ast.Name and a.id == request for a in node.args) or any(  # type: ignore[attr-defined]
                k.value.__class__ is ast.Name and k.value.id == request for k in node.keywords  # type: ignore[attr-defined]
            ):
                return True
    return False


def _user_read(node: ast.AST, request: str) -> bool:
    """``request.user`` or ``getattr(request, "user", None)``."""
    if node.__class__ is ast.Attribute and node.attr == "user" and node.value.__class__ is ast.Name and node.value.id == request:  # type: ignore[attr-defined]
        return True
    return (
        node.__class__ is ast.Call
        and node.func.__class__ is ast.Name
        and node.func.id == "getattr"  # type: ignore[attr-defined]
        and len(node.args) >= 2  # type: ignore[attr-defined]
        and node.args[0].__class__ is ast.Name  # type: ignore[attr-defined]
        and node.args[0].id == request  # type: ignore[attr-defined]
        and node.args[1].__class__ is ast.Constant  # type: ignore[attr-defined]
        and node.args[1].value == "user"  # type: ignore[attr-defined]
    )


def _refuses(body: list[ast.stmt]) -> bool:
    return bool(body) and body[-1].__class__ is ast.Raise


def _absent_test(test: ast.expr, held: set[str], request: str) -> bool:
    """``not user``, ``user is None``, ``not request.user``, ``not user.is_authenticated``."""

    def the_user(n: ast.AST) -> bool:
        if n.__class__ is ast.Attribute and n.attr in ("is_authenticated",):  # type: ignore[attr-defined]
            n = n.value  # type: ignore[attr-defined]
        return (n.__class__ is ast.Name and n.id in held) or _user_read(n, request)  # type: ignore[attr-defined]

    if test.__class__ is ast.UnaryOp and test.op.__class__ is ast.Not:  # type: ignore[attr-defined]
        return the_user(test.operand)  # type: ignore[attr-defined]
    if test.__class__ is ast.Compare and len(test.ops) == 1 and test.ops[0].__class__ in (ast.Is, ast.Eq):  # type: ignore[attr-defined]
        right = test.comparators[0]  # type: ignore[attr-defined]
        return right.__class__ is ast.Constant and right.value is None and the_user(test.left)  # type: ignore[attr-defined]
    if test.__class__ is ast.BoolOp and test.op.__class__ is ast.Or:  # type: ignore[attr-defined]
        return any(_absent_test(v, held, request) for v in test.values)  # type: ignore[attr-defined]
    return False


def _kwarg_key(node: ast.AST, kwargs: str) -> Optional[str]:
    if node.__class__ is ast.Subscript:
        base, key = node.value, node.slice  # type: ignore[attr-defined]
    elif node.__class__ is ast.Call and node.func.__class__ is ast.Attribute and node.func.attr == "get" and node.args:  # type: ignore[attr-defined]
        base, key = node.func.value, node.args[0]  # type: ignore[attr-defined]
    else:
        return None
    if base.__class__ is ast.Name and base.id == kwargs and key.__class__ is ast.Constant and isinstance(key.value, str):  # type: ignore[attr-defined]
        return key.value  # type: ignore[attr-defined]
    return None


def request_gate(fn: Any, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A decorator (or factory, up to three levels) whose wrapper takes the view's request, refuses it when the
    request carries no user (an ``if`` on ``request.user`` / a local holding it, ending in ``raise``), and calls
    the view with that request. ``{"factory": the view is a nested level's parameter (``@fn(...)``), "why": the
    refusal, "roles": {factory parameter: position} compared with the user's attributes in a refusing ``if``
    (``required_roles``), "wildcard": string constants tested for membership in such a parameter (``"*" in
    required_roles``), "keys": the view's keyword arguments (``kwargs.get("organization_id")``) compared with an
    attribute of the user in a refusing ``if``}``; ``None`` for anything else."""
    levels: list[tuple[Any, Any]] = [(fn, d) for d in _defs(fn.body)]
    depth = 0
    while levels and depth < 3:
        depth += 1
        nxt: list[tuple[Any, Any]] = []
        for holder, inner in levels:
            hargs = holder.args
            wrapped = {a.arg for a in (*hargs.posonlyargs, *hargs.args)} - {"self", "cls"}
            request = _request_param(inner, resolve)
            if wrapped and request is not None and _hands_request(inner, wrapped, request):
                found = _gate_facts(fn, inner, request)
                if found is not None:
                    found["factory"] = holder is not fn
                    return found
            nxt.extend((inner, d) for d in _defs(inner.body))
        levels = nxt
    return None


def _gate_facts(fn: Any, inner: Any, request: str) -> Optional[dict[str, Any]]:
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args) if a.arg not in ("self", "cls")]
    factory_params = set(positional) | {a.arg for a in fn.args.kwonlyargs}
    kwargs = inner.args.kwarg.arg if inner.args.kwarg is not None else None
    held: set[str] = set()  # locals holding the user
    derived: set[str] = set()  # locals computed from the user (``user_roles = user.role_names``)
    keyed: dict[str, str] = {}  # locals read off the view's kwargs
    assigns = sorted(
        (n for n in walk(inner) if n.__class__ is ast.Assign and len(n.targets) == 1 and n.targets[0].__class__ is ast.Name),  # type: ignore[attr-defined]
        key=lambda n: (n.lineno, n.col_offset),
    )
    for n in assigns:
        target, value = n.targets[0].id, n.value  # type: ignore[attr-defined]
        if _user_read(value, request):
            held.add(target)
            continue
        names = {x.id for x in walk(value) if x.__class__ is ast.Name}  # type: ignore[attr-defined]
        if names & held or any(_user_read(x, request) for x in walk(value)):
            derived.add(target)
        if kwargs is not None:
            for x in walk(value):
                key = _kwarg_key(x, kwargs)
                if key is not None:
                    keyed[target] = key
                    break
    why: Optional[str] = None
    roles: dict[str, int] = {}
    wildcard: set[str] = set()
    keys: set[str] = set()
    for node in walk(inner):
        if node.__class__ is ast.Compare and len(node.ops) == 1 and node.ops[0].__class__ is ast.In:  # type: ignore[attr-defined]
            left, right = node.left, node.comparators[0]  # type: ignore[attr-defined]
            if left.__class__ is ast.Constant and isinstance(left.value, str) and right.__class__ is ast.Name and right.id in factory_params:  # type: ignore[attr-defined]
                wildcard.add(left.value)  # type: ignore[attr-defined]
        if node.__class__ is not ast.If or not _refuses(node.body):  # type: ignore[attr-defined]
            continue
        test = node.test  # type: ignore[attr-defined]
        if why is None and _absent_test(test, held, request):
            why = "refuses a request that carries no `request.user`"
            continue
        names = {x.id for x in walk(test) if x.__class__ is ast.Name}  # type: ignore[attr-defined]
        on_user = bool(names & (held | derived)) or any(_user_read(x, request) for x in walk(test))
        if not on_user:
            continue
        for p in sorted(names & factory_params):
            roles[p] = positional.index(p) if p in positional else -1
        if kwargs is not None:
            for x in walk(test):
                key = _kwarg_key(x, kwargs)
                if key is None and x.__class__ is ast.Name and x.id in keyed:  # type: ignore[attr-defined]
                    key = keyed[x.id]  # type: ignore[attr-defined]
                if key is not None:
                    keys.add(key)
    if why is None:
        return None
    out: dict[str, Any] = {"why": why}
    if roles:
        out["roles"] = roles
    if wildcard:
        out["wildcard"] = sorted(wildcard)
    if keys:
        out["keys"] = sorted(keys)
    return out


def request_decides(fn: Any, refusal: Any) -> Optional[dict[str, Any]]:
    """A method of a class that holds the request (``self.request``; whether the attribute holds one is the
    index's to say, ``knowledge.auth.view_request_attributes``) that refuses access under a test reading both a
    value made from one of its parameters (the parameter, or a row looked up by it: ``report = await
    self.repo.get(report_id)``, ``organization_id = report.organization_id``) and a value made from
    ``self.<attr>.user`` (``user_organization_id = self.request.user.organization.organization_id``): lcfs's
    ``ComplianceReportValidation.validate_organization_access(report_id)``. ``refusal``: the flow extractor's
    reading of a raised exception (``True`` when it refuses access: a 401 / 403 / 404, an access name).
    ``{"on": [parameters], "held": [attributes]}``, or ``None``."""
    args = fn.args
    given = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg not in ("self", "cls")]
    if not given:
        return None
    held: set[str] = set()

    def caller_read(node: ast.AST) -> Optional[str]:
        if (
            node.__class__ is ast.Attribute
            and node.attr == "user"  # type: ignore[attr-defined]
            and node.value.__class__ is ast.Attribute  # type: ignore[attr-defined]
            and node.value.value.__class__ is ast.Name  # type: ignore[attr-defined]
            and node.value.value.id == "self"  # type: ignore[attr-defined]
        ):
            return node.value.attr  # type: ignore[attr-defined]
        return None

    nodes = list(walk(fn))
    for n in nodes:
        attr = caller_read(n)
        if attr is not None:
            held.add(attr)
    if not held:
        return None
    from_params: dict[str, set[str]] = {}  # local -> the parameters its value is made from
    callered: set[str] = set()
    assigns = sorted(
        (n for n in nodes if n.__class__ in (ast.Assign, ast.AnnAssign)),
        key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
    )
    def reads(expr: ast.AST) -> tuple[set[str], bool]:
        """The parameters ``expr`` is made from (directly or through locals), and whether it reads the caller."""
        made: set[str] = set()
        caller = False
        for x in walk(expr):
            if x.__class__ is ast.Name:
                if x.id in given:  # type: ignore[attr-defined]
                    made.add(x.id)  # type: ignore[attr-defined]
                made |= from_params.get(x.id, set())  # type: ignore[attr-defined]
                caller = caller or x.id in callered  # type: ignore[attr-defined]
            elif caller_read(x) is not None:
                caller = True
        return made, caller

    for n in assigns:
        targets = n.targets if n.__class__ is ast.Assign else [n.target]  # type: ignore[attr-defined]
        value = n.value  # type: ignore[attr-defined]
        if value is None or len(targets) != 1 or targets[0].__class__ is not ast.Name:
            continue
        target = targets[0].id
        made, caller = reads(value)
        if made:
            from_params[target] = made
        else:
            from_params.pop(target, None)
        if caller:
            callered.add(target)
        else:
            callered.discard(target)
    on: set[str] = set()
    for n in nodes:
        if n.__class__ is not ast.If or not n.body or n.body[-1].__class__ is not ast.Raise:  # type: ignore[attr-defined]
            continue
        if refusal(n.body[-1].exc) is not True:  # type: ignore[attr-defined]
            continue
        made, caller = reads(n.test)  # type: ignore[attr-defined]
        if caller and made:
            on |= made
    if not on:
        return None
    return {"on": sorted(on), "held": sorted(held)}
