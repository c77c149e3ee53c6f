"""Which names a project's modules re-export a symbol under (a question about the project index)."""

from __future__ import annotations

import re
from typing import Any, Iterable

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def reexport_closure(project: Any, names: Iterable[str]) -> frozenset[str]:
    """``names`` (last names of project symbols) plus every name a project module imports them under,
    transitively: a module's ``from .types import TZ as Stamp`` re-exports ``TZ`` as ``Stamp``, ``Stamp = TZ``
    binds it again, and ``project.resolve_symbol`` follows such chains. A superset: names are matched, not modules."""
    found = set(n for n in names if n)
    if not found:
        return frozenset()
    bound_as = project.memo("reexports.bound_as", lambda: _bound_as(project))
    todo = list(found)
    while todo:
        for local in bound_as.get(todo.pop(), ()):
            if local not in found:
                found.add(local)
                todo.append(local)
    return frozenset(found)


def _bound_as(project: Any) -> dict[str, list[str]]:
    """Each last name -> the other names project modules import or bind it under, once per index (each
    ``reexport_closure`` then follows it from its names instead of reading every module again)."""
    out: dict[str, list[str]] = {}
    for _, mfacts in project.iter_modules():
        for local, target in mfacts.get("imports", {}).items():
            if isinstance(target, str):
                tail = target.rsplit(".", 1)[-1]
                if tail != local:
                    out.setdefault(tail, []).append(local)
        for local, assignment in mfacts.get("assignments", {}).items():
            # another name bound to it (``Table = EventsTable``, ``Item = models.Item``): ``index`` resolves
            # ``events.Table`` to the class
            value = assignment.get("value") if isinstance(assignment, dict) else None
            if isinstance(value, str) and _DOTTED.match(value):
                tail = value.rsplit(".", 1)[-1]
                if tail != local:
                    out.setdefault(tail, []).append(local)
    return out
