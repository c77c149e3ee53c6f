"""Index facts for FastAPI routers: what a module hands to ``include_router``, and what it imports where the
top-level ``imports`` do not look (read by ``knowledge.fastapi_routers``).

Stored under ``facts["extra"]["routers"]``:

- ``includes``: what the module hands to ``<x>.include_router(...)`` (its first argument or ``router=``),
  resolved through the module's top-level bindings (``items.router``, ``users_router``; the spelling is kept
  when nothing binds it: a loop variable, a name imported inside the function);
- ``dynamic``: the module imports modules by name or loads plugins (``importlib.import_module``,
  ``__import__``, ``import_string``, ``pkgutil.iter_modules`` / ``walk_packages``, ``entry_points``,
  ``spec_from_file_location``): what it includes cannot be told from the text;
- ``nested_imports``: imports written inside functions and classes, as ``[level, module, [names]]``;
- ``views``: the module's top-level functions decorated ``@<x>.get(...)`` / ``.post`` / ... / ``.api_route`` /
  ``.websocket`` with the resolved receivers of those decorators.
The reading is ``_mounts.extract_mounts``; nothing is imported."""

from __future__ import annotations

import ast

from ._common import Resolve
from ._mounts import Mount, extract_mounts

ROUTERS = Mount(
    key="routers",
    words=("outer",),  # (``APIRouter``, ``include_router``, a ``router`` name: a module that makes, routes on or includes routers)
    call="include_router",
    keyword="router",
    stored="includes",
    dynamic=frozenset(
        {"import_module", "__import__", "import_string", "find_modules", "iter_modules", "walk_packages", "entry_points", "spec_from_file_location", "load_module"}
    ),
    route_methods=frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"}),
)


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    extract_mounts(tree, facts, resolve, ROUTERS)
