"""Screens: conservative per-rule prefilters on CPython's ``ast``, run before libcst.

Substring prefilters (``Rule.requires``) are free but coarse: the words families 1, 2, 3 and 5 need
(``user``, ``datetime``, ``==``) occur in most backend files. Parsing with libcst costs about ten
times what ``ast.parse`` costs, so when every rule still active on a file has a screen, the engine
parses the file with ``ast`` once, hands every screen the same :class:`TreeFacts`, drops the rules whose
screen says they cannot fire, and reaches libcst only when one is left.

A screen must be *conservative*: it may say "can fire" where the rule stays quiet, never the
reverse. The skip-equivalence tests (``tests/test_skip_equivalence.py``) run every fixture and a real
project with skipping on and off and require identical findings; a screen that mirrors a rule's
trigger loosely (a name, a call shape) keeps that easy to hold.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any, Callable, Iterable, Optional

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


# Fields that never hold a node a screen asks for: identifiers and constants, and the expression context
# and operator singletons (``Load``, ``Add``, ``Eq``), which are not indexed.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "conversion", "is_async", "asname"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = () if kind is ast.Constant else tuple(f for f in getattr(kind, "_fields", ()) if f not in _LEAF_FIELDS)
    _CHILD_FIELDS[kind] = fields
    return fields


class TreeFacts:
    """One file's ``ast`` with the node lists screens ask for, each computed once."""

    __slots__ = ("source", "tree", "_by_type", "_names", "memo")

    def __init__(self, source: str, tree: ast.Module) -> None:
        self.source = source
        self.tree = tree
        self._by_type: Optional[dict[type, list[ast.AST]]] = None
        self._names: Optional[frozenset[str]] = None
        self.memo: dict[Any, Any] = {}

    def _index(self) -> dict[type, list[ast.AST]]:
        if self._by_type is None:
            # ``ast.walk`` is a generator over ``iter_child_nodes``; this loop reads only the fields that can
            # hold nodes the screens ask for (``_child_fields``) and runs about three times faster.
            by_type: dict[type, list[ast.AST]] = {}
            stack: list[Any] = [self.tree]
            pop, push, extend = stack.pop, stack.append, stack.extend
            fields_of = _CHILD_FIELDS
            while stack:
                node = pop()
                kind = node.__class__
                bucket = by_type.get(kind)
                if bucket is None:
                    by_type[kind] = [node]
                else:
                    bucket.append(node)
                fields = fields_of.get(kind)
                if fields is None:
                    fields = _child_fields(kind)
                for name in fields:
                    value = getattr(node, name)
                    if value is None:
                        continue
                    if value.__class__ is list:
                        extend(value)  # may hold ``None`` (``Dict.keys``) or ``str`` (``Global.names``): leaves
                    else:
                        push(value)
            self._by_type = by_type
        return self._by_type

    def nodes(self, *kinds: type) -> list[Any]:
        """Every node of these exact ``ast`` types, in no particular order (not the context and operator
        singletons: ``Load``, ``Add``, ``Eq``)."""
        index = self._index()
        if len(kinds) == 1:
            return index.get(kinds[0], [])
        out: list[Any] = []
        for kind in kinds:
            out.extend(index.get(kind, ()))
        return out

    @property
    def functions(self) -> list[Any]:
        return self.nodes(*FUNCTIONS)

    @property
    def calls(self) -> list[ast.Call]:
        return self.nodes(ast.Call)

    @property
    def names(self) -> frozenset[str]:
        """Every identifier the code spells: names, attribute names, imported names and their aliases,
        parameters, keyword arguments, and function and class names (not strings, not comments)."""
        if self._names is None:
            out: set[str] = set()
            index = self._index()
            out.update(n.id for n in index.get(ast.Name, ()))  # type: ignore[attr-defined]
            out.update(n.attr for n in index.get(ast.Attribute, ()))  # type: ignore[attr-defined]
            for alias in index.get(ast.alias, ()):
                out.update(alias.name.split("."))  # type: ignore[attr-defined]
                if alias.asname:  # type: ignore[attr-defined]
                    out.add(alias.asname)  # type: ignore[attr-defined]
            out.update(a.arg for a in index.get(ast.arg, ()))  # type: ignore[attr-defined]
            out.update(k.arg for k in index.get(ast.keyword, ()) if k.arg)  # type: ignore[attr-defined]
            for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                out.update(n.name for n in index.get(kind, ()))  # type: ignore[attr-defined]
            self._names = frozenset(out)
        return self._names

    def cached(self, key: Any, factory: Callable[[], Any]) -> Any:
        """Memoise a screen's answer for this file (rules of one family share their screen)."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = factory()
            return value


def tree_facts(source: str) -> Optional[TreeFacts]:
    """The file's ``TreeFacts``, or ``None`` when CPython cannot parse it (libcst then decides)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return TreeFacts(source, tree)


