from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.fastapi import RouteInfo
from ...knowledge.imports import last_segment
from ...knowledge.models import is_pydantic_model
from ...knowledge.tree_facts import TreeFacts
from ..api import RuleSpec
from .._shared.screens import leaf_names
from ._analysis import NOT_BODY, RouteRule, has_route, route_functions, screened_marker, table_words, type_part

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def table_model_as_body(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL604: a route handler (``route_functions``), and a parameter annotation that names a table model
    (``table_words``: the model may come from any module, through an alias or a re-export), unless the
    parameter's marker is one ``body_params`` leaves out (``NOT_BODY``, read as ``param_infos`` reads it:
    ``screened_marker``)."""
    if project is None or not has_route(facts):
        return False
    # a body parameter's type comes from its annotation alone (``param_infos``: the class it names, or the
    # type of the ``Annotated`` alias it names): one of them must name a table model
    words = table_words(project)
    functions = route_functions(facts)
    for f in facts.functions if functions is None else functions:
        a = f.args
        positional = a.posonlyargs + a.args
        defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        for arg, default in zip(positional + a.kwonlyargs, defaults + list(a.kw_defaults)):
            if arg.annotation is None or words.isdisjoint(leaf_names(type_part(facts, arg.annotation))):
                continue
            if screened_marker(facts, project, arg.annotation, default) in NOT_BODY:
                continue
            return True
    return False


SPEC = RuleSpec(
    code="BKL604",
    name="table-model-as-body",
    message="Request body is a table model: clients choose every column",
    requires=("@", "add_api_route"),
    screen=table_model_as_body,
    local=True,
)


class TableModelAsBody(RouteRule):
    """
    ## What it does
    Reports a request body typed as a table model (a SQLModel `table=True` class).

    The body is a route parameter that FastAPI fills from the request body; the model may live in any
    module and be reached through an `Annotated` alias.

    Parameters marked `Depends()`, `Query()`, `Path()`, `Header()`, `Cookie()` and path parameters are not
    bodies. A non-table base or sibling schema (`HeroCreate`) is the body the model should have.

    ## Why is this bad?
    A table model as the body accepts every column from the client: `id`, `owner_id`, `is_admin`,
    `created_at`. SQLModel's documentation says it: declare a separate model for what clients may send.
    This is mass assignment by construction, and it also stops validating when the table model does
    (`table=True` models skip validation on `__init__`).

    ## Example
    ```python
    from fastapi import FastAPI
    from sqlmodel import Field, SQLModel

    app = FastAPI()


    class Hero(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str


    @app.post("/heroes")
    def create_hero(hero: Hero) -> None: ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from sqlmodel import Field, SQLModel

    app = FastAPI()


    class HeroCreate(SQLModel):
        name: str


    class Hero(HeroCreate, table=True):
        id: int | None = Field(default=None, primary_key=True)


    @app.post("/heroes")
    def create_hero(hero: HeroCreate) -> None: ...
    ```

    ## Fix safety
    No fix: the request schema has to say which columns clients may set.
    """

    spec = SPEC

    def on_route(self, node: cst.FunctionDef, route: RouteInfo) -> None:
        for p in self.body_params(node, route):
            if p.type and self.is_table(p.type) and is_pydantic_model(self.ctx.project, p.type):
                self.report(
                    p.node,
                    f"Request body `{p.name}` is the table model `{last_segment(p.type)}`: clients choose every column, `id` included",
                )
