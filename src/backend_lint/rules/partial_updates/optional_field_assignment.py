from __future__ import annotations

import ast
from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ...knowledge.tree_facts import TreeFacts
from ._analysis import in_update_context
from ...knowledge.updates import (
    ATTRIBUTE_COPY,
    analyze,
    optional_in_payload,
    prefilter_words,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def optional_field_assignment(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL503: ``<target>.x = <name>.y`` inside a function that may be an update context."""
    nodes = []
    for node in facts.nodes(ast.Assign):
        value = node.value
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and any(isinstance(t, ast.Attribute) for t in node.targets):
            nodes.append(node)
    return in_update_context(facts, project, nodes)

SPEC = RuleSpec(
    code="BKL503",
    name="optional-field-assignment",
    message="Optional payload field assigned without a `None` guard",
    fix_availability=FixAvailability.NONE,
    screen=optional_field_assignment,
    local=True,
)


class OptionalFieldAssignment(Rule):
    """
    ## What it does
    Reports `obj.x = payload.y` in an update context when `y` is optional in the payload's schema and no
    guard excludes `None`. The update contexts are BKL501's. Optional means: the annotation admits `None`
    (`X | None`, `Optional[X]`, `Union[X, None]`, `Annotated[...]` of one, a project type alias of one)
    or the default is `None` (`= None`, `Field(None)`, `Field(default=None)`). The schema is resolved across modules through the project index, bases and
    re-exports included; elements of a payload list (`for entry in body.items:`) are payloads too.

    Guards that exclude `None` first make the assignment fine: `if payload.y is not None:`, `if payload.y:`
    (also through a local alias `y = payload.y`), `isinstance(payload.y, ...)`, a comparison with a
    non-`None` literal, `if "y" in payload.model_fields_set:` (or in a set derived from it, or in a dump
    with `exclude_unset=True`), an earlier `if payload.y is None: return / raise / continue`,
    `assert payload.y is not None`, or a fallback written first (`if payload.y is None: payload.y =
    obj.x`). `payload.y or obj.x` and `payload.y if payload.y is not None else obj.x` are not plain reads.
    Guards combine through `and` (either side) and `or` (both sides). `if obj.x != payload.y:` and a check
    on another field are not guards.

    Not reported:
    - required fields (a full PUT replacement body), including pydantic v2's `x: X | None` without a
      default, which the client must send (`null` is then a deliberate clear). Under pydantic v1 (the
      schema module imports `validator` / `pydantic.v1`, or the file uses `.dict()` / `__fields_set__` and no
      v2 spelling) such a field defaults to `None` and is optional;
    - fields with a non-`None` default and a non-optional type: they never hold `None` (a dump of them is
      BKL501's business);
    - payloads whose schema cannot be resolved;
    - assignments onto an object built in the same function (`Item()`, `Item(**payload_dump)`, `self` in
      `__init__`): nothing stored is overwritten.

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

    spec = SPEC

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
