from __future__ import annotations

from typing import Any

import libcst as cst

from ...diagnostics import FixAvailability
from ...rule import Rule
from ...semantics.updates import ATTRIBUTE_COPY, analyze, optional_in_payload, prefilter_words


class OptionalFieldAssignment(Rule):
    """
    ## What it does
    Reports `obj.x = payload.y` in an update context (see BKL501) when `y` is optional in the payload's
    schema: its annotation admits `None` (`X | None`, `Optional[X]`, `Union[X, None]`, an alias of one) or
    its default is `None`. The schema is resolved across modules through the project index, bases
    included. The assignment is not reported when a guard excludes `None` first: `if payload.y is not
    None:`, `if payload.y:`, `isinstance(payload.y, ...)`, `if "y" in payload.model_fields_set:` (or in a
    set derived from it, or in a dump with `exclude_unset=True`), an earlier `if payload.y is None:
    return/raise/continue`, or `assert payload.y is not None`. `payload.y or obj.x` and
    `payload.y if payload.y is not None else obj.x` are not plain reads and are not reported.
    `if obj.x != payload.y:` is not a guard.

    Not reported: required fields (a full PUT replacement body), fields with a non-`None` default and a
    non-optional type (they never hold `None`; a dump of them is BKL501's business), payloads whose schema
    cannot be resolved, and assignments onto an object built in the same function (nothing stored is
    overwritten).

    ## Why is this bad?
    When the client does not send `y`, `payload.y` is `None` (its default), and the assignment writes
    `None` over the stored value: a PATCH of the title erases the description.

    ## Example
    ```python
    from pydantic import BaseModel


    class ItemUpdate(BaseModel):
        title: str | None = None


    def update_item(item, item_in: ItemUpdate):
        item.title = item_in.title
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel


    class ItemUpdate(BaseModel):
        title: str | None = None


    def update_item(item, item_in: ItemUpdate):
        if item_in.title is not None:
            item.title = item_in.title
    ```

    Use `if "title" in item_in.model_fields_set:` instead when an explicit `null` must clear the column.

    ## Fix safety
    No fix: whether `null` should clear the column (`model_fields_set`) or be ignored (`is not None`) is a
    decision about the API.
    """

    code = "BKL503"
    name = "optional-field-assignment"
    message = "Optional payload field assigned without a `None` guard"
    fix_availability = FixAvailability.NONE

    @classmethod
    def may_fire(cls, source: str, project: Any) -> bool:
        if ATTRIBUTE_COPY.search(source) is None:
            return False
        return any(word in source for word in prefilter_words(project))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        analysis = analyze(self.ctx, node)
        if analysis.context is None:
            return
        for assignment in analysis.assignments:
            if optional_in_payload(self.ctx, assignment) is None:
                continue
            self.report(
                assignment.node,
                f"`{assignment.payload}.{assignment.attr}` is optional: assigning it to `{assignment.target}` "
                f"without a `None` guard writes `None` when it is not sent",
            )
