from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from .._shared.screens import named, reach
from ...knowledge.tree_facts import TreeFacts
from ._screens import Members, helper_words, import_targets
from ...knowledge.datetimes import (
    CALL_KINDS,
    ChainTracker,
    argument,
    count_positional,
    has_star,
    is_none,
    keyword_arg,
    positional_arg,
    string_value,
)
from ._analysis import HelperRule, append_argument, aware_parts

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_MIN_MAX = {"datetime.datetime.min": "min", "datetime.datetime.max": "max"}


# ``datetime.now(tz)`` / ``datetime.fromtimestamp(ts, tz)`` / ``datetime(y, m, d, ..., tzinfo)``: where the rule
# reads the timezone argument (visitor and screen), by the call's kind (``CALL_KINDS``)
_TZ_POSITION = {"now": 0, "fromtimestamp": 1}
_TZINFO_POSITION = 7
_TZ_ARGUMENT = {"now": ("tz", _TZ_POSITION["now"]), "fromtimestamp": ("tz", _TZ_POSITION["fromtimestamp"]), "constructor": ("tzinfo", _TZINFO_POSITION)}
# an attribute callee ``<x>.<tail>`` the screen reads the arguments of: the kind its tail stands for (``x.datetime``
# can only be the constructor; ``x.fromtimestamp`` is read as ``datetime.fromtimestamp``, as before)
_ATTRIBUTE_KIND = {"now": "now", "fromtimestamp": "fromtimestamp", "datetime": "constructor"}


def _tz_given(call: ast.Call, position: int, keyword: str = "tz") -> bool:
    """``knowledge.datetimes.argument`` / ``has_star`` on ``ast``: a ``keyword`` argument other than ``None``,
    or ``*args`` / ``**kwargs`` that may carry one (BKL301 then stays quiet on this call)."""
    for kw in call.keywords:
        if kw.arg == keyword:
            return not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) > position:
        value = positional[position]
        return not (isinstance(value, ast.Constant) and value.value is None)
    return any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords)


def _quiet_by_arguments(call: ast.Call, kind: Optional[str]) -> bool:
    """The visitor stays quiet on this call of ``kind`` whatever follows it: ``now`` / ``fromtimestamp`` given a
    timezone, the constructor given ``tzinfo`` or no argument at all (``_tz_argument``, ``_constructor``)."""
    found = _TZ_ARGUMENT.get(kind) if kind is not None else None
    if found is None:
        return False
    if kind == "constructor" and not call.args and not call.keywords:
        return True
    return _tz_given(call, found[1], found[0])


def _name_may_report(call: ast.Call, name: str, targets: Any, helpers: frozenset[str]) -> bool:
    """A call of the plain name ``name``: whether the import table may resolve it to a call the rule reports
    (``targets``: ``import_targets``). A name bound only by absolute imports of other things (Prefect's
    ``from prefect.types._datetime import now``) cannot; one bound to the constructor or ``now`` may only
    when its arguments leave the timezone out."""
    if targets is None:
        return True
    bound = targets.get(name)
    if bound is None:
        # some binding the imports do not tell, or none: then the table resolves a builtin's name to ``builtins``
        return name in targets or f"builtins.{name}" in helpers
    for qualified in bound:
        if qualified in helpers:
            return True
        if qualified in _REPORTED and not _quiet_by_arguments(call, CALL_KINDS[qualified]):
            return True
    return False


