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
"Cannot tell" is registered. The reading, shared with ``fastapi_routers``, is ``knowledge.unmounted``; read from the
``blueprints`` index facts (``index/extractors/blueprints.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .unmounted import GroupKind, unmounted_groups, unmounted_view

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
BLUEPRINTS = GroupKind(
    facts_key="blueprints", mounted_key="registers", classes=BLUEPRINT_CLASSES, memo="flask.unregistered_blueprints", routed_here=False
)


def unregistered_blueprints(project: "ProjectIndex | None") -> frozenset[str]:
    """Qualified names (``search.api_routes.search_api_bp``) of the project's blueprints that nothing registers."""
    return unmounted_groups(project, BLUEPRINTS)


def unregistered_view(project: "ProjectIndex | None", module: str, function: str) -> bool:
    """The module's top-level function ``function`` is routed only on blueprints nothing registers."""
    return unmounted_view(project, BLUEPRINTS, module, function)
