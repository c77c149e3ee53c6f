"""Diagnostics, fixes and edits: the values that flow from rules to the faces.

Rules describe edits against libcst nodes (``Edit.replace(node, "...")``); the engine resolves them to
character offsets into the file's source once positions are known, so the rest of the tool (fix loop,
JSON output, flake8) only ever sees ``ResolvedEdit`` values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence


class Applicability(str, enum.Enum):
    """How sure we are that applying a fix keeps the program's meaning (ruff's three levels)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class FixAvailability(str, enum.Enum):
    """What a rule promises about fixes; the test harness holds every rule to it."""

    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


# --- edits -------------------------------------------------------------------------------------------

_REPLACE, _BEFORE, _AFTER, _OFFSETS, _LINE_START = "replace", "before", "after", "offsets", "line"


@dataclass(frozen=True)
class Edit:
    """An edit as a rule writes it: anchored on a node, on a line, or on raw offsets."""

    kind: str
    content: str
    node: Any = None
    start: int = 0
    end: int = 0

    @classmethod
    def replace(cls, node: Any, content: str) -> "Edit":
        return cls(_REPLACE, content, node=node)

    @classmethod
    def delete(cls, node: Any) -> "Edit":
        return cls(_REPLACE, "", node=node)

    @classmethod
    def insert_before(cls, node: Any, content: str) -> "Edit":
        return cls(_BEFORE, content, node=node)

    @classmethod
    def insert_after(cls, node: Any, content: str) -> "Edit":
        return cls(_AFTER, content, node=node)

    @classmethod
    def insert_at_line(cls, row: int, content: str) -> "Edit":
        """Insert ``content`` at the start of 1-based line ``row`` (``row`` past the end appends)."""
        return cls(_LINE_START, content, start=row)

    @classmethod
    def offsets(cls, start: int, end: int, content: str) -> "Edit":
        """Replace ``source[start:end]`` (character offsets) with ``content``."""
        return cls(_OFFSETS, content, start=start, end=end)


@dataclass(frozen=True, order=True)
class ResolvedEdit:
    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Any, ...]
    applicability: Applicability = Applicability.SAFE

    @classmethod
    def safe(cls, message: str, edits: Sequence[Any]) -> "Fix":
        return cls(message, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, message: str, edits: Sequence[Any]) -> "Fix":
        return cls(message, tuple(edits), Applicability.UNSAFE)

    @classmethod
    def display_only(cls, message: str, edits: Sequence[Any]) -> "Fix":
        return cls(message, tuple(edits), Applicability.DISPLAY_ONLY)


@dataclass
class Location:
    row: int  # 1-based
    column: int  # 1-based, in characters


@dataclass
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    location: Location
    end_location: Location
    fix: Optional[Fix] = None  # edits are ResolvedEdit once the engine is done
    noqa_row: Optional[int] = None
    # Row/column of each resolved edit (filled by the engine for outputs that need them).
    edit_locations: list[tuple[Location, Location]] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.location.row

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple:
        return (self.path, self.location.row, self.location.column, self.code)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY_ONLY
