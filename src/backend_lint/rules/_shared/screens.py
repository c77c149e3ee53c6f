"""What the screens of several rule families share.

A rule's *screen* (``RuleSpec.screen``, in the rule's own file) is a conservative check on CPython's ``ast``
that decides whether a file needs libcst for that rule at all: a function ``(facts, project, settings) ->
bool`` over the file's :class:`~backend_lint.knowledge.tree_facts.TreeFacts` that returns False only when the
rule cannot fire. It may say "can fire" where the rule stays quiet, never the reverse: the
skip-equivalence tests (``tests/rules/test_skip_equivalence.py``) run every fixture with skipping on and off
and require identical findings. A screen reads the same declared words as its rule's visitor, so the two
stay in step.

This module holds the helpers every family's screens use: names of expressions, parameters, which local
names may stand for a qualified name ending in a given word (``reach``), and the project-wide re-export
closure of a set of names, stored once per index.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Iterable, Optional

from ...knowledge.reexports import reexport_closure
from ...knowledge.tree_facts import TreeFacts, leaf_names

__all__ = [
    "defaults",
    "last_name",
    "leaf_names",
    "line_ranges",
    "named",
    "parameters",
    "project_closure",
    "reach",
    "within",
]


# --- helpers shared by screens ---------------------------------------------------------------------


def last_name(node: Any) -> Optional[str]:
    """``b`` for ``a.b`` and ``b``, ``None`` for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None





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


# --- which local names may stand for a qualified name ending in a given word ------------------


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


def project_closure(project: Any, key: str, seeds: Callable[[], Iterable[str]]) -> frozenset[str]:
    """``reexport_closure`` of ``seeds()``, once per project index."""
    return project.stored_memo("screens." + key, lambda: reexport_closure(project, seeds()), load=frozenset)


def named(node: Any, names: frozenset[str]) -> bool:
    """``node`` is a name or an attribute whose (last) name is in ``names``."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return node.attr in names
    return False


def line_ranges(nodes: Iterable[Any]) -> list[tuple[int, int]]:
    return [(n.lineno, n.end_lineno or n.lineno) for n in nodes]


def within(line: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= line <= b for a, b in ranges)
