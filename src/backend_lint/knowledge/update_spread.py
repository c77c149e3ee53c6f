"""The update form of a spread of client data (BKL101): a body model that declares an identity field is dumped
(``payload.model_dump(exclude_unset=True)``) and applied key by key with a ``setattr`` loop, in the handler or
in the function or method it hands the dump (or the model) to::

    service.update(id, current_user.id, payload.model_dump(exclude_unset=True))
    ...
    def update(self, sketch_id, user_id, updates):
        sketch = ...
        for key, value in updates.items():
            setattr(sketch, key, value)

The client can then reassign the row's owner. The finding is the read of the identity value: the dump in
the handler (or the body model handed to a callee that dumps it). Not reported: a dump that keeps the field
out (``exclude={"owner_id"}``) or names what it keeps (``include=``), a loop that tests its key against an
allow-list (``if key in EDITABLE``), a handler that writes the field itself (``data["owner_id"] = ...``,
``data.pop("owner_id")``, ``row.owner_id = current_user.id``). The callee's loops are index facts
(``appliers`` of ``index/extractors/orm.py``); nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional

from ..ground.lazy import lazy_import

from .auth import NOT_CLIENT_MARKERS, Identity
from .cst import iter_children
from .facts import orm_facts
from .models import is_pydantic_model, is_table_model, schema_fields

if TYPE_CHECKING:
    from ..engine.context import FileContext
    from .index import ProjectIndex

cst = lazy_import("libcst")

DUMPS = frozenset({"model_dump", "dict"})


@dataclass
class UpdateSpread:
    node: "cst.CSTNode"  # the dump (or the body model handed on)
    field: str
    source: str  # inside the message's backticks: ``payload.model_dump()` applied field by field by `SketchService.update()``


def _walk(node: "cst.CSTNode") -> Iterator["cst.CSTNode"]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and n is not node:
            continue
        stack.extend(reversed(list(iter_children(n))))


def _strings(expr: "cst.BaseExpression") -> set[str]:
    out: set[str] = set()
    if isinstance(expr, (cst.Set, cst.List, cst.Tuple, cst.Dict)):
        for el in expr.elements:
            key = el.key if isinstance(el, cst.DictElement) else getattr(el, "value", None)
            if isinstance(key, cst.SimpleString):
                value = key.evaluated_value
                if isinstance(value, str):
                    out.add(value)
    return out


def _dump_of(expr: "cst.BaseExpression", bodies: dict[str, frozenset[str]]) -> Optional[tuple[str, frozenset[str]]]:
    """``payload.model_dump(...)`` of a body parameter -> (parameter, identity fields it carries); ``None`` for
    anything else, or when the dump keeps the fields out or names what it keeps."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in DUMPS):
        return None
    base = expr.func.value
    if not (isinstance(base, cst.Name) and base.value in bodies):
        return None
    carried = set(bodies[base.value])
    for arg in expr.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "include":
            return None
        if arg.keyword.value == "exclude":
            carried -= _strings(arg.value)
    return (base.value, frozenset(carried)) if carried else None


def _loop_applies(loop: "cst.For") -> bool:
    """``for k, v in <x>.items(): ... setattr(obj, k, v)`` with no comparison of ``k`` (an allow-list)."""
    target = loop.target
    if not (isinstance(target, cst.Tuple) and len(target.elements) == 2 and isinstance(target.elements[0].value, cst.Name)):
        return False
    key = target.elements[0].value.value
    sets = allow = False
    for n in _walk(loop.body):
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == "setattr" and len(n.args) == 3:
            second = n.args[1].value
            if isinstance(second, cst.Name) and second.value == key:
                sets = True
        elif isinstance(n, cst.Comparison):
            names = [n.left] + [c.comparator for c in n.comparisons]
            if any(isinstance(x, cst.Name) and x.value == key for x in names):
                allow = True
    return sets and not allow


def _items_source(loop: "cst.For") -> Optional["cst.BaseExpression"]:
    it = loop.iter
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value == "items" and not it.args:
        return it.func.value
    return None


