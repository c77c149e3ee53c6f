"""Module names from file paths, and cheap facts about a file's text."""

from __future__ import annotations

import os
import re
from pathlib import Path

_MIGRATION_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=", re.M)
_MIGRATION_DOWN = re.compile(r"^down_revision\s*(?::[^=\n]*)?=", re.M)
_MIGRATION_UPGRADE = re.compile(r"^(?:async\s+)?def\s+upgrade\s*\(", re.M)


def module_name_for(path: str | os.PathLike, root: str | os.PathLike | None = None) -> tuple[str, bool]:
    """The dotted module name of ``path`` and whether it is a package ``__init__``.

    Walks up through directories holding ``__init__.py``; for namespace layouts, falls back to the path
    relative to ``root`` (a leading ``src/`` is dropped).
    """
    p = Path(path)
    is_package = p.name == "__init__.py"
    parts: list[str] = [] if is_package else [p.stem]
    d = p.parent
    while (d / "__init__.py").is_file():
        parts.append(d.name)
        if d.parent == d:
            break
        d = d.parent
    if len(parts) <= (0 if is_package else 1) and root is not None:
        try:
            rel = p.resolve().relative_to(Path(root).resolve())
        except ValueError:
            rel = None
        if rel is not None:
            rel_parts = list(rel.parts[:-1])
            if rel_parts and rel_parts[0] == "src":
                rel_parts = rel_parts[1:]
            parts = ([] if is_package else [p.stem]) + list(reversed(rel_parts))
    name = ".".join(reversed([x for x in parts if x]))
    return name, is_package


def looks_like_migration(source: str) -> bool:
    """Alembic revision modules are recognised by content: module-level ``revision`` and
    ``down_revision`` assignments and a top-level ``def upgrade``."""
    return bool(
        "down_revision" in source
        and _MIGRATION_UPGRADE.search(source)
        and _MIGRATION_REVISION.search(source)
        and _MIGRATION_DOWN.search(source)
    )


def resolve_relative(module_name: str, is_package: bool, level: int, target: str) -> str:
    """Resolve ``from ..x import y`` inside ``module_name`` to an absolute module path."""
    if level == 0:
        return target
    parts = module_name.split(".") if module_name else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if target:
        return f"{base}.{target}" if base else target
    return base
