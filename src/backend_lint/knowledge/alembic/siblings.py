"""What the other revisions of a versions directory create, read as text, in the order of the revision graph
(BKL421).

A drop of what a model maps today is no hazard when a revision that runs after it creates the object again
(``zenml``'s ``remove_triggers`` drops ``trigger``, a later revision brings the table back: the model maps
the new one). The graph is read from each file's text (``revision = "..."``, ``down_revision = ...``, string
literals only); the revisions that may run after the drop are every revision of the directory that is not
an ancestor of the dropping one (its descendants, and those of parallel branches, which a merge may order
either way). A creation is ``create_table("table", ...)``, ``rename_table(..., "table")`` or
``CREATE TABLE [IF NOT EXISTS] table`` in SQL; for a column, ``Column("column", ...)`` (or
``new_column_name="column"``, or ``ADD COLUMN [IF NOT EXISTS] column`` in SQL, or SQL with ``ADD COLUMN``
and the column's name as a literal elsewhere: the statement built at run time) in a revision that names the
table. When the dropping revision cannot be placed in the graph (an id that is not a literal, a revision
outside the directory), the older count is used: two or more other revisions that create the object mean it
came back after a drop (one is the original creation). Only the text before ``def downgrade`` is read
(downgrades re-create what their upgrade drops). Nothing is imported or run.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Optional

_DOWNGRADE = re.compile(r"^def downgrade", re.M)
_REVISION = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*["']([^"'\n]+)["']""", re.M)
_DOWN_REVISION = re.compile(r"""^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|\[[^\]]*\]|[^\n]*)""", re.M)
_QUOTED = re.compile(r"""["']([^"'\n]+)["']""")
_LIMIT = 2000  # files read per directory, at most


class _Revision:
    __slots__ = ("path", "upgrade", "revision", "parents")

    def __init__(self, path: str, upgrade: str, revision: Optional[str], parents: Optional[tuple]) -> None:
        self.path = path
        self.upgrade = upgrade  # the text before ``def downgrade``
        self.revision = revision
        self.parents = parents  # None: not literal


def _parents(text: str) -> Optional[tuple]:
    m = _DOWN_REVISION.search(text)
    if m is None:
        return None
    value = m.group(1).split("#", 1)[0].strip()
    if value in ("None", "()", "[]"):
        return ()
    found = tuple(_QUOTED.findall(value))
    stripped = _QUOTED.sub("", value).strip("()[], \t")
    return found if found and not stripped.replace(",", "").strip() else None


@lru_cache(maxsize=64)
def _revisions(directory: str) -> tuple:
    out = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ()
    for name in names[:_LIMIT]:
        if not name.endswith(".py"):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(500_000)
        except OSError:
            continue
        if "upgrade" not in text:
            continue
        cut = _DOWNGRADE.search(text)
        rev = _REVISION.search(text)
        out.append(_Revision(os.path.abspath(path), text[: cut.start()] if cut else text, rev.group(1) if rev else None, _parents(text)))
    return tuple(out)


@lru_cache(maxsize=64)
def _ancestors_by_path(directory: str) -> dict:
    """path -> the revision ids that certainly run before it (None when its place is unknown)."""
    revisions = _revisions(directory)
    by_id: dict = {}
    for r in revisions:
        if r.revision is not None:
            by_id.setdefault(r.revision, []).append(r)
    out: dict = {}
    for r in revisions:
        if r.revision is None or r.parents is None or len(by_id.get(r.revision, ())) != 1:
            out[r.path] = None
            continue
        seen: set = set()
        stack = list(r.parents)
        known = True
        while stack:
            rid = stack.pop()
            if rid in seen:
                continue
            seen.add(rid)
            parents = by_id.get(rid)
            if not parents:
                known = False  # a parent outside the directory: what runs before is not all here
                continue
            if parents[0].parents is None:
                known = False
                continue
            stack.extend(parents[0].parents)
        out[r.path] = frozenset(seen) if known else None
    return out


def _creates(text: str, table: str, column: Optional[str]) -> bool:
    t = re.escape(table)
    quoted = r"""["']""" + t + r"""["']"""
    if column is None:
        return bool(
            re.search(r"create_table\(\s*" + quoted, text)
            or re.search(r"rename_table\(\s*[^,()]+,\s*" + quoted, text)
            or re.search(r"""CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?["`]?""" + t + r"""\b""", text, re.I)
            # SQL built at run time from names held in literals (a loop over table names, an f-string)
            or (re.search(quoted, text) is not None and re.search(r"CREATE\s+TABLE", text, re.I) is not None)
        )
    c = re.escape(column)
    if not re.search(quoted + r"""|ALTER\s+TABLE\s+(?:\w+\.)?["`]?""" + t + r"\b", text, re.I):
        return False
    return bool(
        re.search(r"""Column\(\s*["']""" + c + r"""["']""", text)
        or re.search(r"""new_column_name\s*=\s*["']""" + c + r"""["']""", text)
        or re.search(r"""ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?["`]?""" + c + r"""\b""", text, re.I)
        # SQL built at run time (skyvern's 9f512f2da31e: `_COLUMN = "..."`, then
        # f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS {_COLUMN} JSON' over a tuple of table names)
        or (re.search(r"""["']""" + c + r"""["']""", text) is not None and re.search(r"ADD\s+COLUMN", text, re.I) is not None)
    )


def created_again(path: str, table: str, column: Optional[str] = None) -> bool:
    """Does a revision of ``path``'s directory that may run after it create ``table`` (or, with
    ``column``, add that column to it) again? Without a place in the graph: do two or more other
    revisions create it?"""
    here = os.path.abspath(path)
    directory = os.path.dirname(here)
    revisions = _revisions(directory)
    ancestors = _ancestors_by_path(directory).get(here)
    others = [r for r in revisions if r.path != here and _creates(r.upgrade, table, column)]
    if ancestors is None:
        return len(others) >= 2
    return any(r.revision is None or r.revision not in ancestors for r in others)