# --- helpers shared by screens ---------------------------------------------------------------------


def last_name(node: Any) -> Optional[str]:
    """``b`` for ``a.b`` and ``b``, ``None`` for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def leaf_names(node: Optional[ast.AST]) -> Iterable[str]:
    """Names, attribute names and words inside string annotations of an expression."""
    if node is None:
        return
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            yield n.id
        elif isinstance(n, ast.Attribute):
            yield n.attr
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield from _WORD.findall(n.value)


def parameters(func: Any) -> list[ast.arg]:
    a = func.args
    out = list(a.posonlyargs) + list(a.args) + list(a.kwonlyargs)
    if a.vararg is not None:
        out.append(a.vararg)
    if a.kwarg is not None:
        out.append(a.kwarg)
    return out


def defaults(func: Any) -> list[ast.expr]:
    a = func.args
    return list(a.defaults) + [d for d in a.kw_defaults if d is not None]


# --- families 1 and 2: a function with the caller's identity in scope ---------------------------------


def _identity_shape(facts: TreeFacts, project: Any, settings: Any) -> tuple[bool, bool]:
    """(a function can carry the principal or an identity value, a function is a route handler).

    Mirrors ``knowledge.auth._function_identity``: a function that is not a route handler and whose
    enclosing function has nothing in scope gets an identity only through a parameter named like a
    principal or an identity field, a parameter with a call as default (``Depends(...)``), or one whose
    annotation names an auth alias, ``Depends``/``Security`` or a principal class. Route handlers are
    the decorated ones (``@<router>.<method>(...)``) and those given to ``add_api_route``."""

    def build() -> tuple[bool, bool]:
        from ...knowledge.auth import interesting_names
        from ...knowledge.fastapi import ROUTE_DECORATORS

        wanted = interesting_names(project, settings)
        plain = set(settings.principal_parameters) | set(settings.identity_fields)
        carries = route = False
        for func in facts.functions:
            if not carries:
                if any(isinstance(d, ast.Call) for d in defaults(func)):
                    carries = True
                else:
                    for p in parameters(func):
                        if p.arg in plain or (p.annotation is not None and any(n in wanted for n in leaf_names(p.annotation))):
                            carries = True
                            break
            if not route:
                for dec in func.decorator_list:
                    if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS:
                        route = True
                        break
            if carries and route:
                break
        if not route and "add_api_route" in facts.names:
            route = True
        return carries, route

    return facts.cached("identity", build)


def identity_in_scope(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 2: some function can have a principal or an identity value in scope."""
    return _identity_shape(facts, project, settings)[0]


