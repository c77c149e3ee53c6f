from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.facts import orm_facts
from ...knowledge.fastapi import RouteInfo
from ...knowledge.index.extractors.orm import PARAM_MARKERS
from ...knowledge.imports import last_segment
from ...knowledge.models import is_pydantic_model
from ...knowledge.tree_facts import TreeFacts
from ..api import RuleSpec
from .._shared.screens import leaf_names
from ..timezone._screens import import_targets
from ._analysis import NOT_BODY, RouteRule, has_route, route_functions, table_words

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def table_model_as_body(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL604: a route handler (``route_functions``), and a parameter annotation that names a table model
    (``table_words``: the model may come from any module, through an alias or a re-export), unless the
    parameter's marker is one ``body_params`` leaves out (``NOT_BODY``, read as ``param_infos`` reads it:
    ``_screened_marker``)."""
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
            if _screened_marker(facts, project, arg.annotation, default) in NOT_BODY:
                continue
            return True
    return False


def _resolved_last(facts: TreeFacts, node: ast.expr) -> Optional[str]:
    """The last segment of what ``ast_resolver`` resolves a callee or name to, read off the file's imports
    (``import_targets``): ``x.M`` -> ``M`` (a dotted name); a name the imports bind -> the last segment of its
    targets (when they agree); a name no binding names -> itself. ``None`` when the file alone cannot tell."""
    if isinstance(node, ast.Attribute):
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return node.attr if isinstance(root, ast.Name) else None
    if not isinstance(node, ast.Name):
        return None
    targets = import_targets(facts)
    if targets is None:
        return None
    if node.id not in targets:
        return node.id
    bound = targets[node.id]
    lasts = {b.rsplit(".", 1)[-1] for b in bound} if bound is not None else set()
    return lasts.pop() if len(lasts) == 1 else None


def _screened_marker(facts: TreeFacts, project: Any, ann: ast.expr, default: Optional[ast.expr]) -> Optional[str]:
    """The marker ``param_infos`` gives a parameter (``ParamInfo.marker``), when the file and the index tell it:
    a marker call as the default, else the first marker call in ``Annotated[T, ...]``'s metadata, else, for
    an annotation naming a module-level alias of another module (``CurrentUser = Annotated[User,
    Depends(...)]``), the alias' marker (``orm_facts(...)["aliases"]``). ``None``: no marker, or unknown."""
    if isinstance(default, ast.Call):
        last = _resolved_last(facts, default.func)
        if last is None:
            return None
        if last in PARAM_MARKERS:
            return last
    if isinstance(ann, ast.Subscript):
        inner = ann.slice
        if type_part(facts, ann) is ann or not isinstance(inner, ast.Tuple):
            return None  # not ``Annotated[...]`` as the screen reads it, or no metadata
        for meta in inner.elts[1:]:
            if isinstance(meta, ast.Call):
                last = _resolved_last(facts, meta.func)
                if last is None:
                    return None
                if last in PARAM_MARKERS:
                    return last
        return None
    if not isinstance(ann, ast.Name):
        return None
    targets = import_targets(facts)
    bound = targets.get(ann.id) if targets is not None else None
    if bound is None or len(bound) != 1:
        return None
    found = project.resolve_symbol(next(iter(bound)))
    if found is None or found[2] != "assignments":
        return None
    alias = orm_facts(project.modules[found[0]]).get("aliases", {}).get(found[1])
    return last_segment(alias.get("marker")) if alias else None


def type_part(facts: TreeFacts, ann: ast.expr) -> ast.expr:
    """What of a parameter annotation can name its type (``main_type``): of ``Annotated[T, Depends(...)]`` only
    ``T`` (the metadata names dependencies and markers, never the type), when ``Annotated`` is spelled so and
    the file binds no other name as ``Annotated``; else the whole annotation."""
    if isinstance(ann, ast.Subscript):
        head = ann.value
        spelled = head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else None
        if spelled == "Annotated" and not _rebinds_annotated(facts):
            inner = ann.slice
            return inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return ann


def _rebinds_annotated(facts: TreeFacts) -> bool:
    def build() -> bool:
        for n in facts.nodes(ast.Import, ast.ImportFrom):
            if any(a.asname == "Annotated" and (isinstance(n, ast.Import) or a.name != "Annotated") for a in n.names):
                return True
        return any(n.id == "Annotated" and not isinstance(n.ctx, ast.Load) for n in facts.nodes(ast.Name))

    return facts.cached("validation.rebinds_annotated", build)


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
