"""A class method that returns a row by what it does, not by its name (``cls.card_by_id(session, card_id)``,
``CardService.card_by_id(...)``): a data-access class's method named for no write that returns what a sibling
getter of the same class loads (``return await cls.one(session, {"id": card_id})``), or what its single lookup keyed
on its own parameters loads. Read by ``repository_method_fetch`` beside the getter names (``get_*``, ``find_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..models import is_table_model
from ..repositories import repository_model
from .public import _WRITE_CALLS, _WRITE_VERBS
from .summaries import method_summary

if TYPE_CHECKING:  # pragma: no cover
    from ..index import ProjectIndex

# the names a generic store's lookups go by (``one``, ``get_detail``, ``find_by``)
GETTER_PREFIXES = ("get", "find", "read", "fetch", "first", "one", "by_")
# a method named for making a row returns the new row, no lookup of the client's key
_MAKER_WORDS = ("create", "build", "make", "new", "from", "add", "insert", "save", "register", "copy", "clone")


def reads_a_row(project: "ProjectIndex", cls: str, method: str, _depth: int = 0) -> bool:
    """``method`` of ``cls`` (or of a base) returns a row it looks up: its summary returns, its name is not a
    write's or a maker's (``update_card``, ``create_card``, ``delete``), and it has one lookup keyed on its own
    parameters, or it calls a sibling method (``self.`` / ``cls.``) that is a getter by name or by this same
    reading (two levels)."""
    word = method.lstrip("_").split("_", 1)[0]
    if method.lstrip("_") in _WRITE_CALLS or word in _WRITE_VERBS or word in _MAKER_WORDS:
        return False
    summary = method_summary(project, cls, method)
    if summary is None or not summary[3].get("returns"):
        return False
    found = summary[3]
    fetches = found.get("fetches", ())
    if len(fetches) == 1 and set(fetches[0].get("keys", ())) and set(fetches[0].get("keys", ())) <= set(found.get("params", ())):
        return True
    for call in found.get("calls", ()):
        head, _, sibling = call.get("target", "").partition(".")
        if head not in ("self", "cls") or not sibling or "." in sibling or sibling == method:
            continue
        if sibling.startswith(GETTER_PREFIXES) or (_depth < 1 and reads_a_row(project, cls, sibling, _depth + 1)):
            return True
    return False


def foreign_getter_model(project: "ProjectIndex", cls: str, method: str) -> Optional[str]:
    """The model a getter of ``cls`` returns when it loads it through another data-access class's getter
    (``TaskService.get_dashboard_project`` -> ``DashboardService.get_detail(session, {"id": dashboard_id})``):
    that class's model, not ``cls``'s. ``None`` when the method calls a getter of its own class (``self.one``) or
    getters of several other classes, or the other class names no model."""
    summary = method_summary(project, cls, method)
    if summary is None:
        return None
    mine = {n for n, _ in project.class_mro(cls)}
    others: set[str] = set()
    for call in summary[3].get("calls", ()):
        target = call.get("target", "")
        owner, _, name = target.rpartition(".")
        if not owner or not name.startswith(GETTER_PREFIXES):
            continue
        if owner in ("self", "cls"):
            return None
        found = project.get_class(owner)
        if found is None:
            continue
        if found[0] in mine:
            return None
        others.add(found[0])
    if len(others) != 1:
        return None
    model = repository_model(project, next(iter(others)))
    return model if model is not None and is_table_model(project, model) else None
