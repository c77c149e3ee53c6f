"""Index facts for Flask blueprints: which blueprints a module registers, and what it imports where the top-level
``imports`` do not look (read by ``knowledge.flask_blueprints``).

Stored under ``facts["extra"]["blueprints"]``:

- ``registers``: what the module hands to ``<x>.register_blueprint(...)`` (at module level, in a function, in a
  ``try``), resolved through the module's top-level bindings (``search_bp``, ``module.bp``: the spelling is kept
  when nothing binds it, as a name imported inside the function or a loop variable);
- ``dynamic``: the module imports modules by name (``importlib.import_module``, ``__import__``, werkzeug's
  ``import_string`` / ``find_modules``): what it registers cannot be told from the text;
- ``nested_imports``: imports written inside functions and classes (``from search.api_routes import bp`` in
  ``create_app``), as ``[level, module, [names]]``;
- ``views``: the module's top-level functions decorated ``@<x>.route(...)`` / ``.get(...)`` ... with the resolved
  receivers of those decorators (``{"global_search": ["search.api_routes.search_api_bp"]}``).
The reading is ``_mounts.extract_mounts``; nothing is imported."""

from __future__ import annotations

import ast

from ._common import Resolve
from ._mounts import Mount, extract_mounts

BLUEPRINTS = Mount(
    key="blueprints",
    words=("lueprint", "bp"),  # (a module that imports a blueprint to register it or hand it on spells one of these)
    call="register_blueprint",
    keyword="blueprint",
    stored="registers",
    dynamic=frozenset({"import_module", "__import__", "import_string", "find_modules"}),
    route_methods=frozenset({"route", "get", "post", "put", "patch", "delete"}),
)


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    extract_mounts(tree, facts, resolve, BLUEPRINTS)
