from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from ...knowledge.tree_facts import TreeFacts
from ._screens import Members
from ...knowledge.datetimes import UTC_LIKE, ChainTracker
from ._analysis import ScopedRule, aware_parts

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_WANTED = frozenset({"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp"})


def utc_naive_datetime(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL302: a call whose callee may resolve to ``datetime.utcnow`` / ``datetime.utcfromtimestamp``."""
    return bool(Members(facts, _WANTED).called(facts))


SPEC = RuleSpec(
    code="BKL302",
    name="utc-naive-datetime",
    message="`datetime.utcnow()` returns a naive datetime",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("utcnow", "utcfromtimestamp"),
    screen=utc_naive_datetime,
    local=True,
)


class UtcNaiveDatetime(ScopedRule):
    """
    ## What it does
    Reports `datetime.utcnow()` and `datetime.utcfromtimestamp()`, which return naive datetimes.

    They return naive datetimes despite their names, and are deprecated since Python 3.12. Every import
    form is followed. This is the ground of ruff's DTZ003 and DTZ004, except that a call followed by
    `.astimezone()` is reported too.

    ## Why is this bad?
    The value holds UTC wall time but says nothing about it: anything that treats naive values as local
    time (`.astimezone()`, `.timestamp()`, most libraries) shifts it by the host's offset, so
    `datetime.utcnow().astimezone()` is wrong on every host that is not on UTC. Comparing it with an aware
    value raises `TypeError`. Python 3.12 deprecates both functions for this reason.

    ## Example
    ```python
    from datetime import datetime

    expires = datetime.utcnow()
    ```

    ## Use instead
    ```python
    from datetime import datetime, timezone

    expires = datetime.now(timezone.utc)
    ```

    ## Fix safety
    `utcnow()` becomes `now(timezone.utc)` and `utcfromtimestamp(x)` becomes `fromtimestamp(x, timezone.utc)`
    (`UTC` for a py311+ `target-version`; an existing import or alias is reused, otherwise the import is
    added once). The instant is the same but the value becomes aware: comparisons and arithmetic with naive
    values now raise `TypeError`, and code that stored or serialised it changes its output (`isoformat()`
    gains `+00:00`, so `utcnow().isoformat() + "Z"` must lose its `"Z"`), so the fix is unsafe. When the
    call is already followed by `.replace(tzinfo=<UTC>)` (`timezone.utc`, `UTC`,
    `pytz.utc`), the whole expression becomes `now(<UTC>)` / `fromtimestamp(x, <UTC>)`: the value is
    identical, so that fix is safe.
    """

    spec = SPEC

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.chain = ChainTracker()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.chain.note_attribute(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.chain.note_call(node)
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in ("utcnow", "utcfromtimestamp")) and not isinstance(func, cst.Name):
            return
        qualified = self.resolve(func, _WANTED)
        if qualified == "datetime.datetime.utcnow":
            self.report(node, "`datetime.utcnow()` returns a naive datetime (deprecated since Python 3.12)", self._fix(node, "now"))
        elif qualified == "datetime.datetime.utcfromtimestamp":
            self.report(
                node,
                "`datetime.utcfromtimestamp()` returns a naive datetime (deprecated since Python 3.12)",
                self._fix(node, "fromtimestamp"),
            )

    def _fix(self, node: cst.Call, method: str) -> Optional[Fix]:
        if any(a.star or a.keyword is not None for a in node.args):
            return None
        if len(node.args) != (0 if method == "now" else 1):
            return None
        args = [self.text_of(a.value) for a in node.args]
        # ``utcnow().replace(tzinfo=timezone.utc)``: the same aware value, written directly
        parent = self.chain.of(node)
        if parent is not None and parent[0] == "replace" and parent[1] is not None:
            outer = parent[1]
            if len(outer.args) == 1 and outer.args[0].keyword is not None and outer.args[0].keyword.value == "tzinfo":
                tz = outer.args[0].value
                if self.resolve(tz) in UTC_LIKE and isinstance(node.func, cst.Attribute):
                    cls_text = self.text_of(node.func.value)
                    text = f"{cls_text}.{method}({', '.join(args + [self.text_of(tz)])})"
                    shown = f"{cls_text}.{method}(..., {self.text_of(tz)})" if args else text
                    return Fix.safe(f"Use `{shown}`", [Edit.replace(outer, text)])
        parts = aware_parts(self.ctx, self.shadowed(), need_datetime=not isinstance(node.func, cst.Attribute))
        if parts is None:
            return None
        utc, dt, edits = parts
        cls_text = self.text_of(node.func.value) if isinstance(node.func, cst.Attribute) else dt
        text = f"{cls_text}.{method}({', '.join(args + [utc])})"
        return Fix.unsafe(f"Use `{cls_text}.{method}(..., {utc})`" if args else f"Use `{text}`", [Edit.replace(node, text), *edits])