def route_handler(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 1: some function is a route handler (its identity may also come from ``dependencies=``)."""
    return _identity_shape(facts, project, settings)[1]


def _client_identity_words(project: Any, settings: Any) -> frozenset[str]:
    """What a file must spell for family 1 to find an identity field in client data: an identity field
    (``payload.owner_id``, ``data["owner_id"]``, a parameter ``owner_id``), or a project schema class that
    declares one (its fields spread into an ORM constructor), a ``X = Annotated[Schema, Body()]`` alias of
    it, and every name a project module re-exports those under. Stored per project and identity fields."""
    fields = tuple(settings.identity_fields)
    if project is None:
        return frozenset(fields)

    def build() -> frozenset[str]:
        from ...knowledge.schemas import schema_fields

        wanted = frozenset(fields)
        # only a class that declares an identity field, or inherits from one that does, can carry one:
        # ``schema_fields`` (which reads the whole hierarchy) runs on those alone

        def declares(q: str) -> bool:
            return any(facts is not None and not wanted.isdisjoint(facts.get("fields", {})) for _, facts in project.class_mro(q))

        carriers: set[str] = set()
        for q, _ in project.iter_classes():
            if declares(q):
                found = schema_fields(project, q)
                if found and not wanted.isdisjoint(found):
                    carriers.add(q)
        if not carriers:
            return frozenset(fields)
        names = {q.rsplit(".", 1)[-1] for q in carriers}
        for _, mfacts in project.iter_modules():
            for alias, entry in mfacts.get("extra", {}).get("orm", {}).get("aliases", {}).items():
                found = project.get_class(entry.get("type")) if entry.get("type") else None
                if found is not None and found[0] in carriers:
                    names.add(alias)
        return frozenset(fields) | reexport_closure(project, names)

    return project.stored_memo(f"screens.client_identity:{fields!r}", build, load=frozenset)


def client_identity_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 1's text prefilter: the text spells an identity field or a class carrying one (a substring
    test: names, attributes, string keys and string annotations alike). No parse needed."""
    return any(w in source for w in _client_identity_words(project, settings))


def _owned_words(project: Any, settings: Any) -> frozenset[str]:
    """Names through which a file can reach an owned ORM model (``knowledge.queries``: a query's entity is
    ``model_of`` a name or an attribute, or the model a project function or repository method returns):
    the owned models' names, the project functions and methods returning one, and every name a project
    module re-exports them under. ``"*"`` when repositories take owned models as generic arguments or
    constructor arguments (``CRUDBase[Item]``, ``CRUDItem(Item)`` in another module): then any method name
    may fetch rows, and the screen lets every file through. Stored per project and per the settings that
    decide ownership."""
    from ...knowledge.models import is_owned, is_table_model

    def build() -> frozenset[str]:
        owned: set[str] = set()
        for q, _ in project.iter_classes():
            if is_table_model(project, q) and is_owned(project, settings, q):
                owned.add(q)
        if not owned:
            return frozenset()

        def is_owned_class(name: Optional[str]) -> bool:
            found = project.get_class(name) if name else None
            return found is not None and found[0] in owned

        words = {q.rsplit(".", 1)[-1] for q in owned}
        for _, mfacts in project.iter_modules():
            orm = mfacts.get("extra", {}).get("orm", {})
            for generic in orm.get("generic_args", {}).values():
                if any(is_owned_class(g) for g in generic):
                    return frozenset({"*"})
            for call in orm.get("calls", {}).values():
                if any(is_owned_class(a) for a in call.get("args", ())):
                    return frozenset({"*"})
            for name, fn in orm.get("functions", {}).items():
                if fn.get("returns") and project.canonical(fn["returns"]) in owned:
                    words.add(name)
            for methods in orm.get("method_returns", {}).values():
                words.update(m for m, r in methods.items() if is_owned_class(r))
        return reexport_closure(project, words)

    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.stored_memo(f"screens.owned:{key!r}", build, load=frozenset)


def owned_model_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 2's text prefilter: the text contains one of ``_owned_words`` (a superset of the names test
    below: no parse needed, so a file no rule of the family can fire on is not even ``ast``-parsed)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    words = _owned_words(project, settings)
    return "*" in words or any(w in source for w in words)


