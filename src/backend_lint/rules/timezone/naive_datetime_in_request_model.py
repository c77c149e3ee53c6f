from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from ...knowledge.tree_facts import TreeFacts
from ._screens import annotated_in_classes, datetime_annotation_names, words_or_time_alias
from .._shared.add_import import ensure_import
from ...knowledge.datetimes import SQLMODEL_BASES, body_model_fields
from ._analysis import AnnotationHit, ScopedRule, naive_annotation

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_PYDANTIC_V1 = frozenset({"pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel"})


def naive_datetime_in_request_model(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL306: a class named like a project class that a PUT/POST/... route takes as its body, with a
    class-body field of that body model annotated with ``datetime`` / ``NaiveDatetime`` / a project alias
    (also inside containers)."""
    if project is None:
        return False
    entries = annotated_in_classes(facts)
    if not entries:
        return False
    def build() -> dict[str, list[str]]:
        out: dict[str, set[str]] = {}
        for qualified, fields in body_model_fields(project).items():
            out.setdefault(qualified.rsplit(".", 1)[-1], set()).update(fields)
        return {k: sorted(v) for k, v in out.items()}

    def load(raw: Any) -> dict[str, frozenset[str]]:
        return {k: frozenset(v) for k, v in raw.items()}

    models = project.memo(("screens", "timezone.body_models"), lambda: load(project.stored_memo("screens.timezone.body_models", build)))
    if not models:
        return False
    wanted = datetime_annotation_names(facts, project)
    for cls, ann, spelled in entries:
        fields = models.get(cls.name)
        if fields and isinstance(ann.target, ast.Name) and ann.target.id in fields and not spelled.isdisjoint(wanted):
            return True
    return False


SPEC = RuleSpec(
    code="BKL306",
    name="naive-datetime-in-request-model",
    message="Request body field accepts naive datetimes",
    fix_availability=FixAvailability.SOMETIMES,
    screen=naive_datetime_in_request_model,
    local=True,
)


class NaiveDatetimeInRequestModel(ScopedRule):
    """
    ## What it does
    Reports a request body model field typed `datetime`, which lets clients send naive times.

    The field may be typed `datetime` (also `Optional[datetime]`, `datetime | None`, `list[datetime]`,
    `Annotated[datetime, ...]`, a project alias of those, or `NaiveDatetime`) in a pydantic model that a
    FastAPI route takes as its request body, in whatever module the model and the route live. Fields a
    body model inherits are reported at the base class that declares them. Response-only models, query
    parameter models (`Query()`, `Depends()`...) and `Annotated[AwareDatetime, ...]` aliases are not
    reported.

    ## Why is this bad?
    pydantic accepts `"2024-03-01T09:00:00"` for a `datetime` field and produces a naive value: nobody
    knows which zone the client meant, and the handler then compares it with aware values (`TypeError`)
    or stores a wall time as if it were UTC. `pydantic.AwareDatetime` rejects input without an offset with
    a 422, so clients must say what they mean.

    ## Example
    ```python
    from datetime import datetime

    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class ReminderIn(BaseModel):
        remind_at: datetime


    @app.post("/reminders")
    def create_reminder(reminder: ReminderIn) -> None: ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import AwareDatetime, BaseModel

    app = FastAPI()


    class ReminderIn(BaseModel):
        remind_at: AwareDatetime


    @app.post("/reminders")
    def create_reminder(reminder: ReminderIn) -> None: ...
    ```

    ## Fix safety
    The fix replaces `datetime` with `pydantic.AwareDatetime` in the annotation (adding the import once).
    It is unsafe: requests that sent times without an offset, valid until now, are rejected with 422, and
    when the field is declared in a base class that response models share, naive values they are built
    from (a naive database column) fail validation too. No
    fix is offered for SQLModel classes (the field's column type is derived from the annotation), pydantic
    v1 models (no `AwareDatetime`) and project aliases.
    """

    spec = SPEC
    # no ``requires``: besides these words, a project alias of a naive type (``Stamp = DateTime()``,
    # re-exported under any name) can trigger the rule, so ``may_fire_for`` also reads the index
    words = ("datetime", "Datetime")

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        return words_or_time_alias(source, project, cls.words, "annotation")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.classes: list[Optional[tuple[str, frozenset[str]]]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        project = self.ctx.project
        entry = None
        if len(self.frames) == 1 and project is not None:
            qualified = f"{self.ctx.module_name}.{node.name.value}" if self.ctx.module_name else node.name.value
            canonical = project.canonical(qualified)
            fields = body_model_fields(project).get(canonical)
            if fields:
                entry = (canonical, fields)
        self.classes.append(entry)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        super().leave_ClassDef(node)
        self.classes.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.class_frame is None or not self.classes or self.classes[-1] is None:
            return
        canonical, fields = self.classes[-1]  # type: ignore[misc]
        if not isinstance(node.target, cst.Name) or node.target.value not in fields:
            return
        hits = naive_annotation(self, node.annotation.annotation, containers=True)
        if not hits:
            return
        fix = self._fix(canonical, hits)
        self.report(
            node.annotation.annotation,
            f"Request body field `{node.target.value}` accepts naive datetimes",
            fix,
        )

    def _fix(self, canonical: str, hits: list[AnnotationHit]) -> Optional[Fix]:
        if any(h.kind == "alias" for h in hits):
            return None
        project = self.ctx.project
        assert project is not None
        mro = [n for n, _ in project.class_mro(canonical)]
        if any(n in SQLMODEL_BASES or n in _PYDANTIC_V1 for n in mro):
            return None
        found = ensure_import(self.ctx, "pydantic", "AwareDatetime", self.shadowed())
        if found is None:
            return None
        name, edits = found
        return Fix.unsafe(f"Use `{name}`", [*(Edit.replace(h.node, name) for h in hits), *edits])
