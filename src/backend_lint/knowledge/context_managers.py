"""What ``with Class(...) as v`` / ``async with Class(...) as v`` binds ``v`` to.

The index types such a local as ``"<Class>.__enter__()"`` / ``"<Class>.__aenter__()"`` (what the enter method
gives: ``index.extractors.orm.ENTER_METHODS``); ``entered_instance`` reads it as an instance of the class when the
method the class defines or inherits from a project base returns ``self`` on every way out (the ``entered_self``
facts). An enter method returning anything else (a connection, a transaction), one a library base defines, or
none at all makes no claim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .facts import orm_facts
from .index.extractors.orm import ENTER_METHODS

if TYPE_CHECKING:
    from .index import ProjectIndex


def entered_instance(project: "ProjectIndex", typed: str) -> Optional[str]:
    """``"<module>.AccountService.__aenter__().get_by_id"`` (a ``receivers`` entry) read as
    ``"<module>.AccountService.get_by_id"`` when ``AccountService``'s ``__aenter__`` returns ``self``; ``None``
    otherwise (also for any other entry)."""
    head, _, method = typed.rpartition(".")
    if not head.endswith("()") or not method:
        return None
    cls, _, enter = head[:-2].rpartition(".")
    if enter not in ENTER_METHODS or not cls:
        return None
    found = project.get_class(cls)
    if found is None:
        return None
    return f"{found[0]}.{method}" if _enters(project, found[0], enter) is True else None


def _enters(project: "ProjectIndex", cls: str, enter: str) -> Optional[bool]:
    """Whether the enter method ``cls`` defines or inherits from a project base returns ``self`` (``True``),
    something else (``False``); ``None``: a library base's, or none (no claim). One that returns what its base's
    returns (``return await super().__aenter__()``) is read on along the bases."""
    for owner, facts in project.class_mro(cls):
        if facts is None:
            return None  # (a library base may define it)
        if enter not in facts.get("methods", ()):
            continue
        split = project.split(owner)
        if not split:
            return None
        entered = orm_facts(project.modules[split[0]]).get("entered_self", ())
        if f"{split[1]}.{enter}^" in entered:
            continue
        return f"{split[1]}.{enter}" in entered
    return None


def entered_flow(project: "ProjectIndex", flow: dict[str, Any]) -> dict[str, Any]:
    """A module's ``flow`` facts with each call on a ``with`` target (``calls[].entered``: ``"<Class>.__aenter__()
    .find"``) whose class enters itself (``entered_instance``) given that method as its ``target``
    (``"<Class>.find"``); any other call is kept as the index wrote it (the name as written)."""
    out = dict(flow)
    for group in ("functions", "methods"):
        entries = flow.get(group)
        if not entries:
            continue
        changed: dict[str, Any] = {}
        for name, summary in entries.items():
            calls = summary.get("calls")
            if not calls or not any("entered" in c for c in calls):
                continue
            changed[name] = {**summary, "calls": [_entered_call(project, c) for c in calls]}
        if changed:
            out[group] = {**entries, **changed}
    return out


def _entered_call(project: "ProjectIndex", call: dict[str, Any]) -> dict[str, Any]:
    found = entered_instance(project, call["entered"]) if "entered" in call else None
    return {**call, "target": found} if found is not None else call


def enters_other(project: Optional["ProjectIndex"], cls: str, is_async: bool) -> bool:
    """``with Class(...) as v`` where the enter method ``Class`` defines or inherits from a project base returns
    something other than ``self`` (``return self.connection``): ``v`` is no instance of the class. A method a
    library base defines, or none, says nothing here."""
    if project is None:
        return False
    found = project.get_class(cls)
    return found is not None and _enters(project, found[0], ENTER_METHODS[is_async]) is False
