from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.cst import keyword_arg
from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from .._shared.screens import reach
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.update_words import DUMP_METHODS
from ._analysis import in_update_context
from ...knowledge.updates import (
    Dump,
    analyze,
    dump_schema_may_be_partial,
    may_write_dump,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _first_positional(call: ast.Call) -> Any:
    """``jsonable_encoder(x, ...)``: the dumped expression ``updates.dump_of`` reads (the first argument, when
    it is neither a keyword nor starred)."""
    return call.args[0] if call.args else None


def _quiet_dump(call: ast.Call, receiver: Any) -> bool:
    """``knowledge.updates.dump_of`` on ``ast``: a dump call the rule never reports, whatever its flow: its
    receiver is not a plain name (no dump is recorded), or its arguments skip unset fields or make no claim
    (``exclude_unset=`` other than a literal ``False``, ``exclude_defaults=`` other than ``False``, a literal
    ``exclude_none=True``: BKL502's, or ``**options``)."""
    if not isinstance(receiver, ast.Name):
        return True
    for kw in call.keywords:
        if kw.arg is None:
            return True  # opaque
        if kw.arg in ("exclude_unset", "exclude_defaults"):
            if not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                return True
        elif kw.arg == "exclude_none" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
            return True
    return False


def update_without_exclude_unset(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL501: a dump (``.model_dump()`` / ``.dict()`` / ``.model_dump_for_orm()``, ``jsonable_encoder``,
    ``vars(x)``, ``x.__dict__``, ``for k, v in x``, ``.sqlmodel_update(x)``) inside a function that may be
    an update context."""
    encoders = reach(facts, ("jsonable_encoder",))
    nodes: list[Any] = []
    for call in facts.calls:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr == "sqlmodel_update":
                nodes.append(call)
            elif func.attr in DUMP_METHODS:
                if not _quiet_dump(call, func.value):
                    nodes.append(call)
            elif func.attr in encoders and not _quiet_dump(call, _first_positional(call)):
                nodes.append(call)
        elif isinstance(func, ast.Name):
            if func.id == "vars" or (func.id in encoders and not _quiet_dump(call, _first_positional(call))):
                nodes.append(call)
    nodes.extend(n for n in facts.nodes(ast.Attribute) if n.attr == "__dict__")
    for loop in facts.nodes(ast.For, ast.AsyncFor, ast.comprehension):
        if isinstance(loop.iter, ast.Name) and isinstance(loop.target, ast.Tuple):
            nodes.append(loop.iter)
    return in_update_context(facts, project, nodes)


SPEC = RuleSpec(
    code="BKL501",
    name="update-without-exclude-unset",
    message="Payload dump written onto an existing row without `exclude_unset=True`",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("model_dump", ".dict(", "jsonable_encoder", "vars(", "__dict__", "setattr"),
    screen=update_without_exclude_unset,
    local=True,
)


class UpdateWithoutExcludeUnset(Rule):
    """
    ## What it does
    Reports a dump of the request payload written onto an existing object without `exclude_unset=True`,
    in an update context. A dump is `payload.model_dump()`, `payload.dict()`, `jsonable_encoder(payload)`,
    a project's `model_dump_*` variant (`model_dump_for_orm`), and, for payloads whose class resolves to a
    project schema, `vars(payload)`, `payload.__dict__`, `for name, value in payload:` and
    `row.sqlmodel_update(payload)` (SQLModel copies every field of a model it is given).

    An update context is RULES.md's: a PUT/PATCH route handler, a function named `update*` / `patch*` /
    `edit*`, a function that takes a schema named `*Update` / `*Patch` / `*Edit` or whose fields are all
    optional; and also a function that a PUT/PATCH handler (in any module) calls with one of its
    parameters (`apply_changes(item, item_in)`). The payload is a parameter (not `self`, not a `dict`-typed
    one, not an ORM row), a schema built in the function (`ItemUpdate(**body)`), or an element of a payload
    list (`for entry in body.items:`).

    "Written onto an existing object" means the dump reaches, directly, through local variables, merged
    into another dict (`{**stored, **dump}`, `data.update(dump)`, `{"$set": dump}`) or item by item in a
    loop: `setattr(obj, key, value)`, `obj.sqlmodel_update(...)`, `obj.model_copy(update=...)` /
    `obj.copy(update=...)`, `update(Model).values(...)` (also built over several statements),
    `query(...).filter(...).update(...)`, `obj.__dict__.update(...)`, `obj.update(...)` on an object that is
    not a local dict, or a call named like a write (`crud.update_item(db, item, data)`, `repo.update_one`,
    `patch_user(**data)`, `bulk_update`, `find_one_and_update`).

    Not reported:
    - dumps that skip unset fields another way: `include=payload.model_fields_set` (or a set derived from
      it: `&`, `-`, `.intersection`, a comprehension over it), a loop or comprehension filtered by
      `model_fields_set` or that skips `None` values (`if value is None: continue`), `exclude_defaults=True`
      (it also leaves out fields the client did not send), or a computed `exclude_unset=<flag>`;
    - dumps with `exclude_none=True`: that is BKL502 only;
    - dumps used to create rows (`Item(**dump)`, `session.add(...)`, an object built in the same function),
      upserts (`on_conflict_do_update`: a create-or-replace), responses, validation or logging;
    - a payload whose schema (resolved across modules, bases included) requires every field: a full PUT
      replacement has nothing unset to skip;
    - `dict` payloads (`if isinstance(obj_in, dict): update_data = obj_in`): the caller controls the keys;
    - a row dumped onto itself (`jsonable_encoder(db_obj)` in a CRUD `update`).

    A field with a non-`None` default (`is_active: bool = True`) that the client did not send counts as
    unset too: without `exclude_unset=True` the dump carries the default and resets the stored value. A PUT
    whose body schema has defaults is therefore reported as well: a client that leaves a field out resets
    it. In pydantic v2, `x: X | None` without a default is required (the client must send it); under v1 it
    defaults to `None` and may be left out.

    ## Why is this bad?
    A dump includes every field of the schema, so a PATCH that sends `{"title": "x"}` also writes the
    defaults of all the fields the client left out (`None`, `False`, `[]`) over the stored values.

    ## Example
    ```python
    from fastapi import APIRouter
    from pydantic import BaseModel

    router = APIRouter()


    class ItemUpdate(BaseModel):
        title: str | None = None
        description: str | None = None


    @router.patch("/items/{item_id}")
    def update_item(item_id: int, item_in: ItemUpdate, session):
        item = session.get(Item, item_id)
        for key, value in item_in.model_dump().items():
            setattr(item, key, value)
        return item
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter
    from pydantic import BaseModel

    router = APIRouter()


    class ItemUpdate(BaseModel):
        title: str | None = None
        description: str | None = None


    @router.patch("/items/{item_id}")
    def update_item(item_id: int, item_in: ItemUpdate, session):
        item = session.get(Item, item_id)
        for key, value in item_in.model_dump(exclude_unset=True).items():
            setattr(item, key, value)
        return item
    ```

    ## Fix safety
    The fix adds `exclude_unset=True` to the dump (or turns `exclude_unset=False` into `True`), and turns
    `row.sqlmodel_update(payload)` into `row.sqlmodel_update(payload.model_dump(exclude_unset=True))`. It is
    unsafe: fields the client leaves out are no longer written, which is the point, but code after the
    dump that reads a key the client did not send (`data["title"]`) now raises `KeyError`. `vars(payload)`,
    `payload.__dict__` and iterating the payload get no automatic fix (the project's pydantic version
    decides between `.dict(exclude_unset=True)` and `.model_dump(exclude_unset=True)`).
    """

    spec = SPEC

    @classmethod
    def may_fire(cls, source: str, project: Any) -> bool:
        return may_write_dump(source)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        analysis = analyze(self.ctx, node)
        if analysis.context is None:
            return
        for dump in analysis.dumps:
            if not dump.written_unfiltered or dump.excludes_unset or dump.exclude_none or dump.opaque:
                continue
            if not dump_schema_may_be_partial(self.ctx, dump):
                continue
            if dump.fixable:
                message = f"`{dump.receiver}` dumped without `exclude_unset=True` and written onto an existing row"
            else:
                message = (
                    f"Every field of `{dump.receiver}` written onto an existing row; "
                    "dump it with `exclude_unset=True` instead"
                )
            self.report(dump.node, message, _fix(dump))


def _fix(dump: Dump) -> Optional[Fix]:
    call = dump.node
    if dump.replacement is not None:
        return Fix.unsafe(f"Pass `{dump.replacement}`", [Edit.replace(call, dump.replacement)])
    if not dump.fixable or not isinstance(call, cst.Call):
        return None
    message = "Add `exclude_unset=True`"
    arg = keyword_arg(call, "exclude_unset")
    if arg is not None:
        return Fix.unsafe("Set `exclude_unset=True`", [Edit.replace(arg.value, "True")])
    if call.args:
        return Fix.unsafe(message, [Edit.insert_after(call.args[-1], ", exclude_unset=True")])
    func = cst.Module(body=[]).code_for_node(call.func)
    return Fix.unsafe(message, [Edit.replace(call, f"{func}(exclude_unset=True)")])