class _Analysis:
    def __init__(self, ctx: "FileContext", func: "cst.FunctionDef", identity: Identity) -> None:
        self.ctx = ctx
        self.func = func
        self.identity = identity
        self.project: "ProjectIndex" = ctx.project  # type: ignore[assignment]
        self.fields = frozenset(ctx.settings.identity_fields)

    def body_params(self) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for p in self.identity.params:
            if p.name in self.identity.principals or p.dependency.kind is not None or p.marker in NOT_CLIENT_MARKERS:
                continue
            if not p.type:
                continue
            q = self.project.canonical(p.type)
            if self.project.get_class(q) is None or not is_pydantic_model(self.project, q) or is_table_model(self.project, q):
                continue
            found = schema_fields(self.project, q) or {}
            carried = self.fields & set(found)
            if carried:
                out[p.name] = frozenset(carried)
        return out

    # -- the callee ---------------------------------------------------------------------------------------
    def local_calls(self) -> dict[str, "cst.BaseExpression"]:
        out: dict[str, cst.BaseExpression] = {}
        for n in _walk(self.func.body):
            if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
                out[n.targets[0].target.value] = n.value
        return out

    def class_of(self, expr: "cst.BaseExpression", locals_: dict[str, "cst.BaseExpression"], depth: int = 0) -> Optional[str]:
        """The project class of a receiver: built here (``SketchService(db)``), returned by a factory with a
        return annotation (``create_sketch_service(db)``), a typed parameter, or the class itself."""
        if depth > 3:
            return None
        if isinstance(expr, cst.Await):
            return self.class_of(expr.expression, locals_, depth + 1)
        if isinstance(expr, cst.Name) and expr.value in locals_:
            return self.class_of(locals_[expr.value], locals_, depth + 1)
        if isinstance(expr, cst.Name):
            for p in self.identity.params:
                if p.name == expr.value and p.type:
                    found = self.project.get_class(p.type)
                    return found[0] if found is not None else None
        if isinstance(expr, cst.Call) and isinstance(expr.func, (cst.Name, cst.Attribute)):
            q = self.ctx.qualified_name(expr.func)
            if q is None:
                return None
            found = self.project.get_class(q)
            if found is not None:
                return found[0]
            symbol = self.project.project_function(q)
            if symbol is not None:
                returns = orm_facts(self.project.modules[symbol[0]]).get("functions", {}).get(symbol[1], {}).get("returns")
                if returns:
                    found = self.project.get_class(returns)
                    return found[0] if found is not None else None
            return None
        if isinstance(expr, (cst.Name, cst.Attribute)):
            q = self.ctx.qualified_name(expr)
            found = self.project.get_class(q) if q else None
            return found[0] if found is not None else None
        return None

    def applier(self, call: "cst.Call", locals_: dict[str, "cst.BaseExpression"]) -> Optional[tuple[str, dict]]:
        """(the callee's name for the message, its ``appliers`` facts) for a call of a project function or
        method that applies one of its parameters with a ``setattr`` loop."""
        func = call.func
        if isinstance(func, cst.Attribute):
            cls = self.class_of(func.value, locals_)
            if cls is not None:
                method = func.attr.value
                for name, facts in self.project.class_mro(cls):
                    if facts is None:
                        continue
                    where = self.project.split(name)
                    if where is None:
                        continue
                    found = orm_facts(self.project.modules[where[0]]).get("appliers", {}).get(f"{where[1]}.{method}")
                    if found is not None:
                        return f"{cls.rsplit('.', 1)[-1]}.{method}", found
                    if method in facts.get("methods", ()):
                        return None
                return None
        if isinstance(func, (cst.Name, cst.Attribute)):
            q = self.ctx.qualified_name(func)
            symbol = self.project.project_function(q) if q else None
            if symbol is not None:
                found = orm_facts(self.project.modules[symbol[0]]).get("appliers", {}).get(symbol[1])
                if found is not None:
                    return symbol[1], found
        return None

    # -- the handler --------------------------------------------------------------------------------------
    def run(self) -> list[UpdateSpread]:
        bodies = self.body_params()
        if not bodies:
            return []
        locals_ = self.local_calls()
        held: dict[str, tuple[str, frozenset[str], cst.Call]] = {}  # local -> the dump it holds
        written: set[str] = set()
        for n in _walk(self.func.body):
            if isinstance(n, cst.Assign) and len(n.targets) == 1:
                target = n.targets[0].target
                if isinstance(target, cst.Name):
                    found = _dump_of(n.value, bodies)
                    if found is not None:
                        held[target.value] = (found[0], found[1], n.value)  # type: ignore[assignment]
            if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Del)):
                targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else [n.target]
                for t in targets:
                    if isinstance(t, cst.Attribute) and t.attr.value in self.fields:
                        written.add(t.attr.value)  # ``row.owner_id = current_user.id``
                    elif isinstance(t, cst.Subscript):
                        for el in t.slice:
                            idx = el.slice
                            if isinstance(idx, cst.Index) and isinstance(idx.value, cst.SimpleString):
                                written.add(str(idx.value.evaluated_value))
            elif isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value in ("pop", "update", "setdefault"):
                for a in n.args:
                    if isinstance(a.value, cst.SimpleString):
                        written.add(str(a.value.evaluated_value))
                    elif a.keyword is not None:
                        written.add(a.keyword.value)
                    written |= _strings(a.value)
            elif isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == "setattr" and len(n.args) == 3:
                if isinstance(n.args[1].value, cst.SimpleString):
                    written.add(str(n.args[1].value.evaluated_value))

        def dump_in(expr: cst.BaseExpression) -> Optional[tuple[str, frozenset[str], cst.CSTNode]]:
            found = _dump_of(expr, bodies)
            if found is not None:
                return found[0], found[1], expr
            if isinstance(expr, cst.Name) and expr.value in held:
                return held[expr.value]
            return None

        out: list[UpdateSpread] = []
        seen: set[tuple[int, str]] = set()

        def add(node: cst.CSTNode, param: str, carried: frozenset[str], how: str, overwritten: frozenset[str] = frozenset()) -> None:
            for f in sorted(carried - written - overwritten):
                if (id(node), f) not in seen:
                    seen.add((id(node), f))
                    out.append(UpdateSpread(node, f, f"{param}.model_dump()` applied field by field {how}"))

        for n in _walk(self.func.body):
            if isinstance(n, cst.For):
                source = _items_source(n)
                found = dump_in(source) if source is not None else None
                if found is not None and _loop_applies(n):
                    add(found[2], found[0], found[1], "with `setattr")
            elif isinstance(n, cst.Call):
                callee = self.applier(n, locals_)
                if callee is None:
                    continue
                name, facts = callee
                params = facts.get("params", [])
                offset = 1 if isinstance(n.func, cst.Attribute) and params[:1] and params[0] in ("self", "cls") else 0
                applies = facts.get("applies", {})
                overwritten = frozenset(facts.get("writes", ()))  # the callee writes the field itself
                for i, a in enumerate(n.args):
                    if a.star:
                        break
                    param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
                    mode = applies.get(param) if param else None
                    if mode is None:
                        continue
                    if mode == "items":
                        found = dump_in(a.value)
                        if found is not None:
                            add(found[2], found[0], found[1], f"by `{name}()", overwritten)
                    elif isinstance(a.value, cst.Name) and a.value.value in bodies:
                        add(a.value, a.value.value, bodies[a.value.value], f"by `{name}()", overwritten)
        return out


def update_spread_findings(ctx: "FileContext", func: "cst.FunctionDef", identity: Identity) -> list[UpdateSpread]:
    """BKL101 findings of the update form in a route handler (see the module's docstring)."""
    if ctx.project is None or identity.route is None:
        return []
    return ctx.cached(("update_spread", id(func)), lambda: _Analysis(ctx, func, identity).run())
