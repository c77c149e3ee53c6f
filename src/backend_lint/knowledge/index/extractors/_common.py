"""Small helpers shared by the fact extractors (this module has no ``extract``: discovery skips it)."""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

Resolve = Callable[[ast.AST], Optional[str]]


def store(facts: dict[str, Any], family: str, out: dict[str, Any], **parts: Any) -> None:
    """Put ``out`` plus the non-empty ``parts`` (in order) under ``facts["extra"][family]`` unless it all is
    empty: modules without facts of a family carry no key for it."""
    for key, value in parts.items():
        if value:
            out[key] = value
    if out:
        facts["extra"][family] = out
