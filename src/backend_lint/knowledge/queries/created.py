"""Rows the function itself makes (``makes_row``): a model constructed and handed to a session's ``add``
(``team = Team(**payload)``, ``db.add(team)``) or a call named for making one (``group = crud.group.create(db,
obj_in=body)``, ``row = Item.from_form(body)``). A lookup keyed only on such a row's primary key (then
``select(Team).where(Team.id == team.id)``) is keyed by what the server generated, not by the client
(``keyed_by_created_row``: BKL201 makes no claim there); a row made here is no row loaded for a check to decide on
(``rows_made_here``, read by ``decisions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name, last_segment
from .vocabulary import PRIMARY_KEY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# a call that makes a new row rather than loading one (``crud.group.create(...)``, ``Item.from_form(...)``)
_MADE_PREFIXES = ("create", "add", "insert", "new", "build", "make", "from_", "save")


def keyed_by_created_row(func: "cst.FunctionDef", site: "Site") -> bool:
    """Every key of the site is the primary key (``team.id``) of a local that, before the site (in source order),
    was last bound to a row made here (``makes_row``: a class's constructor (``Team(...)``) then handed to
    ``.add(...)``, or a call named for making a row): the row the function created."""
    if not site.key_names or site.via:
        return False
    if not all(len(parts := k.split(".")) == 2 and parts[1] in PRIMARY_KEY_NAMES for k in site.key_names):
        return False  # (``req.team_id`` copied from the payload into a new row is still the client's key)
    roots = {k.split(".", 1)[0] for k in site.key_names}
    created: set[str] = set()
    for node in cst_walk(func):  # (pre-order: source order)
        if node is site.node:
            return roots <= created
        if isinstance(node, cst.Assign):
            if any(n is site.node for n in cst_walk(node.value)):
                return roots <= created  # (``team = db.execute(select(Team).where(Team.id == team.id))``)
            names = {t.target.value for t in node.targets if isinstance(t.target, cst.Name)}
            created = created - names
            made = makes_row(node.value)
            if made is not None:
                created |= {f"?{n}" if made == "constructed" else n for n in names}  # (constructed: not added yet)
        elif isinstance(node, cst.Call) and _added(node):
            name = node.args[0].value.value  # type: ignore[attr-defined]
            if f"?{name}" in created:
                created = (created - {f"?{name}"}) | {name}
    return False


def makes_row(expr: "cst.BaseExpression") -> "str | None":
    """``Team(...)`` (a call of a class, a capitalised name): ``"constructed"`` (written once handed to ``.add``);
    ``crud.group.create(...)``, ``await repo.insert(...)``, ``Item.from_form(...)`` (a function or method named for
    making a row: ``_MADE_PREFIXES``): ``"made"``; anything else ``None``."""
    value = expr.expression if isinstance(expr, cst.Await) else expr
    if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
        return None
    if value is expr and last_segment(dotted_name(value.func))[:1].isupper():
        return "constructed"  # (a class called, not awaited)
    name = value.func.attr.value if isinstance(value.func, cst.Attribute) else value.func.value
    return "made" if name.lstrip("_").startswith(_MADE_PREFIXES) else None


def rows_made_here(ctx: "FileContext", func: "cst.FunctionDef") -> frozenset[str]:
    """Locals this function binds to a row it makes (``makes_row``: ``new_group = crud.group.create(db,
    obj_in=body)``, ``row = Item.from_form(body)``, ``team = Team(...)`` handed to ``db.add(team)``), wherever in
    the function (memoised on the function node)."""

    def build() -> frozenset[str]:
        made: set[str] = set()
        constructed: set[str] = set()
        added: set[str] = set()
        for node in cst_walk(func.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                how = makes_row(node.value)
                if how == "made":
                    made.add(node.targets[0].target.value)
                elif how == "constructed":
                    constructed.add(node.targets[0].target.value)
            elif isinstance(node, cst.Call) and _added(node):
                added.add(node.args[0].value.value)  # type: ignore[attr-defined]
        return frozenset(made | (constructed & added))

    return ctx.cached(("queries.rows_made_here", id(func)), build)


def _added(call: "cst.Call") -> bool:
    """``db.add(team)`` / ``session.add(team)``: one local handed to a session's ``add``."""
    return (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "add"
        and len(call.args) == 1
        and isinstance(call.args[0].value, cst.Name)
    )