def owned_model_reachable(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 2 can fire only where a query or a fetch can be about an owned model: the file names one of
    ``_owned_words`` (an alias of it inside the file names it too, on its right-hand side)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    words = _owned_words(project, settings)
    return "*" in words or not words.isdisjoint(facts.names)


def isolation_may_fire(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Families 2's screen: an owned model within reach and an identity in scope."""
    return owned_model_reachable(facts, project, settings) and identity_in_scope(facts, project, settings)


# --- shared: which local names may stand for a qualified name ending in a given word ------------------


def _alias_sources(facts: TreeFacts) -> dict[str, frozenset[str]]:
    """Local name -> last segments of what it may be bound to, beyond itself: ``import a.b as x`` /
    ``from m import b as x`` (``x`` -> ``b``) and ``x = <name or attribute>`` (``x`` -> its last name),
    which the import table keeps as aliases (``now = datetime.now``). Every statement of the file is read,
    not only the module level the import table reads: a superset."""

    def build() -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for alias in facts.nodes(ast.alias):
            if alias.asname:
                source = alias.name.rsplit(".", 1)[-1]
                if source != alias.asname:
                    out.setdefault(alias.asname, set()).add(source)
        for node in facts.nodes(ast.Assign, ast.AnnAssign):
            source = last_name(node.value) if node.value is not None else None
            if source is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id != source:
                    out.setdefault(t.id, set()).add(source)
        return {k: frozenset(v) for k, v in out.items()}

    return facts.cached("screens.alias_sources", build)


def reach(facts: TreeFacts, words: Iterable[str], predicate: Optional[Callable[[str], bool]] = None) -> frozenset[str]:
    """The names of this file that may resolve (through the file's imports and aliases) to a qualified name
    whose last segment is one of ``words`` (or satisfies ``predicate``): the words themselves and the
    local aliases that lead to them, transitively. An attribute ``a.<w>`` resolves to a name ending in
    ``w``; a name ``x`` to its binding's last segment."""
    sources = _alias_sources(facts)
    found = set(words)
    if predicate is not None:
        found.update(n for n in facts.names if predicate(n))
    changed = bool(sources)
    while changed:
        changed = False
        for local, srcs in sources.items():
            if local not in found and not srcs.isdisjoint(found):
                found.add(local)
                changed = True
    return frozenset(found)


def reexport_closure(project: Any, names: Iterable[str]) -> frozenset[str]:
    """``names`` (last names of project symbols) plus every name a project module imports them under,
    transitively: a module's ``from .types import TZ as Stamp`` re-exports ``TZ`` as ``Stamp``, and
    ``project.resolve_symbol`` follows such chains. A superset: names are matched, not modules."""
    found = set(n for n in names if n)
    if not found:
        return frozenset()
    pairs = []
    for _, mfacts in project.iter_modules():
        for local, target in mfacts.get("imports", {}).items():
            if isinstance(target, str):
                tail = target.rsplit(".", 1)[-1]
                if tail != local:
                    pairs.append((local, tail))
    changed = True
    while changed:
        changed = False
        for local, tail in pairs:
            if local not in found and tail in found:
                found.add(local)
                changed = True
    return frozenset(found)


def _project_closure(project: Any, key: str, seeds: Callable[[], Iterable[str]]) -> frozenset[str]:
    """``reexport_closure`` of ``seeds()``, once per project index."""
    return project.stored_memo("screens." + key, lambda: reexport_closure(project, seeds()), load=frozenset)


def _named(node: Any, names: frozenset[str]) -> bool:
    """``node`` is a name or an attribute whose (last) name is in ``names``."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return node.attr in names
    return False


def _callee_names(facts: TreeFacts) -> frozenset[str]:
    """The last names of every callee of the file (``b`` for ``a.b(...)`` and ``b(...)``)."""
    return facts.cached("screens.callees", lambda: frozenset(n for n in map(last_name, (c.func for c in facts.calls)) if n))


def _class_body_annassigns(cls: ast.ClassDef) -> Iterable[ast.AnnAssign]:
    """Annotated assignments run in the class body itself (also under ``if``/``try``/``with``/loops),
    not in its methods or nested classes."""
    stack = list(cls.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.AnnAssign):
            yield stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        else:
            for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
                block = getattr(stmt, attr, None)
                if isinstance(block, list):
                    stack.extend(block)


def _annotated_in_classes(facts: TreeFacts) -> list[tuple[ast.ClassDef, ast.AnnAssign, frozenset[str]]]:
    """(class, class-body annotated assignment, names its annotation spells) for every class of the file."""

    def build() -> list[tuple[ast.ClassDef, ast.AnnAssign, frozenset[str]]]:
        out = []
        for cls in facts.nodes(ast.ClassDef):
            for ann in _class_body_annassigns(cls):
                out.append((cls, ann, frozenset(leaf_names(ann.annotation))))
        return out

    return facts.cached("screens.class_annotations", build)


def _line_ranges(nodes: Iterable[Any]) -> list[tuple[int, int]]:
    return [(n.lineno, n.end_lineno or n.lineno) for n in nodes]


def _within(line: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= line <= b for a, b in ranges)


# --- family 3: time is stored in UTC and timezone-aware (BKL301-BKL306) --------------------------------

# last segments of the qualified names each rule resolves a callee or a value to (knowledge/datetimes.py)
_BKL301_CALLS = ("now", "today", "fromtimestamp", "strptime", "datetime")  # CALL_KINDS handled by BKL301
_BKL302_CALLS = ("utcnow", "utcfromtimestamp")
_NAIVE_FACTORIES = ("now", "utcnow", "today")  # NAIVE_FACTORIES (BKL303)
_CLOCK_CALLS = ("now", "utcnow", "today")  # CLOCK_CALLS (BKL304)
_DEFAULT_KEYWORDS = frozenset({"default", "default_factory", "onupdate", "insert_default", "factory"})  # BKL303


def _helper_words(settings: Any) -> tuple[str, ...]:
    return tuple(h.rsplit(".", 1)[-1] for h in getattr(settings, "naive_datetime_functions", ()) or ())


class _Members:
    """Which expressions may resolve to ``<receiver>.<method>`` (``datetime.datetime.now``) or to a
    configured helper: a name that may be bound to a method or a helper (``now = datetime.now``,
    ``from x import utcnow as u``), an attribute ``<r>.<method>`` whose receiver may resolve to a name
    ending in one of ``receivers`` (``datetime``, ``DT``, ``dt.datetime``), or ``<anything>.<helper>``."""

    __slots__ = ("names", "methods", "receivers", "helpers")

    def __init__(self, facts: TreeFacts, methods: tuple[str, ...], receivers: tuple[str, ...], helpers: tuple[str, ...]) -> None:
        self.names = reach(facts, methods + helpers)
        self.methods = frozenset(methods)
        self.receivers = reach(facts, receivers)
        self.helpers = frozenset(helpers)

    def __call__(self, node: Any) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Attribute):
            if node.attr in self.helpers:
                return True
            return node.attr in self.methods and _named(node.value, self.receivers)
        return False

    def called(self, facts: TreeFacts) -> list[ast.Call]:
        if self.names.isdisjoint(_callee_names(facts)):
            return []
        return [c for c in facts.calls if self(c.func)]


# receivers: ``datetime.datetime.<m>`` / ``datetime.date.<m>`` and the constructor ``datetime.datetime``
_STDLIB = ("datetime", "date")


# ``datetime.now(tz)`` / ``datetime.fromtimestamp(ts, tz)``: where the rule reads the timezone argument
_TZ_POSITION = {"now": 0, "fromtimestamp": 1}


def _tz_given(call: ast.Call, position: int) -> bool:
    """``knowledge.datetimes.argument`` / ``has_star`` on ``ast``: a ``tz`` argument other than ``None``, or
    ``*args`` / ``**kwargs`` that may carry one (BKL301 then stays quiet on this call)."""
    for kw in call.keywords:
        if kw.arg == "tz":
            return not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) > position:
        value = positional[position]
        return not (isinstance(value, ast.Constant) and value.value is None)
    return any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords)


def naive_datetime_call(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL301: a call whose callee may resolve to ``datetime.now/today/fromtimestamp/strptime``,
    ``datetime(...)``, ``date.today/fromtimestamp`` or a configured helper, or an attribute ``<x>.min`` /
    ``<x>.max`` where ``x`` may be the ``datetime`` class."""
    members = _Members(facts, _BKL301_CALLS, _STDLIB, _helper_words(settings))
    for call in members.called(facts):
        func = call.func
        position = _TZ_POSITION.get(func.attr) if isinstance(func, ast.Attribute) and func.attr not in members.helpers else None
        if position is None or not _tz_given(call, position):
            return True
    if "min" in facts.names or "max" in facts.names:
        classes = reach(facts, ("datetime",))
        for node in facts.nodes(ast.Attribute):
            if node.attr in ("min", "max") and _named(node.value, classes):
                return True
    return False


def utc_naive_datetime(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL302: a call whose callee may resolve to ``datetime.utcnow`` / ``datetime.utcfromtimestamp``."""
    return bool(_Members(facts, _BKL302_CALLS, ("datetime",), ()).called(facts))


def naive_datetime_default(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL303: a name or attribute that may resolve to ``datetime.now/utcnow/today``, ``date.today`` or a
    configured helper, given as a ``default=``-like keyword, as the first argument of ``Factory(...)`` or
    as the value of a ``{"default": ...}``-like dict entry."""
    member = _Members(facts, _NAIVE_FACTORIES, _STDLIB, _helper_words(settings))
    if member.names.isdisjoint(facts.names):
        return False
    for kw in facts.nodes(ast.keyword):
        if kw.arg in _DEFAULT_KEYWORDS and member(kw.value):
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
            if isinstance(key, ast.Constant) and key.value in _DEFAULT_KEYWORDS and member(value):
                return True
    return False


# receivers of CLOCK_CALLS: ``datetime.datetime``, ``datetime.date``, ``django.utils.timezone``, ``pendulum``, ``arrow``
_CLOCK_RECEIVERS = ("datetime", "date", "timezone", "pendulum", "arrow")


def import_time_datetime_default(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL304: a clock call (callee may resolve to ``datetime.now/utcnow/today``, ``date.today``,
    ``timezone.now``, ``pendulum.now``... or a configured helper) outside every function body and lambda
    body (the rule only looks at code that runs once)."""
    candidates = _Members(facts, _CLOCK_CALLS, _CLOCK_RECEIVERS, _helper_words(settings)).called(facts)
    if not candidates:
        return False
    bodies = [((f.body[0].lineno, f.body[0].col_offset), (f.end_lineno, f.end_col_offset)) for f in facts.functions]
    bodies += [((x.body.lineno, x.body.col_offset), (x.body.end_lineno, x.body.end_col_offset)) for x in facts.nodes(ast.Lambda)]
    for call in candidates:
        at = (call.lineno, call.col_offset)
        if not any(start <= at <= end for start, end in bodies):  # type: ignore[operator]
            return True
    return False


def _tz_alias_names(project: Any, kind: str) -> frozenset[str]:
    """Names under which the project's module-level time aliases (``facts["extra"]["timezone"]["aliases"]``)
    that matter can be reached: ``kind="column"``: naive column types (``NaiveTS = DateTime()``), the only
    alias ``column_type_state`` reports; ``kind="annotation"``: ``Annotated[datetime | NaiveDatetime, ...]``,
    the aliases ``naive_annotation`` reports."""
    if project is None:
        return frozenset()

    def wanted(alias: Any) -> bool:
        if not isinstance(alias, dict):
            return True
        if kind == "column":
            return alias.get("base") is None and alias.get("column") == "naive"
        return alias.get("base") in ("datetime", "naive")

    def seeds() -> Iterable[str]:
        for _, mfacts in project.iter_modules():
            for name, alias in mfacts.get("extra", {}).get("timezone", {}).get("aliases", {}).items():
                if wanted(alias):
                    yield name

    return _project_closure(project, "timezone.aliases." + kind, seeds)


def words_or_time_alias(source: str, project: Any, words: tuple[str, ...], kind: str) -> bool:
    """The text prefilter of BKL305 / BKL306: the file spells one of ``words``, or a project time alias
    that matters (``_tz_alias_names``; re-exported under any name). Only a project that has time aliases
    at all makes the file depend on the index (a result-cache key): in one without, a file could only
    gain a finding through a name that later becomes a time alias while the file itself does not change."""
    if any(w in source for w in words):
        return True
    if project is None:
        return False
    index = getattr(project, "unprobed", project)

    def any_alias() -> bool:
        return any(m.get("extra", {}).get("timezone", {}).get("aliases") for _, m in index.iter_modules())

    if not index.stored_memo("screens.timezone.any_alias", any_alias, load=bool):
        return False
    return any(name in source for name in _tz_alias_names(project, kind))


def _datetime_annotation_names(facts: TreeFacts, project: Any) -> frozenset[str]:
    """Names that may make an annotation naive: ``datetime``, ``NaiveDatetime``, project time aliases."""
    return facts.cached(
        "screens.tz.annotation_names",
        lambda: reach(facts, ("datetime", "NaiveDatetime", *_tz_alias_names(project, "annotation"))),
    )


def _aware_type_call(call: ast.Call) -> bool:
    """``DateTime(timezone=True)`` / ``DateTime(True)``: ``column_type_state`` says aware."""
    for kw in call.keywords:
        if kw.arg == "timezone":
            return isinstance(kw.value, ast.Constant) and kw.value.value is True
    if any(kw.arg is None for kw in call.keywords) or not call.args or isinstance(call.args[0], ast.Starred):
        return False
    first = call.args[0]
    return isinstance(first, ast.Constant) and first.value is True


def _column_type_nodes(facts: TreeFacts) -> list[Any]:
    """The expressions ``column_type_state`` may call naive: the arguments BKL305 reads (positional, ``type_=``,
    ``sa_type=``) of calls whose callee may resolve to ``Column`` / ``mapped_column`` / ``alter_column`` /
    ``Field``, and, for a call among them, its callee (down ``.with_variant(...)`` chains)."""
    tails = reach(facts, ("Column", "mapped_column", "alter_column", "Field"))
    out: list[Any] = []
    for call in facts.calls:
        if not _named(call.func, tails):
            continue
        args = [a for a in call.args if not isinstance(a, ast.Starred)]
        args += [kw.value for kw in call.keywords if kw.arg in ("type_", "sa_type")]
        for arg in args:
            for _ in range(32):
                if isinstance(arg, ast.Call):
                    out.append(arg)
                    func = arg.func
                    if isinstance(func, ast.Attribute) and func.attr == "with_variant":
                        arg = func.value
                        continue
                    out.append(func)
                elif isinstance(arg, (ast.Name, ast.Attribute)):
                    out.append(arg)
                break
    return out


def _naive_column_type(facts: TreeFacts, project: Any) -> bool:
    """A column type that may be naive: ``DateTime`` / ``TIMESTAMP`` (any spelling the file's imports
    allow; also ``db.DateTime``) used in a column, except ``DateTime(timezone=True)``; or a project time
    alias used there."""
    aliases = _tz_alias_names(project, "column")
    if "DateTime" not in facts.names and "TIMESTAMP" not in facts.names and aliases.isdisjoint(facts.names):
        return False
    types = reach(facts, ("DateTime", "TIMESTAMP"))
    project_types = reach(facts, aliases) if aliases else frozenset()
    nodes = _column_type_nodes(facts)
    if nodes and "downgrade" in facts.names:
        from ...knowledge.modules import looks_like_migration

        if looks_like_migration(facts.source):  # the rule skips a migration's ``downgrade()``
            down = _line_ranges(s for s in facts.tree.body if isinstance(s, FUNCTIONS) and s.name == "downgrade")
            nodes = [n for n in nodes if not _within(n.lineno, down)]
    aware = {id(c.func) for c in nodes if isinstance(c, ast.Call) and _named(c.func, types) and _aware_type_call(c)}
    for node in nodes:
        if _named(node, types) and id(node) not in aware:
            return True
        if project_types and _named(node, project_types):
            return True
    return False


def _mapped_without_type(value: Optional[ast.expr], columns: frozenset[str]) -> bool:
    """``x: Mapped[...]`` whose column type comes from the annotation (BKL305's ``_explicit_type_in`` is
    False): no value, or ``mapped_column(...)`` with no type argument (only a leading name string)."""
    if value is None:
        return True
    if not isinstance(value, ast.Call) or not _named(value.func, columns):
        return False
    if any(kw.arg is None or kw.arg == "type_" for kw in value.keywords):
        return False
    args = value.args
    if any(isinstance(a, ast.Starred) for a in args):
        return False
    return not args or (len(args) == 1 and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str))


def naive_datetime_column(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL305: the file spells ``DateTime``, ``TIMESTAMP`` or a project time alias (a column type), or a
    class body annotates a field with a ``datetime`` / ``NaiveDatetime`` / project alias inside
    ``Mapped[...]`` or in a class that may be a SQLModel table (``table=True``, or a base whose fields
    a table of the project stores)."""
    if _naive_column_type(facts, project):
        return True
    entries = _annotated_in_classes(facts)
    if not entries:
        return False
    wanted = _datetime_annotation_names(facts, project)
    mapped = reach(facts, ("Mapped",))
    columns = reach(facts, ("mapped_column",))
    bases: Optional[frozenset[str]] = None
    for cls, ann, spelled in entries:
        if spelled.isdisjoint(wanted):
            continue
        if isinstance(ann.annotation, ast.Subscript) and _named(ann.annotation.value, mapped):
            if _mapped_without_type(ann.value, columns):
                return True
            # else the rule's ``_mapped`` stays quiet, unless ``Mapped`` is not SQLAlchemy's: the table path
        if not isinstance(ann.target, ast.Name):
            continue
        if any(kw.arg == "table" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in cls.keywords):
            return True
        if project is not None:
            if bases is None:
                from ...knowledge.datetimes import sqlmodel_table_fields

                bases = project.stored_memo(
                    "screens.timezone.table_bases",
                    lambda: frozenset(k.rsplit(".", 1)[-1] for k in sqlmodel_table_fields(project)),
                    load=frozenset,
                )
            if cls.name in bases:
                return True
    return False


def naive_datetime_in_request_model(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL306: a class named like a project class that a PUT/POST/... route takes as its body, with a
    class-body field of that body model annotated with ``datetime`` / ``NaiveDatetime`` / a project alias
    (also inside containers)."""
    if project is None:
        return False
    entries = _annotated_in_classes(facts)
    if not entries:
        return False
    from ...knowledge.datetimes import body_model_fields

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
    wanted = _datetime_annotation_names(facts, project)
    for cls, ann, spelled in entries:
        fields = models.get(cls.name)
        if fields and isinstance(ann.target, ast.Name) and ann.target.id in fields and not spelled.isdisjoint(wanted):
            return True
    return False


# --- family 5: partial updates (BKL501-BKL503) ---------------------------------------------------------

_UPDATE_PREFIXES = ("update", "patch", "edit")
_UPDATE_SUFFIXES = ("Update", "Patch", "Edit")
_UPDATE_ROUTES = frozenset({"put", "patch", "api_route"})


def _update_word(name: str) -> bool:
    return name.endswith(_UPDATE_SUFFIXES)


def _update_context_ranges(facts: TreeFacts, project: Any) -> list[tuple[int, int]]:
    """Line ranges of the functions that may be update contexts (``knowledge.updates.update_context``):
    named ``update*``/``patch*``/``edit*``, decorated ``@<x>.put/patch/api_route(...)`` (any function when
    the file registers routes with ``add_api_route``), a parameter annotation naming a class that may end
    in ``Update``/``Patch``/``Edit`` or be an all-optional project schema (re-exports included), or named
    like a function that a PUT/PATCH handler of the project calls."""

    def build() -> list[tuple[int, int]]:
        from ...knowledge.updates import all_optional_schema_names, handler_callees

        functions = facts.functions
        if not functions:
            return []
        callee_names: frozenset[str] = frozenset()
        schema_names: frozenset[str] = frozenset()
        if project is not None:
            callee_names = project.stored_memo(
                "screens.updates.callee_names",
                lambda: frozenset(n.rsplit(".", 1)[-1] for n in handler_callees(project)),
                load=frozenset,
            )
            schema_names = _project_closure(project, "updates.all_optional", lambda: all_optional_schema_names(project))
        classes = reach(facts, schema_names, _update_word)
        every_route = "add_api_route" in facts.names
        out = []
        for func in functions:
            name = func.name
            hit = every_route or name.lstrip("_").lower().startswith(_UPDATE_PREFIXES) or name in callee_names
            if not hit:
                for dec in func.decorator_list:
                    if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in _UPDATE_ROUTES:
                        hit = True
                        break
            if not hit:
                a = func.args
                for p in (*a.posonlyargs, *a.args, *a.kwonlyargs):
                    if p.annotation is not None and any(n in classes for n in leaf_names(p.annotation)):
                        hit = True
                        break
            if hit:
                out.append((func.lineno, func.end_lineno or func.lineno))
        return out

    return facts.cached("screens.update_contexts", build)


def _update_nodes(facts: TreeFacts, project: Any, nodes: Iterable[Any]) -> bool:
    """One of ``nodes`` lies inside a function that may be an update context."""
    nodes = list(nodes)
    if not nodes:
        return False
    ranges = _update_context_ranges(facts, project)
    return bool(ranges) and any(_within(n.lineno, ranges) for n in nodes)


def update_without_exclude_unset(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL501: a dump (``.model_dump()`` / ``.dict()`` / ``.model_dump_for_orm()``, ``jsonable_encoder``,
    ``vars(x)``, ``x.__dict__``, ``for k, v in x``, ``.sqlmodel_update(x)``) inside a function that may be
    an update context."""
    from ...knowledge.updates import DUMP_METHODS

    methods = DUMP_METHODS | {"sqlmodel_update"}
    encoders = reach(facts, ("jsonable_encoder",))
    nodes: list[Any] = []
    for call in facts.calls:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in methods or func.attr in encoders:
                nodes.append(call)
        elif isinstance(func, ast.Name) and (func.id == "vars" or func.id in encoders):
            nodes.append(call)
    nodes.extend(n for n in facts.nodes(ast.Attribute) if n.attr == "__dict__")
    for loop in facts.nodes(ast.For, ast.AsyncFor, ast.comprehension):
        if isinstance(loop.iter, ast.Name) and isinstance(loop.target, ast.Tuple):
            nodes.append(loop.iter)
    return _update_nodes(facts, project, nodes)


def update_with_exclude_none(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL502: a literal ``exclude_none=True`` inside a function that may be an update context."""
    return _update_nodes(
        facts,
        project,
        (kw.value for kw in facts.nodes(ast.keyword) if kw.arg == "exclude_none" and isinstance(kw.value, ast.Constant) and kw.value.value is True),
    )


def optional_field_assignment(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL503: ``<target>.x = <name>.y`` inside a function that may be an update context."""
    nodes = []
    for node in facts.nodes(ast.Assign):
        value = node.value
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and any(isinstance(t, ast.Attribute) for t in node.targets):
            nodes.append(node)
    return _update_nodes(facts, project, nodes)
