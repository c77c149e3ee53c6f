"""What the family-3 screens (BKL301-BKL306) share: which expressions may resolve to a clock method or a
configured helper (``Members``), the project's time aliases, and the class-body annotations BKL305 and BKL306
read. The words themselves are the visitors' (``knowledge/datetime_words.py``, the rule files)."""

from __future__ import annotations

import ast
from typing import Any, Iterable, Optional

from ...knowledge.datetime_words import DATETIME, NAIVE_PYDANTIC, helper_requires, receivers, tails
from ...knowledge.tree_facts import TreeFacts
from .._shared.screens import last_name, leaf_names, named, project_closure, reach

__all__ = [
    "Members",
    "import_targets",
    "helper_words",
    "annotated_in_classes",
    "datetime_annotation_names",
    "tz_alias_names",
    "words_or_time_alias",
]


def helper_words(settings: Any) -> tuple[str, ...]:
    """The last segments of the configured ``naive-datetime-functions`` (also the rules' text prefilter)."""
    return helper_requires(settings)


class Members:
    """Which expressions may resolve to ``<receiver>.<method>`` (``datetime.datetime.now``) or to a
    configured helper: a name that may be bound to a method or a helper (``now = datetime.now``,
    ``from x import utcnow as u``), an attribute ``<r>.<method>`` whose receiver may resolve to a name
    ending in one of ``receivers`` (``datetime``, ``DT``, ``dt.datetime``), or ``<anything>.<helper>``."""

    __slots__ = ("names", "methods", "receivers", "helpers")

    def __init__(self, facts: TreeFacts, qualified: Iterable[str], helpers: tuple[str, ...] = ()) -> None:
        """``qualified``: the names the rule resolves callees to (``datetime.datetime.now``), read as methods
        (their last segments) and receivers (the segments before); ``helpers``: ``helper_words(settings)``."""
        qualified = tuple(qualified)
        methods = tails(qualified)
        self.names = reach(facts, methods + helpers)
        self.methods = frozenset(methods)
        self.receivers = reach(facts, receivers(qualified))
        self.helpers = frozenset(helpers)

    def __call__(self, node: Any) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Attribute):
            if node.attr in self.helpers:
                return True
            return node.attr in self.methods and named(node.value, self.receivers)
        return False

    def called(self, facts: TreeFacts) -> list[ast.Call]:
        if self.names.isdisjoint(_callee_names(facts)):
            return []
        return [c for c in facts.calls if self(c.func)]


def import_targets(facts: TreeFacts) -> Optional[dict[str, Optional[frozenset[str]]]]:
    """Name -> the qualified names the file's import table (``knowledge/imports.ImportTable``, which the
    visitors resolve callees with) may bind it to, read off the file's absolute imports anywhere in it
    (``from m import b as x``: ``x`` -> ``m.b``; ``import a.b as x``: ``a.b``; ``import a.b``: ``a`` -> ``a``).
    ``None`` for a name that some other binding the table keeps may give a meaning the file alone does not
    tell: an assignment, a ``def`` or ``class``, a relative import. A name absent from the map has no binding
    in the table (it resolves to nothing, or to ``builtins``). The whole map is ``None`` when the file has a
    ``from m import *`` (any name may come from it)."""

    def build() -> Optional[dict[str, Optional[frozenset[str]]]]:
        found: dict[str, Optional[set[str]]] = {}

        def bind(name: str, qualified: Optional[str]) -> None:
            if qualified is None:
                found[name] = None
            elif name not in found:
                found[name] = {qualified}
            elif found[name] is not None:
                found[name].add(qualified)  # type: ignore[union-attr]

        for node in facts.nodes(ast.ImportFrom):
            absolute = not node.level and node.module
            for alias in node.names:
                if alias.name == "*":
                    return None
                bind(alias.asname or alias.name, f"{node.module}.{alias.name}" if absolute else None)
        for node in facts.nodes(ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bind(top, top)
        for node in facts.nodes(ast.Assign, ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else (node.target,):
                if isinstance(target, ast.Name):
                    bind(target.id, None)
        for node in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            bind(node.name, None)
        return {k: (frozenset(v) if v is not None else None) for k, v in found.items()}

    return facts.cached("screens.import_targets", build)


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


def annotated_in_classes(facts: TreeFacts) -> list[tuple[ast.ClassDef, ast.AnnAssign, frozenset[str]]]:
    """(class, class-body annotated assignment, names its annotation spells) for every class of the file."""

    def build() -> list[tuple[ast.ClassDef, ast.AnnAssign, frozenset[str]]]:
        out = []
        for cls in facts.nodes(ast.ClassDef):
            for ann in _class_body_annassigns(cls):
                out.append((cls, ann, frozenset(leaf_names(ann.annotation))))
        return out

    return facts.cached("screens.class_annotations", build)


def tz_alias_names(project: Any, kind: str) -> frozenset[str]:
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

    return project_closure(project, "timezone.aliases." + kind, seeds)


def words_or_time_alias(source: str, project: Any, words: tuple[str, ...], kind: str) -> bool:
    """The text prefilter of BKL305 / BKL306: the file spells one of ``words``, or a project time alias
    that matters (``tz_alias_names``; re-exported under any name). Only a project that has time aliases
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
    return any(name in source for name in tz_alias_names(project, kind))


def datetime_annotation_names(facts: TreeFacts, project: Any) -> frozenset[str]:
    """Names that may make an annotation naive: ``datetime``, ``NaiveDatetime``, project time aliases."""
    return facts.cached(
        "screens.tz.annotation_names",
        lambda: reach(facts, (*tails((DATETIME, *NAIVE_PYDANTIC)), *tz_alias_names(project, "annotation"))),
    )


def aware_field_names(facts: TreeFacts, project: Any) -> frozenset[str]:
    """The names of ``datetime_annotation_names`` that still make a SQLModel table field naive where the
    project's SQLModel stores ``datetime`` aware (BKL305's ``_sqlmodel``: ``NaiveDatetime`` and project
    time aliases; a ``datetime`` field is then stored aware)."""
    return facts.cached(
        "screens.tz.aware_field_names",
        lambda: reach(facts, (*tails(NAIVE_PYDANTIC), *tz_alias_names(project, "annotation"))),
    )
