from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from .._shared.screens import last_name
from ...knowledge.tree_facts import TreeFacts
from ._screens import Members, helper_words
from ...knowledge.datetimes import ATTRS_FIELDS, DATACLASS_FIELDS, FIELD_FUNCTIONS, NAIVE_FACTORIES
from ._analysis import HelperRule, aware_parts

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_KEYWORDS = frozenset({"default", "default_factory", "onupdate", "insert_default", "factory"})
_FACTORY_CALLS = frozenset({"attr.Factory", "attrs.Factory"})


def naive_datetime_default(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL303: a name or attribute that may resolve to ``datetime.now/utcnow/today``, ``date.today`` or a
    configured helper, given as a ``default=``-like keyword, as the first argument of ``Factory(...)`` or
    as the value of a ``{"default": ...}``-like dict entry."""
    member = Members(facts, NAIVE_FACTORIES, helper_words(settings))
    if member.names.isdisjoint(facts.names):
        return False
    for kw in facts.nodes(ast.keyword):
        if kw.arg in _KEYWORDS and member(kw.value):
            return True
    if "Factory" in facts.names:
        for call in facts.calls:
            if last_name(call.func) != "Factory":
                continue
            # the rule reads the first argument when it has no keyword: ``*x`` / ``**x`` too
            first = call.args[0] if call.args else (call.keywords[0] if call.keywords and call.keywords[0].arg is None else None)
            if isinstance(first, (ast.Starred, ast.keyword)):
                first = first.value
            if first is not None and member(first):
                return True
    for d in facts.nodes(ast.Dict):
        for key, value in zip(d.keys, d.values):
            if isinstance(key, ast.Constant) and key.value in _KEYWORDS and member(value):
                return True
    return False


SPEC = RuleSpec(
    code="BKL303",
    name="naive-datetime-default",
    message="Naive datetime callable passed as a default",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("now", "today"),
    screen=naive_datetime_default,
    local=True,
)


class NaiveDatetimeDefault(HelperRule):
    """
    ## What it does
    Reports a callable that produces naive time passed uncalled as a default (`default=datetime.utcnow`).

    The keywords: `default=datetime.utcnow`, `default_factory=datetime.now`, `onupdate=datetime.utcnow`,
    `insert_default=...`, attrs' `factory=` / `Factory(...)`, SQLModel's
    `sa_column_kwargs={"onupdate": datetime.utcnow}`, in `Column`, `mapped_column`, SQLModel and
    pydantic `Field`, dataclass `field` or any other call. The callables are `datetime.now`,
    `datetime.utcnow`, `datetime.today`, `date.today` (through every import form) and the project helpers
    listed in `naive-datetime-functions`. `default=lambda: datetime.now()` is not this rule: the call inside
    the lambda is reported once, by BKL301.

    ## Why is this bad?
    Every row or object gets a naive timestamp: local time of the server (`now`, `today`) or UTC with no
    marker (`utcnow`). ruff's DTZ rules only look at calls, so these references slip through. A pydantic /
    SQLModel `Field(default=datetime.utcnow)` or a dataclass `field(default=datetime.utcnow)` is worse: the
    default is the function itself, not a time.

    ## Example
    ```python
    from datetime import datetime

    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime(timezone=True), default=datetime.utcnow)
    ```

    ## Use instead
    ```python
    from datetime import datetime, timezone

    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    ```

    ## Fix safety
    The reference becomes `lambda: datetime.now(timezone.utc)` (`UTC` for a py311+ `target-version`;
    `date.today` becomes `lambda: datetime.now(timezone.utc).date()`); a pydantic / SQLModel `Field` or a
    dataclass `field` gets `default_factory=` instead of `default=` (attrs: `factory=`). The import is reused
    or added once. The fix is unsafe: the default values become aware, so comparing or subtracting them
    against naive values raises `TypeError`, a naive `DateTime` column may convert them on write (PostgreSQL
    casts `timestamptz` to the session's zone), and `now` / `today` move from server-local time to UTC.
    References to configured project helpers get no fix.
    """

    spec = SPEC

    @classmethod
    def may_fire(cls, source: str, project: Any) -> bool:
        return "default" in source or "factory" in source or "onupdate" in source or "Factory" in source

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.helpers = self.naive_helpers()
        self.wanted = frozenset(NAIVE_FACTORIES) | self.helpers

    def visit_Call(self, node: cst.Call) -> None:
        callee: Optional[str] = None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in _KEYWORDS:
                if callee is None:
                    callee = self.ctx.qualified_name(node.func) or ""
                self._check(node, arg, arg.keyword.value, callee)
        if node.args and node.args[0].keyword is None and isinstance(node.func, (cst.Name, cst.Attribute)):
            tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else node.func.value
            if tail == "Factory" and (self.ctx.qualified_name(node.func) or "") in _FACTORY_CALLS:
                self._check(node, node.args[0], "Factory", "")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        # SQLModel's ``sa_column_kwargs={"onupdate": datetime.utcnow}``
        key = node.key
        if isinstance(key, cst.SimpleString) and key.evaluated_value in _KEYWORDS:
            self._check(None, node, str(key.evaluated_value), "")

    def _check(self, call: Optional[cst.Call], arg: Any, keyword: str, callee: str) -> None:
        value = arg.value
        if not isinstance(value, (cst.Name, cst.Attribute)):
            return
        qualified = self.resolve(value, self.wanted)
        if qualified is None:
            return
        label = NAIVE_FACTORIES.get(qualified)
        if label is None:
            if qualified in self.helpers:
                name = qualified.rsplit(".", 1)[-1]
                self.report(value, f"`{name}` (`naive-datetime-functions`) passed as `{keyword}` produces naive datetimes")
            return
        where = f"`{keyword}`" if keyword != "Factory" else "`Factory`"
        self.report(value, f"`{label}` passed as {where} produces naive datetimes", self._fix(arg, keyword, callee, qualified))

    def _fix(self, arg: Any, keyword: str, callee: str, qualified: str) -> Optional[Fix]:
        value = arg.value
        is_date = qualified == "datetime.date.today"
        need_class = is_date or not isinstance(value, cst.Attribute)
        parts = aware_parts(self.ctx, self.shadowed(), need_datetime=need_class)
        if parts is None:
            return None
        utc, dt, edits = parts
        cls_text = dt if need_class else self.text_of(value.value)  # type: ignore[union-attr]
        body = f"{cls_text}.now({utc})" + (".date()" if is_date else "")
        fix_edits = [Edit.replace(value, f"lambda: {body}"), *edits]
        title = f"Use `lambda: {body}`"
        if keyword == "default" and isinstance(arg, cst.Arg) and arg.keyword is not None:
            if callee in FIELD_FUNCTIONS or callee in DATACLASS_FIELDS:
                fix_edits.append(Edit.replace(arg.keyword, "default_factory"))
                title = f"Use `default_factory=lambda: {body}`"
            elif callee in ATTRS_FIELDS:
                fix_edits.append(Edit.replace(arg.keyword, "factory"))
                title = f"Use `factory=lambda: {body}`"
        return Fix.unsafe(title, fix_edits)
