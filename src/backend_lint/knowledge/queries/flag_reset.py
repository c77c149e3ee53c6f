"""A table-wide flag reset (``flag_reset``): ``update(Agent).values(is_default=False)``, or the rows
``select(Pipeline).where(Pipeline.is_default == True)`` each set ``existing.is_default = False``, before the route
marks its own row as the default. The statement is keyed on no client value (its predicates compare columns with
constants, or exclude a key: ``Pipeline.id != pipeline_id``) and nothing of the rows leaves: the only use of them is
writing constants into the flags the predicates test (an ``update(M)`` writes only ``True`` / ``False``, into the
flags its predicates test when they test any). The client names no row and reads none (RULES.md's BKL201:
a row loaded by a client key, or an owned listing served).

Such a reset does change other owners' rows, so it is made no claim only where the project keeps the flag
table-wide: no lookup of the model anywhere in the project compares the flag together with one of the model's
owner columns (a flag read per owner, ``Address.user_id == user.id, Address.is_default == True``, makes the
unscoped reset a write into every other owner's rows: reported as before)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..cst import iter_children, walk
from ..models import identity_columns
from .summaries import flow_facts

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from .values import Site

cst = lazy_import("libcst")

_PREDICATES = frozenset({"where", "filter", "filter_by"})
_CONSTANT_NAMES = frozenset({"True", "False", "None"})


def flag_reset(ctx: "FileContext", func: "cst.FunctionDef", site: "Site", model: str) -> bool:
    """The site is a reset of table-wide flags (module docstring)."""
    if site.via or site.kind not in ("update", "select", "query") or not isinstance(site.node, cst.Call):
        return False
    parents: dict[int, cst.CSTNode] = {}
    for node in walk(func):
        for child in iter_children(node):
            parents[id(child)] = node
    chain = _chain(site.node, parents)
    tested: set[str] = set()
    written: set[str] = set()
    for method, call in chain:
        if method in _PREDICATES:
            found = _constant_predicates(call, method)
            if found is None:
                return False
            tested |= found
        elif method == "values" or (method == "update" and site.kind == "query"):
            found = _constant_values(call, booleans=site.kind == "update")
            if found is None:
                return False
            written |= found
    if site.kind == "update":
        # (flags only: every value written a ``True`` / ``False``, into the flags the predicates test when they
        # test any: ``values(line="")`` on every other row blanks other owners' data, it resets no flag)
        if not written or (tested and not written <= tested):
            return False
    else:
        if not tested or not _rows_only_reset(func, site, tested, parents):
            return False
        written = tested
    return not _flag_read_per_owner(ctx, model, written)


def _chain(start: cst.Call, parents: dict[int, cst.CSTNode]) -> list[tuple[str, cst.Call]]:
    """The methods called on the statement (``.where(...)``, ``.values(...)``, ``.update({...})``), in order."""
    out: list[tuple[str, cst.Call]] = []
    node: cst.CSTNode = start
    while True:
        attr = parents.get(id(node))
        if not (isinstance(attr, cst.Attribute) and attr.value is node):
            return out
        call = parents.get(id(attr))
        if not (isinstance(call, cst.Call) and call.func is attr):
            return out
        out.append((attr.attr.value, call))
        node = call


def _constant(expr: cst.BaseExpression) -> bool:
    return (isinstance(expr, cst.Name) and expr.value in _CONSTANT_NAMES) or isinstance(
        expr, (cst.Integer, cst.Float, cst.SimpleString)
    )


def _column(expr: cst.BaseExpression) -> Optional[str]:
    """``Pipeline.is_default``: the column's name (a capitalised class's attribute)."""
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value[:1].isupper():
        return expr.attr.value
    return None


def _constant_predicates(call: cst.Call, method: str) -> Optional[set[str]]:
    """The columns a predicate call holds equal to constants (``M.flag == True``, ``M.flag.is_(True)``,
    ``filter_by(flag=True)``); exclusions (``M.id != key``) allowed beside them; ``None`` when any argument is
    something else (a client key compared for equality, a call, an ``or_``)."""
    out: set[str] = set()
    for arg in call.args:
        if arg.star:
            return None
        if method == "filter_by":
            if arg.keyword is None or not _constant(arg.value):
                return None
            out.add(arg.keyword.value)
            continue
        value = arg.value
        if isinstance(value, cst.Comparison) and len(value.comparisons) == 1:
            op, right = value.comparisons[0].operator, value.comparisons[0].comparator
            column = _column(value.left)
            if column is None:
                return None
            if isinstance(op, (cst.Equal, cst.Is)) and _constant(right):
                out.add(column)
                continue
            if isinstance(op, (cst.NotEqual, cst.IsNot)):
                continue  # (an exclusion: ``Pipeline.id != pipeline_id``, every row but one)
            return None
        if (
            isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in ("is_", "is_not")
            and len(value.args) == 1 and _constant(value.args[0].value)
        ):
            column = _column(value.func.value)
            if column is None:
                return None
            if value.func.attr.value == "is_":
                out.add(column)
            continue
        return None
    return out


def _flag_value(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("True", "False")


def _constant_values(call: cst.Call, booleans: bool = False) -> Optional[set[str]]:
    """``.values(is_default=False)`` / ``.update({"is_default": False})``: the columns written, each a constant
    (with ``booleans``, each ``True`` / ``False``: a flag); ``None`` otherwise."""
    constant = _flag_value if booleans else _constant
    out: set[str] = set()
    if len(call.args) == 1 and call.args[0].keyword is None and isinstance(call.args[0].value, cst.Dict):
        for element in call.args[0].value.elements:
            if not isinstance(element, cst.DictElement) or not constant(element.value):
                return None
            key = element.key
            if isinstance(key, cst.SimpleString):
                out.add(key.evaluated_value if isinstance(key.evaluated_value, str) else "")
            elif (column := _column(key)) is not None:
                out.add(column)
            else:
                return None
        return out or None
    for arg in call.args:
        if arg.keyword is None or arg.star or not constant(arg.value):
            return None
        out.add(arg.keyword.value)
    return out or None


def _rows_only_reset(func: "cst.FunctionDef", site: "Site", flags: set[str], parents: dict[int, cst.CSTNode]) -> bool:
    """Every read, after the site, of the rows the site's result is bound to (``result``, ``existing_defaults = result.scalars().all()``,
    ``for existing in existing_defaults``) only unwraps them into another such local, iterates them, or is the target
    of a constant written into one of ``flags`` (``existing.is_default = False``)."""
    rows = set(site.row_names)
    if not rows:
        return False
    # (what follows the site, in source order: a local bound to another statement's result before it is not these rows)
    order = list(walk(func.body))
    start = next((i for i, n in enumerate(order) if n is site.node), None)
    if start is None:
        return False
    after = order[start:]
    changed = True
    while changed:  # (the locals unwrapped from the result, and the loop variables over them)
        changed = False
        for node in after:
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                name = node.targets[0].target.value
                if name not in rows and _unwraps(node.value, rows):
                    rows.add(name)
                    changed = True
            elif isinstance(node, (cst.For,)) and isinstance(node.target, cst.Name) and node.target.value not in rows:
                if (isinstance(node.iter, cst.Name) and node.iter.value in rows) or _unwraps(node.iter, rows):
                    rows.add(node.target.value)
                    changed = True
    written = False
    for node in after:
        if not (isinstance(node, cst.Name) and node.value in rows):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, (cst.AssignTarget, cst.For)) and (getattr(parent, "target", None) is node):
            continue  # (bound here)
        if isinstance(parent, cst.For) and parent.iter is node:
            continue
        if isinstance(parent, cst.Assign) and _unwraps(parent.value, rows):
            continue
        if isinstance(parent, cst.Attribute) and parent.value is node:
            holder = parents.get(id(parent))
            if isinstance(holder, cst.AssignTarget) and parent.attr.value in flags:
                assign = parents.get(id(holder))
                if isinstance(assign, cst.Assign) and _constant(assign.value):
                    written = True
                    continue
            if _inside_unwrap(parent, parents, rows):
                continue
        return False
    return written


_UNWRAPS = frozenset({"scalars", "all", "first", "scalar_one_or_none", "one_or_none", "unique", "scalar", "one", "scalar_one"})


def _unwraps(expr: cst.BaseExpression, rows: set[str]) -> bool:
    """``result.scalars().all()``, ``await session.scalars(...)`` read off a row local: only unwrapping calls."""
    value = expr.expression if isinstance(expr, cst.Await) else expr
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in _UNWRAPS and not value.args:
        value = value.func.value
    return isinstance(value, cst.Name) and value.value in rows and value is not expr


def _inside_unwrap(attr: cst.Attribute, parents: dict[int, cst.CSTNode], rows: set[str]) -> bool:
    """``result.scalars()`` inside an assignment that binds another row local, or iterated (``_unwraps``)."""
    node: cst.CSTNode = attr
    while True:
        parent = parents.get(id(node))
        if parent is None:
            return False
        if isinstance(parent, cst.Assign):
            return _unwraps(parent.value, rows)
        if isinstance(parent, cst.For) and parent.iter is node:
            return _unwraps(node, rows)  # (``for existing in result.scalars().all():``)
        if not isinstance(parent, (cst.Attribute, cst.Call, cst.Await)):
            return False
        node = parent


def _flag_read_per_owner(ctx: "FileContext", model: str, flags: set[str]) -> bool:
    """Some predicate call of the project names one of ``flags`` of ``model`` together with one of its owner
    columns (flow fact ``together``: ``where(Address.user_id == user.id, Address.is_default == True)``, also
    chained: ``.where(Address.user_id == user.id).where(Address.is_default == True)``), or the
    owner columns are not known (nothing to tell a table-wide flag by)."""
    project, settings = ctx.project, ctx.settings
    if project is None:
        return True
    owners = set(identity_columns(project, settings, model))
    if not owners:
        return True

    def build() -> bool:
        for module, _ in project.iter_modules():
            flow = flow_facts(project, module)
            for group in ("functions", "methods"):
                for summary in (flow.get(group) or {}).values():
                    for named, columns in summary.get("together", ()):
                        if named == model and set(columns) & flags and set(columns) & owners:
                            return True
        return False

    return project.memo(("queries.flag_read_per_owner", model, tuple(sorted(flags)), tuple(sorted(owners))), build)
