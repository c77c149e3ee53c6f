from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.datetimes import is_sqlmodel_class
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.validation import unbounded_fields
from ...values import Edit, Fix, FixAvailability
from .._shared.add_import import ensure_import
from ..api import RuleSpec
from ._analysis import ClassRule, declares_unbounded_class

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_BOUND = {"string": 255, "list": 100}


def unbounded_string(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL607: the file declares a class named like one that declares an unbounded request body field."""
    return declares_unbounded_class(facts, project, settings)


SPEC = RuleSpec(
    code="BKL607",
    name="unbounded-string",
    message="Request field accepts a string or list of any length",
    fix_availability=FixAvailability.SOMETIMES,
    opt_in=True,
    requires=("class",),
    screen=unbounded_string,
    local=True,
)


class UnboundedString(ClassRule):
    """
    ## What it does
    Reports a request body field typed `str` or `list[...]` (also `Optional[...]`) without a length bound.

    Opt-in: select `BKL607` (or `BKL6`, or `ALL`) to run it. Request body schemas are found across the
    project (a class that a route takes as its body: decorated routes, class-based views, routes of
    routers a function builds, functions registered with `add_api_route`); a field it inherits is
    reported where the base declares it. A bound is `Field(max_length=...)` (`max_items=` in pydantic v1), `constr(max_length=...)`,
    `conlist(...)`, `Annotated[str, StringConstraints(max_length=...)]` / `MaxLen(...)`, or a
    `str_max_length` (v1: `max_anystr_length`) in the config. Types that carry their own limits (`EmailStr`,
    `HttpUrl`, enums, `Literal[...]`) are not reported.

    ## Why is this bad?
    A string field with no bound accepts a megabyte-long name: it is stored, indexed, logged and sent back
    to every client that lists it, and a database column with a length fails with a 500 instead of a 422.
    An unbounded list lets one request create thousands of rows.

    ## Example
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class CommentCreate(BaseModel):
        body: str


    @app.post("/comments")
    def create_comment(comment: CommentCreate) -> None: ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel, Field

    app = FastAPI()


    class CommentCreate(BaseModel):
        body: str = Field(max_length=2000)


    @app.post("/comments")
    def create_comment(comment: CommentCreate) -> None: ...
    ```

    ## Fix safety
    The suggested fix adds `max_length=` (255 for strings, 100 for lists) to the field's `Field(...)`, or
    gives the field one, keeping its default. It is display-only: the bound is a product decision and is
    never written automatically. Fields whose default is not a `Field(...)` call or a simple value get no
    suggestion.
    """

    spec = SPEC

    def table(self) -> dict[str, Any]:
        return unbounded_fields(self.ctx.project)

    def on_class(self, node: cst.ClassDef, canonical: str, entry: Any) -> None:
        for field in self.class_fields(node):
            name = field.target.value  # type: ignore[union-attr]
            kind = entry.get(name)
            if kind is None:
                continue
            what = "a string" if kind == "string" else "a list"
            self.report(
                field.annotation.annotation,
                f"Request field `{name}` accepts {what} of any length",
                self._fix(field, canonical, _BOUND[kind]),
            )

    def _fix(self, field: cst.AnnAssign, canonical: str, bound: int) -> Optional[Fix]:
        module = "sqlmodel" if is_sqlmodel_class(self.ctx.project, canonical) else "pydantic"  # type: ignore[arg-type]
        title = f"Bound it with `max_length={bound}`"
        value = field.value
        if isinstance(value, cst.Call) and (self.ctx.qualified_name(value.func) or "").endswith(".Field"):
            if value.args:
                return Fix.display_only(title, [Edit.insert_after(value.args[-1], f", max_length={bound}")]) if value.args[-1].comma == cst.MaybeSentinel.DEFAULT else None
            return Fix.display_only(title, [Edit.replace(value, self.ctx.module.code_for_node(value.func) + f"(max_length={bound})")])  # type: ignore[union-attr]
        if value is not None and not isinstance(value, (cst.Name, cst.SimpleString, cst.Integer, cst.List, cst.Tuple)):
            return None
        found = ensure_import(self.ctx, module, "Field")
        if found is None:
            return None
        name, edits = found
        if value is None:
            return Fix.display_only(title, [Edit.insert_after(field.annotation, f" = {name}(max_length={bound})"), *edits])
        text = self.ctx.module.code_for_node(value)  # type: ignore[union-attr]
        return Fix.display_only(title, [Edit.replace(value, f"{name}(default={text}, max_length={bound})"), *edits])