def naive_datetime_call(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL301: a call whose callee may resolve to ``datetime.now/today/fromtimestamp/strptime``,
    ``datetime(...)``, ``date.today/fromtimestamp`` or a configured helper, or an attribute ``<x>.min`` /
    ``<x>.max`` where ``x`` may be the ``datetime`` class."""
    members = Members(facts, _REPORTED, helper_words(settings))
    helpers: Optional[frozenset[str]] = None
    for call in members.called(facts):
        func = call.func
        if isinstance(func, ast.Name):
            if helpers is None:
                helpers = frozenset(getattr(settings, "naive_datetime_functions", ()))
            if _name_may_report(call, func.id, import_targets(facts), helpers):
                return True
            continue
        if func.attr in members.helpers or not _quiet_by_arguments(call, _ATTRIBUTE_KIND.get(func.attr)):
            return True
    if "min" in facts.names or "max" in facts.names:
        classes = reach(facts, ("datetime",))
        quiet = _aware_bounds(facts)
        for node in facts.nodes(ast.Attribute):
            if node.attr in ("min", "max") and id(node) not in quiet and named(node.value, classes):
                return True
    return False


def _aware_bounds(facts: TreeFacts) -> frozenset[int]:
    """The ``<x>.min`` / ``<x>.max`` attributes the visitor leaves (``ChainTracker.of``: the access applied to
    them and its call): ``.time()`` called on them, or ``.replace(tzinfo=...)`` called on them with a ``tzinfo=``
    other than ``None`` (``datetime.min.replace(tzinfo=timezone.utc)``)."""
    out = set()
    for call in facts.nodes(ast.Call):
        func = call.func
        if type(func) is not ast.Attribute or func.attr not in ("time", "replace"):
            continue
        bound = func.value
        if type(bound) is not ast.Attribute or bound.attr not in ("min", "max"):
            continue
        if func.attr == "replace":
            tz = next((k.value for k in call.keywords if k.arg == "tzinfo"), None)
            if tz is None or (type(tz) is ast.Constant and tz.value is None):
                continue
        out.add(id(bound))
    return frozenset(out)


SPEC = RuleSpec(
    code="BKL301",
    name="naive-datetime-call",
    message="Naive datetime created",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("datetime",),
    screen=naive_datetime_call,
    local=True,
)


class NaiveDatetimeCall(HelperRule):
    """
    ## What it does
    Reports calls that create naive datetimes, on the ground of ruff's DTZ rules, with a fix that passes UTC.

    The calls: `datetime.now()` / `datetime.today()` /
    `datetime.fromtimestamp(x)` without a timezone (or with `tz=None`), `datetime(...)` without `tzinfo`,
    `datetime.strptime()` with a format that has no `%z`, `date.today()`, `date.fromtimestamp()`, and the naive
    `datetime.min` / `datetime.max`. It covers the ground of ruff's flake8-datetimez rules (DTZ001, DTZ002,
    DTZ005, DTZ006, DTZ007, DTZ011, DTZ012, DTZ901) through every import form (`import datetime`,
    `import datetime as dt`, `from datetime import datetime as DT`, `from datetime import date`), and also
    reports calls to the project helpers listed in `naive-datetime-functions`.

    As in ruff, a call is aware when it passes a timezone, when `.astimezone()` follows it (also after
    `.replace(...)` calls), when `strptime` parses `%z` or is followed by `.replace(tzinfo=...)`, and when
    `tzinfo` is the 8th positional argument of `datetime(...)`. Beyond ruff: a `%z` in an implicitly
    concatenated format counts, `.replace(tzinfo=...)` makes `datetime(...)` and `strptime(...)` aware
    also after other `.replace(...)` calls, and a call that passes `*args` / `**kwargs` where the timezone
    could be is not reported (nothing can be said about it). `datetime.now().replace(tzinfo=...)` is still
    reported: it labels local wall time with another zone. A local function, class, parameter or variable
    named `now` or `datetime` is not the stdlib one.

    ## Why is this bad?
    A naive datetime has no timezone: it is local time of whatever machine ran the code, or UTC by
    convention, and nothing in the value says which. Mixing them gives wrong comparisons and arithmetic
    (silently) or `TypeError` (comparing naive with aware), and a database column then stores an ambiguous
    wall time.

    ## Example
    ```python
    from datetime import datetime

    started = datetime.now()
    ```

    ## Use instead
    ```python
    from datetime import datetime, timezone

    started = datetime.now(timezone.utc)
    ```

    ## Fix safety
    The fix passes UTC (`timezone.utc`, or `UTC` when `target-version` is py311 or later; an existing
    import or alias is reused, otherwise the import is added once at its isort position):
    `now()` / `today()` become `now(timezone.utc)`, `fromtimestamp(x)` becomes
    `fromtimestamp(x, timezone.utc)`, `datetime(...)` gets `tzinfo=timezone.utc`, `strptime(...)` gets
    `.replace(tzinfo=timezone.utc)`, `date.today()` becomes `datetime.now(timezone.utc).date()`, and
    `datetime.min` becomes `datetime.min.replace(tzinfo=timezone.utc)`.
    Every fix is unsafe: the value becomes aware, so comparing it with naive values raises `TypeError`
    and arithmetic with them fails; `now()` and `today()` also move from local time to UTC, so on a host
    that is not on UTC the wall time and the date change; a parsed or constructed wall time is declared to
    be UTC, which is only right if it was meant as UTC. Calls to configured project helpers get no fix.
    """

    spec = SPEC

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.chain = ChainTracker()
        self.helpers = self.naive_helpers()
        self.wanted = frozenset(CALL_KINDS) | self.helpers

    # ------------------------------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.chain.note_attribute(node)
        if node.attr.value not in ("min", "max"):
            return
        qualified = self.resolve(node, _MIN_MAX)
        which = _MIN_MAX.get(qualified or "")
        if which is None:
            return
        parent = self.chain.of(node)
        tz = None
        if parent is not None and parent[1] is not None:
            attr, call = parent
            if attr == "time":
                return
            if attr == "replace":
                tz = keyword_arg(call, "tzinfo")
                if tz is not None and not is_none(tz.value):
                    return
        fix = self._utc_fix(node, tz.value if tz is not None else None, as_argument=False)  # ``.replace(tzinfo=None)``
        self.report(node, f"`datetime.{which}` is naive", fix)

    def visit_Call(self, node: cst.Call) -> None:
        self.chain.note_call(node)
        qualified = self.resolve(node.func, self.wanted)
        if qualified is None:
            return
        kind = CALL_KINDS.get(qualified)
        if kind is None:
            if qualified in self.helpers:
                self.report(node, f"`{qualified.rsplit('.', 1)[-1]}()` returns a naive datetime (`naive-datetime-functions`)")
            return
        handler = getattr(self, "_" + kind.replace(".", "_"), None)
        if handler is not None:
            handler(node)

    # -- kinds ---------------------------------------------------------------------------------------
    def _parts(self, need_datetime: bool = False):
        return aware_parts(self.ctx, self.shadowed(), need_datetime)

    def _utc_fix(self, node: cst.CSTNode, none: Optional[cst.BaseExpression], as_argument: bool) -> Optional[Fix]:
        """The fix of a naive ``node``: UTC in place of the ``tzinfo=None`` value written (``none``), else
        ``tzinfo=<UTC>`` added to the call's arguments (``as_argument``) or ``.replace(tzinfo=<UTC>)`` after it."""
        parts = self._parts()
        if parts is None:
            return None
        utc, _, edits = parts
        if none is not None:
            return Fix.unsafe(f"Pass `tzinfo={utc}`", [Edit.replace(none, utc), *edits])
        if as_argument:
            return Fix.unsafe(f"Pass `tzinfo={utc}`", [append_argument(self, node, f"tzinfo={utc}"), *edits])  # type: ignore[arg-type]
        return Fix.unsafe(f"Add `.replace(tzinfo={utc})`", [Edit.insert_after(node, f".replace(tzinfo={utc})"), *edits])

    def _tz_argument(self, node: cst.Call, keyword: str, position: int, label: str) -> None:
        """``now`` / ``fromtimestamp``: report a missing or ``None`` timezone argument."""
        if self.chain.followed_by_astimezone(node):
            return
        arg = argument(node, keyword, position)
        if arg is not None and not is_none(arg.value):
            return
        if arg is None and has_star(node):
            return  # ``*args`` / ``**kwargs`` may carry the timezone
        parts = self._parts()
        fix = None
        if arg is not None:
            message = f"`{keyword}=None` passed to `{label}()`"
            if parts is not None:
                utc, _, edits = parts
                fix = Fix.unsafe(f"Pass `{utc}`", [Edit.replace(arg.value, utc), *edits])
        else:
            message = f"`{label}()` called without a `{keyword}` argument"
            if parts is not None and count_positional(node) <= position and (node.args or position == 0):
                utc, _, edits = parts
                text = utc if not any(a.keyword is not None for a in node.args) else f"{keyword}={utc}"
                fix = Fix.unsafe(f"Pass `{utc}`", [append_argument(self, node, text), *edits])
        self.report(node, message, fix)

    def _now(self, node: cst.Call) -> None:
        self._tz_argument(node, "tz", _TZ_POSITION["now"], "datetime.now")

    def _fromtimestamp(self, node: cst.Call) -> None:
        self._tz_argument(node, "tz", _TZ_POSITION["fromtimestamp"], "datetime.fromtimestamp")

    def _today(self, node: cst.Call) -> None:
        if self.chain.followed_by_astimezone(node):
            return
        fix = None
        parts = self._parts()
        if parts is not None and not node.args and isinstance(node.func, cst.Attribute):
            utc, _, edits = parts
            text = f"{self.text_of(node.func.value)}.now({utc})"
            fix = Fix.unsafe(f"Use `{text}`", [Edit.replace(node, text), *edits])
        self.report(node, "`datetime.today()` returns naive local time", fix)

    def _constructor(self, node: cst.Call) -> None:
        if not node.args or self.chain.followed_by_astimezone(node):
            return
        replaced = self.chain.replace_tzinfo(node, through_replace=True)
        if replaced is not None and not is_none(replaced.value):
            return
        arg = argument(node, "tzinfo", _TZINFO_POSITION)
        if arg is not None and not is_none(arg.value):
            return
        if arg is None and has_star(node):
            return
        if arg is not None:
            message = "`tzinfo=None` passed to `datetime()`"
        else:
            message = "`datetime()` called without a `tzinfo` argument"
        self.report(node, message, self._utc_fix(node, arg.value if arg is not None else None, as_argument=True))

    def _strptime(self, node: cst.Call) -> None:
        fmt = positional_arg(node, 1)  # ``strptime`` takes no keyword arguments
        if fmt is not None:
            text = string_value(fmt.value)
            if text is not None and "%z" in text:
                return
        parent = self.chain.of(node)
        if parent is not None and parent[0] == "astimezone":
            return
        replaced = self.chain.replace_tzinfo(node, through_replace=True)
        if replaced is not None and not is_none(replaced.value):
            return
        if replaced is not None:
            message = "`datetime.strptime(...).replace(tzinfo=None)` is naive"
        else:
            message = "`datetime.strptime()` without `%z` returns a naive datetime"
        self.report(node, message, self._utc_fix(node, replaced.value if replaced is not None else None, as_argument=False))

    def _date_today(self, node: cst.Call) -> None:
        fix = None
        parts = self._parts(need_datetime=True)
        if parts is not None and not node.args:
            utc, dt, edits = parts
            text = f"{dt}.now({utc}).date()"
            fix = Fix.unsafe(f"Use `{text}`", [Edit.replace(node, text), *edits])
        self.report(node, "`date.today()` returns the local date", fix)

    def _date_fromtimestamp(self, node: cst.Call) -> None:
        fix = None
        if len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star:
            parts = self._parts(need_datetime=True)
            if parts is not None:
                utc, dt, edits = parts
                text = f"{dt}.fromtimestamp({self.text_of(node.args[0].value)}, {utc}).date()"
                fix = Fix.unsafe(f"Use `{dt}.fromtimestamp(..., {utc}).date()`", [Edit.replace(node, text), *edits])
        self.report(node, "`date.fromtimestamp()` returns the local date", fix)


# the calls of ``CALL_KINDS`` this rule reports: those with a handler (``utcnow`` and ``utcfromtimestamp`` are BKL302's)
_REPORTED = tuple(q for q, kind in CALL_KINDS.items() if hasattr(NaiveDatetimeCall, "_" + kind.replace(".", "_")))
