from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.cst import keyword_arg
from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from ...knowledge.tree_facts import TreeFacts
from ._analysis import in_update_context
from ...knowledge.updates import (
    Dump,
    analyze,
    may_write_dump,
    schema_info,
    uses_pydantic_v1,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def update_with_exclude_none(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL502: a literal ``exclude_none=True`` inside a function that may be an update context."""
    return in_update_context(
        facts,
        project,
        (kw.value for kw in facts.nodes(ast.keyword) if kw.arg == "exclude_none" and isinstance(kw.value, ast.Constant) and kw.value.value is True),
    )


SPEC = RuleSpec(
    code="BKL502",
    name="update-with-exclude-none",
    message="`exclude_none=True` in a partial update: clients cannot clear nullable fields",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("exclude_none",),
    screen=update_with_exclude_none,
    local=True,
)


class UpdateWithExcludeNone(Rule):
    """
    ## What it does
    Reports `exclude_none=True` on a payload dump written onto an existing row in an update context. The
    contexts, payloads and writes are BKL501's; the flag is a literal `True`, reported also when
    `exclude_unset=True` is there too. A dump with `exclude_none=True` is reported by this rule only, never
    also by BKL501. Dumps used for creates, upserts, responses, validation or logging are not reported, nor
    is a computed `exclude_none=<flag>`, nor a payload whose schema (resolved across modules) has no
    optional field, where the flag changes nothing.

    ## Why is this bad?
    `exclude_none=True` drops every field whose value is `None`, including the ones the client sent as an
    explicit `null` to clear a nullable column. Clients can never clear `description` or `due_date`: the
    `null` is silently ignored. Skipping fields the client did not send is what `exclude_unset=True` is
    for, and it keeps explicit `null`s.

    ## Example
    ```python
    from pydantic import BaseModel


    class TaskUpdate(BaseModel):
        title: str | None = None
        due_date: str | None = None


    def update_task(task, task_in: TaskUpdate):
        data = task_in.model_dump(exclude_none=True)
        for key, value in data.items():
            setattr(task, key, value)
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel


    class TaskUpdate(BaseModel):
        title: str | None = None
        due_date: str | None = None


    def update_task(task, task_in: TaskUpdate):
        data = task_in.model_dump(exclude_unset=True)
        for key, value in data.items():
            setattr(task, key, value)
    ```

    If a column must not be cleared, reject `null` for that field in the schema (a validator, or a
    non-optional type with a default) instead of dropping every `None`.

    ## Fix safety
    The fix replaces `exclude_none=True` with `exclude_unset=True` (or removes it when `exclude_unset=True`
    is already there). It is unsafe: an explicit `null` from the client is written from then on, and a
    non-nullable column may now receive `None`. No fix is offered when `exclude_unset` is a computed value.
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
            if not dump.written or not dump.exclude_none or dump.opaque:
                continue
            if not _may_hold_none(self.ctx, dump):
                continue
            self.report(dump.node, None, _fix(dump))


def _may_hold_none(ctx, dump: Dump) -> bool:
    if not dump.schemas:
        return True
    for q in dump.schemas:
        info = schema_info(ctx.project, q)
        if info is None or not info.is_schema or not info.complete:
            return True
        if any(f.is_optional(uses_pydantic_v1(ctx, info)) for f in info.fields.values()):
            return True
    return False


def _fix(dump: Dump) -> Optional[Fix]:
    call = dump.node
    none = keyword_arg(call, "exclude_none")
    unset = keyword_arg(call, "exclude_unset")
    if none is None:
        return None
    if unset is None:
        return Fix.unsafe(
            "Replace `exclude_none=True` with `exclude_unset=True`", [Edit.replace(none.keyword, "exclude_unset")]
        )
    value = unset.value
    if not (isinstance(value, cst.Name) and value.value in ("True", "False")):
        return None
    edits = _delete_arg(call, none)
    if value.value == "False":
        edits.append(Edit.replace(value, "True"))
    return Fix.unsafe("Remove `exclude_none=True`", edits)


def _delete_arg(call: cst.Call, arg: cst.Arg) -> list[Edit]:
    """Edits that remove ``arg`` and one separating comma, keeping the layout of the other arguments."""
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is arg)
    edits = [Edit.delete(arg)]
    if index > 0:
        comma = args[index - 1].comma
    else:
        comma = arg.comma
    if isinstance(comma, cst.Comma):
        edits.append(Edit.delete(comma))
        edits.append(Edit.delete(comma.whitespace_after))
    return edits
