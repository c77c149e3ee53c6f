"""What the family-5 screens (BKL501-BKL503) share: the functions of a file that may be update contexts
(``knowledge.updates.update_context`` read on CPython's ``ast``, with the same words)."""

from __future__ import annotations

import ast
from typing import Any, Iterable

from ...knowledge.tree_facts import TreeFacts
from ...knowledge.update_words import UPDATE_HTTP_METHODS, UPDATE_SCHEMA_SUFFIXES, is_update_name
from ...knowledge.updates import all_optional_schema_names, handler_callees
from .._shared.screens import leaf_names, project_closure, reach, within

# decorators of routes that may be updates: ``@<x>.put/patch(...)``, and ``api_route`` (its methods are not read)
_UPDATE_ROUTES = frozenset(UPDATE_HTTP_METHODS) | {"api_route"}


def _update_word(name: str) -> bool:
    return name.endswith(UPDATE_SCHEMA_SUFFIXES)


def _update_context_ranges(facts: TreeFacts, project: Any) -> list[tuple[int, int]]:
    """Line ranges of the functions that may be update contexts (``knowledge.updates.update_context``):
    named ``update*``/``patch*``/``edit*``, decorated ``@<x>.put/patch/api_route(...)`` (any function when
    the file registers routes with ``add_api_route``), a parameter annotation naming a class that may end
    in ``Update``/``Patch``/``Edit`` or be an all-optional project schema (re-exports included), or named
    like a function that a PUT/PATCH handler of the project calls."""

    def build() -> list[tuple[int, int]]:
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
            schema_names = project_closure(project, "updates.all_optional", lambda: all_optional_schema_names(project))
        classes = reach(facts, schema_names, _update_word)
        every_route = "add_api_route" in facts.names
        out = []
        for func in functions:
            name = func.name
            hit = every_route or is_update_name(name) or name in callee_names
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


def in_update_context(facts: TreeFacts, project: Any, nodes: Iterable[Any]) -> bool:
    """One of ``nodes`` lies inside a function that may be an update context."""
    nodes = list(nodes)
    if not nodes:
        return False
    ranges = _update_context_ranges(facts, project)
    return bool(ranges) and any(within(n.lineno, ranges) for n in nodes)
