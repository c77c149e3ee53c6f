"""Directory entries linked to an account (``directory_link``): a table every caller lists whole whose person
column only links a row to an account that may go away, never says whose the row is; and the lookups that pick
such an entry as the parent of a row the project guards through it (``picks_guarded_parent``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.config import analysis_key
from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import model_columns, outlived_person_columns, referenced_model

# libcst runs its import when a file is parsed: ground/lazy.py
cst = lazy_import("libcst")

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex


def directory_link(project: Optional["ProjectIndex"], settings: "Settings", model: str) -> bool:
    """The model is a directory the project serves to every caller (``public.public_models``: a route that never
    reads the caller lists its rows whole), and each of its owner columns is a person column whose name does not
    say owner (``user_id``, ``author_id``, a creator column, an owner reference) declared ``ondelete="SET NULL"``:
    the rows outlive the account they link to (``Employee.user_id``, the staff member's login, in an HR
    directory every signed-in user lists). RULES.md's scoping column is the one the project compares with the
    principal; a comparison of such a column with the caller (``select(Employee).where(Employee.user_id ==
    current_user.id)``) finds the caller's own entry in the directory, it does not make the other entries
    private: they are listed to everyone. ``models.party_outlived_only`` without its "never compared" clause,
    for public tables only. A table not listed whole anywhere, a column removed with its account
    (``ondelete="CASCADE"``), ``owner_id`` and configured owned models keep their owner."""
    found = outlived_person_columns(project, settings, model)
    if found is None:
        return False
    canonical, cols = found
    filled = _caller_filled(project, settings)
    if any((canonical, c) in filled for c in cols):
        return False
    from .public import public_models  # (public reads the summaries, which call here)

    return canonical in public_models(project, settings)


def _caller_filled(project: "ProjectIndex", settings: "Settings") -> frozenset[tuple[str, str]]:
    """``(model, column)`` pairs the project fills from the caller's identity when it makes rows (``Form(user_id=
    current_user.id)``, or a builder handed ``current_user.id``; the ``scoping`` facts' ``writes``): a row a
    user makes with their own id is theirs, whatever the rest of the project lists."""
    from ..scoping import _built, _principal_identity, _scoping_writes

    def build() -> frozenset[tuple[str, str]]:
        builders, writes = _scoping_writes(project)
        out: set[tuple[str, str]] = set()
        for _, w in writes:
            if not _principal_identity(w.get("who", ""), settings):
                continue
            if "model" in w:
                cls = project.get_class(w["model"])
                if cls is not None:
                    out.add((cls[0], w["column"]))
            else:
                out.update(_built(project, builders, w.get("target", ""), w.get("at")))
        return frozenset(out)

    return project.memo(("directories.caller_filled", analysis_key(settings)), build)


def picks_guarded_parent(project: Optional["ProjectIndex"], settings: "Settings", func: cst.FunctionDef, model: str) -> bool:
    """The function makes a row (``ExpenseAccount(employee_id=...)``) of a table that references ``model`` and
    whose rows the project decides on only through its checks (``summaries.checked_only_tables``: an expense
    account checked through ``employee.user_id == current_user.id``): a lookup of the directory entry there
    chooses whose guarded row is made, and keeps the entry's owner column as its scope."""
    if project is None:
        return False
    from .summaries import checked_only_tables

    guarded = {
        last_segment(t): t for t in checked_only_tables(project, settings)
        if any(referenced_model(project, t, c) == model for c in model_columns(project, t))
    }
    if not guarded:
        return False
    for node in cst_walk(func):
        if isinstance(node, cst.Call) and (name := dotted_name(node.func)) and last_segment(name) in guarded:
            return True
    return False
