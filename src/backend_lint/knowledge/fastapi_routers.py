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
"Cannot tell" is included. The reading, shared with ``flask_blueprints``, is ``knowledge.unmounted``; read from the
``routers`` index facts (``index/extractors/routers.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .unmounted import GroupKind, unmounted_groups, unmounted_view

if TYPE_CHECKING:  # pragma: no cover
    from .index import ProjectIndex

ROUTER_ONLY_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
ROUTERS = GroupKind(
    facts_key="routers", mounted_key="includes", classes=ROUTER_ONLY_CLASSES, memo="fastapi.unincluded_routers", routed_here=True
)


def unincluded_routers(project: "ProjectIndex | None") -> frozenset[str]:
    """Qualified names (``app.api.legacy.router``) of the project's routers that nothing includes."""
    return unmounted_groups(project, ROUTERS)


def unincluded_view(project: "ProjectIndex | None", module: str, function: str) -> bool:
    """The module's top-level function ``function`` is routed only on routers nothing includes."""
    return unmounted_view(project, ROUTERS, module, function)
