"""FastAPI routers the project never includes: their routes serve no request (families 1 and 2 make no claim).

A router (``router = APIRouter(...)`` at module level: FastAPI's ``APIRouter`` or a project subclass; not an
app, not what a factory returns) is *never included* when the project shows how it includes routers (some
module calls ``include_router``) and nothing can hand this one to it:
- no ``include_router(...)`` call is given its name (resolved: ``app.include_router(items.router)``,
  ``api_router.include_router(users_router)``);
- no other project module imports its module, at top level or inside a function (a module imported anywhere
  may hand its router on: in a list the app loops over, by attribute, through a factory), so it counts as
  included;
- its own module includes nothing (a module that includes its own router, or builds the app itself);
- no module that speaks of routers (the modules the index facts are read in) imports modules by name or loads
  plugins (``importlib.import_module``, ``__import__``, ``pkgutil.iter_modules``, ``entry_points``): a project
  that discovers its routers cannot be read, every router counts as included.
"Cannot tell" is included. The FastAPI half of ``flask_blueprints``; read from the ``routers`` index facts
(``index/extractors/routers.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .modules import resolve_relative

if TYPE_CHECKING:  # pragma: no cover
    from .index import ProjectIndex

ROUTER_ONLY_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})


def _router_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return (facts.get("extra") or {}).get("routers") or {}


def _makes_router(project: "ProjectIndex", q: Any) -> bool:
    if not isinstance(q, str) or not q:
        return False
    if q in ROUTER_ONLY_CLASSES:
        return True
    cls = project.get_class(q)
    return cls is not None and any(name in ROUTER_ONLY_CLASSES for name, _facts in project.class_mro(cls[0]))


def _imported_targets(mod: str, facts: dict[str, Any]) -> Iterable[str]:
    """What ``mod`` imports, as absolute dotted names: top-level imports, and the ones written inside
    functions (a relative one read both as from a package and from a module)."""
    yield from (t for t in (facts.get("imports") or {}).values() if isinstance(t, str))
    for entry in facts.get("absolute_imports") or ():
        if entry and isinstance(entry[0], str):
            yield entry[0]
    yield from (facts.get("star_imports") or ())
    for level, module, names in _router_facts(facts).get("nested_imports") or ():
        for is_package in ((False, True) if level else (False,)):
            base = resolve_relative(mod, is_package, level, module)
            if base:
                yield base
            for name in names:
                yield f"{base}.{name}" if base else name


def unincluded_routers(project: "ProjectIndex | None") -> frozenset[str]:
    """Qualified names (``app.api.legacy.router``) of the project's routers that nothing includes."""
    if project is None:
        return frozenset()
    return frozenset(project.stored_memo("fastapi.unincluded_routers", lambda: _build(project), load=list))


def _build(project: "ProjectIndex") -> list[str]:
    included: set[str] = set()
    including: set[str] = set()
    routers: list[tuple[str, str]] = []
    for mod, facts in project.iter_modules():
        found = _router_facts(facts)
        if found.get("dynamic"):
            return []  # a module that speaks of routers imports modules by name: cannot tell
        if found.get("includes"):
            including.add(mod)
            included.update(found["includes"])
        if not found.get("views"):
            continue  # (a router no route is declared on here makes no claim either way)
        for name, entry in (facts.get("assignments") or {}).items():
            if _makes_router(project, entry.get("call")):
                routers.append((mod, name))
    if not including or not routers:
        return []
    candidates = {mod for mod, _name in routers if mod not in including}
    imported: set[str] = set()
    for mod, facts in project.iter_modules():
        for target in _imported_targets(mod, facts):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in candidates and prefix != mod:
                    imported.add(prefix)
    return sorted(f"{mod}.{name}" for mod, name in routers if mod in candidates and mod not in imported and f"{mod}.{name}" not in included)


def unincluded_view(project: "ProjectIndex | None", module: str, function: str) -> bool:
    """The module's top-level function ``function`` is routed only on routers nothing includes."""
    if project is None or module not in project.modules:
        return False
    receivers = (_router_facts(project.modules[module]).get("views") or {}).get(function)
    if not receivers:
        return False
    dead = unincluded_routers(project)
    return bool(dead) and all(r in dead for r in receivers)
