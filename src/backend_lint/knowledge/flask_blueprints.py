"""Flask blueprints the project never registers: their views serve no request (families 1 and 2 make no claim).

A blueprint (``bp = Blueprint(...)`` at module level: flask, flask-smorest, APIFlask, or a project subclass) is
*unregistered* when the project shows how it registers blueprints (some module calls ``register_blueprint``) and
nothing can hand this one to it:
- no ``register_blueprint(...)`` call is given its name (resolved: ``app.register_blueprint(search_bp)``,
  ``app.register_blueprint(routes.bp)``, a parent ``Blueprint.register_blueprint(child)``);
- no other project module imports its module, at top level or inside a function (``from search.api_routes import
  bp`` inside ``create_app``, ``from . import api_routes`` in a package ``__init__``): a module imported anywhere may
  hand its blueprint on (in a list the app loops over, through a factory), so it counts as registered;
- its own module registers nothing (an app module that registers its own blueprint at module level);
- no module that speaks of blueprints (``Blueprint``, ``register_blueprint``, a ``bp`` name: the modules the index
  facts are read in) imports modules by name (``importlib.import_module``, ``__import__``, ``find_modules``): a
  project that discovers its blueprints cannot be read, every blueprint counts as registered.
"Cannot tell" is registered. Read from the ``blueprints`` index facts (``index/extractors/blueprints.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .modules import resolve_relative

if TYPE_CHECKING:  # pragma: no cover
    from .index import ProjectIndex

BLUEPRINT_CLASSES = frozenset(
    {
        "flask.Blueprint",
        "flask.blueprints.Blueprint",
        "flask_smorest.Blueprint",
        "flask_smorest.blueprint.Blueprint",
        "apiflask.APIBlueprint",
    }
)


def _blueprint_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return (facts.get("extra") or {}).get("blueprints") or {}


def _makes_blueprint(project: "ProjectIndex", q: Any) -> bool:
    if not isinstance(q, str) or not q:
        return False
    if q in BLUEPRINT_CLASSES:
        return True
    cls = project.get_class(q)
    return cls is not None and any(name in BLUEPRINT_CLASSES for name, _facts in project.class_mro(cls[0]))


def _imported_targets(mod: str, facts: dict[str, Any]) -> Iterable[str]:
    """What ``mod`` imports, as absolute dotted names (a module, or a module's name): top-level imports, and
    the ones written inside functions (a relative one read both as from a package and from a module)."""
    yield from (t for t in (facts.get("imports") or {}).values() if isinstance(t, str))
    for entry in facts.get("absolute_imports") or ():
        if entry and isinstance(entry[0], str):
            yield entry[0]
    yield from (facts.get("star_imports") or ())
    for level, module, names in _blueprint_facts(facts).get("nested_imports") or ():
        for is_package in ((False, True) if level else (False,)):
            base = resolve_relative(mod, is_package, level, module)
            if base:
                yield base
            for name in names:
                yield f"{base}.{name}" if base else name


def unregistered_blueprints(project: "ProjectIndex | None") -> frozenset[str]:
    """Qualified names (``search.api_routes.search_api_bp``) of the project's blueprints that nothing registers."""
    if project is None:
        return frozenset()
    return frozenset(project.stored_memo("flask.unregistered_blueprints", lambda: _build(project), load=list))


def _build(project: "ProjectIndex") -> list[str]:
    registered: set[str] = set()
    registering: set[str] = set()
    blueprints: list[tuple[str, str]] = []
    for mod, facts in project.iter_modules():
        found = _blueprint_facts(facts)
        if found.get("dynamic"):
            return []  # a module that speaks of blueprints imports modules by name: cannot tell
        if found.get("registers"):
            registering.add(mod)
            registered.update(found["registers"])
        for name, entry in (facts.get("assignments") or {}).items():
            if _makes_blueprint(project, entry.get("call")):
                blueprints.append((mod, name))
    if not registering or not blueprints:
        return []
    candidates = {mod for mod, _name in blueprints if mod not in registering}
    imported: set[str] = set()
    for mod, facts in project.iter_modules():
        for target in _imported_targets(mod, facts):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in candidates and prefix != mod:
                    imported.add(prefix)
    return sorted(f"{mod}.{name}" for mod, name in blueprints if mod in candidates and mod not in imported and f"{mod}.{name}" not in registered)


def unregistered_view(project: "ProjectIndex | None", module: str, function: str) -> bool:
    """The module's top-level function ``function`` is routed only on blueprints nothing registers."""
    if project is None or module not in project.modules:
        return False
    receivers = (_blueprint_facts(project.modules[module]).get("views") or {}).get(function)
    if not receivers:
        return False
    dead = unregistered_blueprints(project)
    return bool(dead) and all(r in dead for r in receivers)
