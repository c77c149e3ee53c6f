from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.cst import is_docstring
from ...knowledge.schemas import schema_info
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.validation import strictness_missing
from ...values import Edit, Fix, FixAvailability
from .._shared.add_import import ensure_import
from ..api import RuleSpec
from ._analysis import ClassRule, declares_strictless_class

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def extra_fields_ignored(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL606: the file declares a class named like a request body model whose config sets no ``extra``."""
    return declares_strictless_class(facts, project, settings)


SPEC = RuleSpec(
    code="BKL606",
    name="extra-fields-ignored",
    message="Request schema ignores unknown fields",
    fix_availability=FixAvailability.SOMETIMES,
    opt_in=True,
    requires=("class",),
    screen=extra_fields_ignored,
    local=True,
)


class ExtraFieldsIgnored(ClassRule):
    """
    ## What it does
    Reports a request body schema whose config does not set `extra="forbid"`.

    A request body schema is a pydantic or SQLModel class that a route takes as its body, in any module;
    its config is its own or a base's. Routes are decorated functions at module level, methods of
    class-based views (`@cbv(router)`, `@controller(router)`), routes of routers a function builds, and
    functions registered with `add_api_route`.

    Opt-in: select `BKL606` (or `BKL6`, or `ALL`) to run it. A schema that sets `extra` to anything
    (`"forbid"`, and also a deliberate `"ignore"` or `"allow"`) is not reported, through `model_config`,
    a pydantic v1 `class Config`, or class keywords (`class M(BaseModel, extra="forbid")`), in the class
    or a project base. A schema with a base outside the project (a library schema) is not reported: its
    config is unknown.

    ## Why is this bad?
    pydantic ignores fields it does not know. A client that sends `{"is_admin": true}` or misspells
    `"emial"` gets a 200 and no hint; the typo silently loses data, and probes for mass-assignable fields
    go unnoticed. `extra="forbid"` answers them with a 422 that names the field.

    ## Example
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class ItemCreate(BaseModel):
        title: str


    @app.post("/items")
    def create_item(item: ItemCreate) -> None: ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel, ConfigDict

    app = FastAPI()


    class ItemCreate(BaseModel):
        model_config = ConfigDict(extra="forbid")

        title: str


    @app.post("/items")
    def create_item(item: ItemCreate) -> None: ...
    ```

    ## Fix safety
    The fix adds `model_config = ConfigDict(extra="forbid")` as the class's first statement (importing
    `ConfigDict` from pydantic once), or adds `extra="forbid"` to an existing `model_config`
    (`ConfigDict(...)` call or dict). It is unsafe: clients that send extra fields today, harmless until
    now, start getting 422. Pydantic v1 schemas (a `class Config`, v1 imports) and one-line class bodies
    get no fix: v1 spells it `class Config: extra = "forbid"`, which the team should add by hand.
    """

    spec = SPEC

    def table(self) -> dict[str, Any]:
        return {q: True for q in strictness_missing(self.ctx.project)}

    def on_class(self, node: cst.ClassDef, canonical: str, entry: Any) -> None:
        if _spells_extra(node):  # the file as it is now (the project facts may predate a fix)
            return
        self.report(node.name, f"Request schema `{node.name.value}` ignores unknown fields", self._fix(node, canonical))

    def _fix(self, node: cst.ClassDef, canonical: str) -> Optional[Fix]:
        info = schema_info(self.ctx.project, canonical)
        if info is not None and info.major == 1:
            return None
        body = node.body
        if not isinstance(body, cst.IndentedBlock) or not body.body:
            return None
        for stmt in body.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config":
                return None
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    value = None
                    if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "model_config" for t in small.targets):
                        value = small.value
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == "model_config":
                        value = small.value
                    if value is not None:
                        return self._extend(value)
        found = ensure_import(self.ctx, "pydantic", "ConfigDict")
        if found is None:
            return None
        name, edits = found
        first = body.body[0]
        indent = body.indent if body.indent is not None else self.ctx.module.default_indent  # type: ignore[union-attr]
        title = f'Add `model_config = {name}(extra="forbid")`'
        line = f'model_config = {name}(extra="forbid")'
        if is_docstring(first):
            if len(body.body) == 1:
                return Fix.unsafe(title, [Edit.insert_after(first, f"\n{indent}{line}"), *edits])
            first = body.body[1]
        return Fix.unsafe(title, [Edit.insert_before(first, f"{line}\n\n{indent}"), *edits])

    def _extend(self, value: cst.BaseExpression) -> Optional[Fix]:
        if isinstance(value, cst.Call):
            if value.args:
                return Fix.unsafe('Add `extra="forbid"` to `model_config`', [Edit.insert_before(value.args[0], 'extra="forbid", ')])
            return Fix.unsafe('Add `extra="forbid"` to `model_config`', [Edit.replace(value, self.ctx.module.code_for_node(value.func) + '(extra="forbid")')])  # type: ignore[union-attr]
        if isinstance(value, cst.Dict):
            if value.elements:
                return Fix.unsafe('Add `"extra": "forbid"` to `model_config`', [Edit.insert_before(value.elements[0], '"extra": "forbid", ')])
            return Fix.unsafe('Add `"extra": "forbid"` to `model_config`', [Edit.replace(value, '{"extra": "forbid"}')])
        return None


def _spells_extra(node: cst.ClassDef) -> bool:
    """The class itself sets ``extra``: a class keyword, ``model_config`` or a nested ``class Config``."""
    if any(kw.keyword is not None and kw.keyword.value == "extra" for kw in node.keywords):
        return True
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    for stmt in body.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config" and isinstance(stmt.body, cst.IndentedBlock):
            for sub in stmt.body.body:
                if isinstance(sub, cst.SimpleStatementLine):
                    for small in sub.body:
                        if isinstance(small, (cst.Assign, cst.AnnAssign)):
                            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                            if any(isinstance(t, cst.Name) and t.value == "extra" for t in targets):
                                return True
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    if not any(isinstance(t, cst.Name) and t.value == "model_config" for t in targets):
                        continue
                    value = small.value
                    if isinstance(value, cst.Call) and any(a.keyword is not None and a.keyword.value == "extra" for a in value.args):
                        return True
                    if isinstance(value, cst.Dict) and any(
                        isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value == "extra"
                        for e in value.elements
                    ):
                        return True
    return False
