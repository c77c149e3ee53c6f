"""Several services in one repository: service roots that each hold the same top-level package.

A monorepo of services (``services/gateway/app/``, ``services/export/app/``, each run with its own directory
on ``sys.path``) names every service's package ``app``: by their ``__init__.py`` chains, ``app.main`` and
``app.routes.auth`` of different services are one module name, so that the project index keeps one of them and
every import ``from app.routes import auth`` resolves into whichever service came last.

``colliding_services`` finds such *service roots*: directories ``D`` (below the project root) whose package
``D/T`` has the top-level name ``T`` that the package of another directory has as well. A file of ``D/T`` is then
named from the project root (``services.gateway.app.routes.auth``: unique, and what the path says), and every file
under ``D`` reads its absolute imports of ``T`` within its own service (``app.x`` -> ``services.gateway.app.x``);
imports of other packages (a top-level ``shared/`` the services share) are left as written. Nothing changes for a
project where no two directories hold a package of the same name.
"""

from __future__ import annotations

import os
from typing import Optional


def colliding_services(root: str, files: dict[str, tuple[str, bool]]) -> dict[str, str]:
    """Service root directory -> the top-level package name it shares with another service root.

    ``files``: absolute path -> its default (module name, is_package). A package's top directory is found by
    climbing its dotted name from the file. Two top directories of one name collide when they hold a module of
    the same name (``app.main`` in both); a top directory inside another one's package is no service's, a top
    directory at the project root itself keeps its name (the others are renamed around it), and a service root
    whose path from the project root is not a dotted name (``services/rate-limiter``) is left alone."""
    root = os.path.abspath(root)
    held: dict[str, dict[str, set[str]]] = {}  # head -> top directory -> the module names under it
    for path, (name, is_package) in files.items():
        if not name or ("." not in name and not is_package):
            continue
        depth = name.count(".") + (1 if is_package else 0)
        top = os.path.dirname(path)
        for _ in range(depth - 1):
            top = os.path.dirname(top)
        head = name.split(".")[0]
        if os.path.basename(top) != head or not os.path.isfile(os.path.join(top, "__init__.py")):
            continue  # (named by its path, not by a package chain)
        held.setdefault(head, {}).setdefault(top, set()).add(name)
    out: dict[str, str] = {}
    for head, tops in held.items():
        if len(tops) < 2:
            continue
        flat = [t for t in tops if not any(t != u and t.startswith(u + os.sep) for u in tops)]
        for top in flat:
            mine = tops[top] - {head}
            if not any(mine & tops[other] for other in flat if other != top):
                continue  # (no module of the same name elsewhere: nothing collides)
            service = os.path.dirname(top)
            if service == root or not service.startswith(root + os.sep):
                continue
            parts = os.path.relpath(service, root).split(os.sep)
            if all(p.isidentifier() for p in parts):
                out[service] = head
    return out


def service_of(abspath: str, services: dict[str, str]) -> Optional[str]:
    """The service root that holds ``abspath`` (the innermost), or ``None``."""
    if not services:
        return None
    d = os.path.dirname(abspath)
    while True:
        if d in services:
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def service_prefix(root: str, service: str) -> str:
    """``services/gateway`` -> ``services.gateway``."""
    return ".".join(os.path.relpath(service, os.path.abspath(root)).split(os.sep))


def service_name(root: str, abspath: str, default: tuple[str, bool], services: dict[str, str]) -> Optional[tuple[str, bool]]:
    """The module name of a file of a colliding package (``services.gateway.app.main``), else ``None``."""
    service = service_of(abspath, services)
    if service is None:
        return None
    name, is_package = default
    head = services[service]
    if not (name == head or name.startswith(head + ".")):
        return None
    if not (abspath.startswith(os.path.join(service, head) + os.sep)):
        return None
    return f"{service_prefix(root, service)}.{name}", is_package


def remap_module(module: str, remap: Optional[tuple[str, str]]) -> str:
    """An absolute import's module as the file's service reads it."""
    if remap is None:
        return module
    head, to = remap
    if module == head:
        return to
    if module.startswith(head + "."):
        return to + module[len(head):]
    return module
