from __future__ import annotations

import ast
from bisect import bisect_right
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from ...knowledge.tree_facts import TreeFacts
from ._screens import Members, helper_words
from .._shared.add_import import ensure_import
from ...knowledge.cst import iter_children
from ...knowledge.datetimes import (
    ATTRS_FIELDS,
    CLOCK_CALLS,
    DATACLASS_FIELDS,
    FIELD_FUNCTIONS,
    SQLMODEL_BASES,
    is_pydantic_model,
    keyword_arg,
)
from ._analysis import HelperRule, callee_tail

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_DEFAULT_KEYWORDS = frozenset({"default", "onupdate", "insert_default"})
# calls whose ``default=`` is a column / field default (``db.Column`` and friends are matched by name)
_COLUMN_TAILS = frozenset({"Column", "mapped_column", "column_property"})
_FIELD_TAILS = frozenset({"Field", "field", "ib", "attrib"})
_PARAM_TAILS = frozenset({"Query", "Body", "Form", "Header", "Path", "Cookie"})
_DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})


def import_time_datetime_default(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL304: a clock call (callee may resolve to ``datetime.now/utcnow/today``, ``date.today``,
    ``timezone.now``, ``pendulum.now``... or a configured helper) outside every function body and lambda
    body (the rule only looks at code that runs once)."""
    candidates = Members(facts, CLOCK_CALLS, helper_words(settings)).called(facts)
    if not candidates:
        return False
    bodies = [((f.body[0].lineno, f.body[0].col_offset), (f.end_lineno, f.end_col_offset)) for f in facts.functions]
    bodies += [((x.body.lineno, x.body.col_offset), (x.body.end_lineno, x.body.end_col_offset)) for x in facts.nodes(ast.Lambda)]
    # the bodies merged into disjoint spans, sorted: each call is placed by bisection (linear in the file,
    # not calls x functions: a generated module with thousands of each stays fast)
    spans: list = []
    for start, end in sorted(bodies):
        if spans and start <= spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1][1] = end
        else:
            spans.append([start, end])
    starts = [span[0] for span in spans]
    for call in candidates:
        at = (call.lineno, call.col_offset)
        i = bisect_right(starts, at) - 1
        if i < 0 or at > spans[i][1]:
            return True
    return False


SPEC = RuleSpec(
    code="BKL304",
    name="import-time-datetime-default",
    message="Datetime default is evaluated once, at import time",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("now(", "today("),
    screen=import_time_datetime_default,
    local=True,
)


class ImportTimeDatetimeDefault(HelperRule):
    """
    ## What it does
    Reports a datetime default that reads the clock once, when the module or class body runs.

    The defaults: `Column(default=datetime.now(timezone.utc))`, `Field(default=datetime.now(timezone.utc))`,
    `onupdate=...`, SQLModel's `sa_column_kwargs={"onupdate": ...}`, a pydantic / SQLModel / dataclass class attribute
    `created_at: datetime = datetime.now(timezone.utc)`, and a function parameter default
    `def list_events(since: datetime = datetime.now(timezone.utc))` (also inside `Query(...)`). Clock
    calls are `datetime.now/utcnow/today`, `date.today`, `django.utils.timezone.now`, `pendulum.now/today`,
    `arrow.now/utcnow` and the helpers in `naive-datetime-functions`, aware or not. Code inside a function
    body (a `Column(default=...)` built in `downgrade()`), inside a lambda, constant datetimes and SQL
    expressions such as `func.now()` are not reported.

    ## Why is this bad?
    The expression runs once: every row, object or request gets the time at which the process imported
    the module, hours or days old. The code looks right and tests that run right after start-up pass.

    ## Example
    ```python
    from datetime import datetime, timezone

    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime(timezone=True), default=datetime.now(timezone.utc))
    ```

    ## Use instead
    ```python
    from datetime import datetime, timezone

    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    ```

    ## Fix safety
    The default becomes a factory: `default=lambda: <expr>` for SQLAlchemy columns (and `onupdate=`),
    `default_factory=lambda: <expr>` for pydantic / SQLModel `Field` and dataclass `field` (attrs:
    `factory=`), and a class attribute `x: datetime = <expr>` becomes `x: datetime = Field(default_factory=
    lambda: <expr>)` (`field(...)` in a dataclass), adding the import once. The fix is unsafe: the default
    changes from one fixed value to the time of each insert or instantiation, which is the point, but code
    or tests that relied on equal defaults see different values. Parameter defaults and FastAPI
    `Query(default=...)` get no fix: they need a `None` default and a line in the body.
    """

    spec = SPEC

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.clock = CLOCK_CALLS | self.naive_helpers()
        self.reported: set[int] = set()

    # -- where defaults are -------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if self.in_function_body:
            return
        qualified, tail = callee_tail(self, node.func)
        if tail not in _COLUMN_TAILS and tail not in _FIELD_TAILS and tail not in _PARAM_TAILS:
            return
        kwargs = keyword_arg(node, "sa_column_kwargs")
        if kwargs is not None and isinstance(kwargs.value, cst.Dict):
            for element in kwargs.value.elements:
                key = getattr(element, "key", None)
                if isinstance(key, cst.SimpleString) and key.evaluated_value in _DEFAULT_KEYWORDS:
                    clock = self._clock_call(element.value)
                    if clock is not None:
                        fix = Fix.unsafe("Use a default factory (`lambda: ...`)", [Edit.insert_before(element.value, "lambda: ")])
                        self._report(clock, fix)
        for i, arg in enumerate(node.args):
            positional_default = i == 0 and arg.keyword is None and not arg.star and tail in (_FIELD_TAILS | _PARAM_TAILS) and tail != "field"
            if (arg.keyword is not None and arg.keyword.value in _DEFAULT_KEYWORDS) or positional_default:
                clock = self._clock_call(arg.value)
                if clock is not None:
                    self._report(clock, self._keyword_fix(node, arg, tail, qualified or ""))

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is None or not self.frames or self.frames[-1].kind != "function":
            return
        if any(f.in_body and f.kind in ("function", "lambda") for f in self.frames[:-1]):
            return  # the defaults of a nested def run each time the enclosing function runs
        clock = self._clock_call(node.default)
        if clock is not None:
            self._report(clock, None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._class_attribute(node.value, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._class_attribute(node.value, None)

    def _class_attribute(self, value: cst.BaseExpression, ann: Optional[cst.AnnAssign]) -> None:
        frame = self.class_frame
        if frame is None or self.in_function_body:
            return
        if isinstance(value, cst.Call):
            _, tail = callee_tail(self, value.func)
            if tail in _COLUMN_TAILS or tail in _FIELD_TAILS:
                return  # a column / field call: its ``default=`` is looked at by visit_Call
        kind = self._model_kind(frame.node)  # type: ignore[arg-type]
        if kind is None:
            return
        clock = self._clock_call(value)
        if clock is None:
            return
        fix = None
        if ann is not None:
            fix = self._attribute_fix(value, kind)
        self._report(clock, fix)

    # -- helpers -------------------------------------------------------------------------------------
    def _report(self, clock: cst.Call, fix: Optional[Fix]) -> None:
        if id(clock) in self.reported:
            return
        self.reported.add(id(clock))
        self.report(clock, fix=fix)

    def _clock_call(self, expr: cst.BaseExpression) -> Optional[cst.Call]:
        """The first clock call evaluated by ``expr`` itself (not inside a lambda)."""
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Lambda):
                continue
            if isinstance(node, cst.Call) and self.resolve(node.func, self.clock) is not None:
                return node
            children = list(iter_children(node))
            children.reverse()
            stack.extend(children)
        return None

    def _model_kind(self, cls: cst.ClassDef) -> Optional[str]:
        for dec in cls.decorators:
            target = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            if self.resolve(target) in _DATACLASS_DECORATORS:
                return "dataclass"
        project = self.ctx.project
        if len(self.frames) == 1 and project is not None:
            qualified = f"{self.ctx.module_name}.{cls.name.value}" if self.ctx.module_name else cls.name.value
            if project.get_class(qualified) is not None:
                if any(n in SQLMODEL_BASES for n, _ in project.class_mro(qualified)):
                    return "sqlmodel"
                if is_pydantic_model(project, qualified):
                    return "pydantic"
                return None
        for base in cls.bases:
            q = self.resolve(base.value)
            if q in SQLMODEL_BASES:
                return "sqlmodel"
            if q in ("pydantic.BaseModel", "pydantic.main.BaseModel"):
                return "pydantic"
        return None

    def _keyword_fix(self, call: cst.Call, arg: cst.Arg, tail: Optional[str], qualified: str) -> Optional[Fix]:
        if tail in _PARAM_TAILS:
            return None
        if tail in _COLUMN_TAILS:
            return Fix.unsafe("Use a default factory (`lambda: ...`)", [Edit.insert_before(arg.value, "lambda: ")])
        if qualified in FIELD_FUNCTIONS or qualified in DATACLASS_FIELDS:
            keyword = "default_factory"
        elif qualified in ATTRS_FIELDS:
            keyword = "factory"
        else:
            return None
        if arg.keyword is None:
            return Fix.unsafe(f"Use `{keyword}=lambda: ...`", [Edit.insert_before(arg.value, f"{keyword}=lambda: ")])
        if arg.keyword.value != "default":
            return None
        return Fix.unsafe(
            f"Use `{keyword}=lambda: ...`", [Edit.replace(arg.keyword, keyword), Edit.insert_before(arg.value, "lambda: ")]
        )

    def _attribute_fix(self, value: cst.BaseExpression, kind: str) -> Optional[Fix]:
        if kind == "dataclass":
            found = ensure_import(self.ctx, "dataclasses", "field", self.shadowed())
            keyword = "default_factory"
        else:
            found = ensure_import(self.ctx, "sqlmodel" if kind == "sqlmodel" else "pydantic", "Field", self.shadowed())
            keyword = "default_factory"
        if found is None:
            return None
        name, edits = found
        return Fix.unsafe(
            f"Use `{name}({keyword}=lambda: ...)`",
            [Edit.insert_before(value, f"{name}({keyword}=lambda: "), Edit.insert_after(value, ")"), *edits],
        )
