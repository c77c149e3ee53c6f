"""An ``if`` that lets only the row's owner change it, with no ``else``: ``if task and (task.creator_id == user.id
or task.dashboard.project.user_id == user.id): ... delete ...``. Nothing is refused with an error, but the
write happens only when the row's owner (or another holder) is the caller: the comparison decides access
(RULES: BKL202, "access is decided afterwards in Python"). An owner equality guarding no write (a flag for the
response, ``if note.user_id == user.id: note.mine = True`` on a shown row) decides nothing and stays as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name, last_segment
from .public import _WRITE_CALLS, _WRITE_VERBS

if TYPE_CHECKING:  # pragma: no cover
    from .values import Val

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def owner_guarded_write(analyzer, stmt: "cst.If", state: dict[str, "Val"]) -> bool:
    """``stmt`` has no ``else``, its test requires (``==`` / ``is`` / ``in``, alone or among alternatives) that a
    loaded row's owner be the caller, and its body writes: a call named for a write (``session.delete(task)``,
    ``cls.delete(session, {'id': task_id})``, ``repo.update_task(...)``, ``commit``) that hands the compared
    row or the key it was loaded by. Read as an access decision (``decision=True``)."""
    if stmt.orelse is not None:
        return False
    rows: set[str] = set()
    keys: set[str] = set()
    for node in cst_walk(stmt.test):
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(
            node.comparisons[0].operator, (cst.Equal, cst.Is, cst.In)
        ):
            c = analyzer.comparison(node, state)
            if c is not None and c.name is not None:
                rows.add(c.name)
                for site in c.row.sites:
                    keys |= set(site.key_names)
    if not rows:
        return False
    handed = rows | keys
    for node in cst_walk(stmt.body):
        if not isinstance(node, cst.Call):
            continue
        name = last_segment(dotted_name(node.func) or "").lstrip("_")
        if not (name in _WRITE_CALLS or ("_" in name.strip("_") and name.split("_", 1)[0] in _WRITE_VERBS)):
            continue
        if any(isinstance(n, cst.Name) and n.value in handed for a in node.args for n in cst_walk(a.value)):
            return True
    return False
