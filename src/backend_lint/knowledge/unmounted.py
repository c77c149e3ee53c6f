"""Route groups (Flask blueprints, FastAPI routers) the project never mounts on an app: their views serve no request.

The reading is the same for both kinds, from the index facts ``index/extractors/_mounts.py`` stores: a group (a
module-level assignment of one of the kind's classes, or a project subclass) is *never mounted* when the project
shows how it mounts groups (some module calls the mounting function) and nothing can hand this one to it:
- no mounting call is given its name (resolved: ``app.include_router(items.router)``,
  ``app.register_blueprint(search_bp)``);
- no other project module imports its module, at top level or inside a function: a module imported anywhere may
  hand its group on (in a list the app loops over, by attribute, through a factory), so it counts as mounted;
- its own module mounts nothing (a module that mounts its own group, or builds the app itself);
- no module that speaks of groups imports modules by name or loads plugins: a project that discovers its groups
  cannot be read, every group counts as mounted.
"Cannot tell" is mounted. ``flask_blueprints`` and ``fastapi_routers`` say which classes and facts make each kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from .modules import resolve_relative

if TYPE_CHECKING:  # pragma: no cover
    from .index import ProjectIndex


@dataclass(frozen=True)
class GroupKind:
    facts_key: str  # ``facts["extra"][facts_key]``, written by the extractor of that name
    mounted_key: str  # the fact listing what a module mounts (``registers`` / ``includes``)
    classes: frozenset[str]  # the framework classes whose instances are groups
    memo: str  # the project memo the answer is kept under
    routed_here: bool  # only modules declaring views on a group are read for groups


def _group_facts(facts: dict[str, Any], kind: GroupKind) -> dict[str, Any]:
    return (facts.get("extra") or {}).get(kind.facts_key) or {}


def _makes_group(project: "ProjectIndex", q: Any, kind: GroupKind) -> bool:
    if not isinstance(q, str) or not q:
        return False
    if q in kind.classes:
        return True
    cls = project.get_class(q)
    return cls is not None and any(name in kind.classes for name, _facts in project.class_mro(cls[0]))


def _imported_targets(mod: str, facts: dict[str, Any], kind: GroupKind) -> Iterable[str]:
    """What ``mod`` imports, as absolute dotted names (a module, or a module's name): top-level imports, and the
    ones written inside functions (a relative one read both as from a package and from a module)."""
    yield from (t for t in (facts.get("imports") or {}).values() if isinstance(t, str))
    for entry in facts.get("absolute_imports") or ():
        if entry and isinstance(entry[0], str):
            yield entry[0]
    yield from (facts.get("star_imports") or ())
    for level, module, names in _group_facts(facts, kind).get("nested_imports") or ():
        for is_package in ((False, True) if level else (False,)):
            base = resolve_relative(mod, is_package, level, module)
            if base:
                yield base
            for name in names:
                yield f"{base}.{name}" if base else name


def unmounted_groups(project: "ProjectIndex | None", kind: GroupKind) -> frozenset[str]:
    """Qualified names (``app.api.legacy.router``) of the project's groups of ``kind`` that nothing mounts."""
    if project is None:
        return frozenset()
    return frozenset(project.stored_memo(kind.memo, lambda: _build(project, kind), load=list))


def _build(project: "ProjectIndex", kind: GroupKind) -> list[str]:
    mounted: set[str] = set()
    mounting: set[str] = set()
    groups: list[tuple[str, str]] = []
    for mod, facts in project.iter_modules():
        found = _group_facts(facts, kind)
        if found.get("dynamic"):
            return []  # a module that speaks of groups imports modules by name: cannot tell
        if found.get(kind.mounted_key):
            mounting.add(mod)
            mounted.update(found[kind.mounted_key])
        if kind.routed_here and not found.get("views"):
            continue  # (a group no view is declared on here makes no claim either way)
        for name, entry in (facts.get("assignments") or {}).items():
            if _makes_group(project, entry.get("call"), kind):
                groups.append((mod, name))
    if not mounting or not groups:
        return []
    candidates = {mod for mod, _name in groups if mod not in mounting}
    imported: set[str] = set()
    for mod, facts in project.iter_modules():
        for target in _imported_targets(mod, facts, kind):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in candidates and prefix != mod:
                    imported.add(prefix)
    return sorted(f"{mod}.{name}" for mod, name in groups if mod in candidates and mod not in imported and f"{mod}.{name}" not in mounted)


def unmounted_view(project: "ProjectIndex | None", kind: GroupKind, module: str, function: str) -> bool:
    """The module's top-level function ``function`` is declared only on groups of ``kind`` nothing mounts."""
    if project is None or module not in project.modules:
        return False
    receivers = (_group_facts(project.modules[module], kind).get("views") or {}).get(function)
    if not receivers:
        return False
    dead = unmounted_groups(project, kind)
    return bool(dead) and all(r in dead for r in receivers)
