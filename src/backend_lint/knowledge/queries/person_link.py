"""A person looked up by a contact value only to link them (``person_linked``): a row of the principal's own table
(``User``) found by an e-mail or a user name the client sends (``db.query(User).filter(User.email == body.email)
.first()``, ``lookup_user_by_email(db, body.reviewee_email)``) whose every read is a presence test (``if not
reviewee: raise HTTPException(404)``) or its key (``reviewee.id``), the key only written onto another row (a
constructor's keyword, ``InternalReview(reviewee_id=reviewee_id)``; an attribute, ``task.assignee_id = user.id``),
compared or tested, held in locals read the same way. Nothing of the person's row leaves: the client named someone
to link and learns at most that such a person exists. The row returned, handed on (``send_mail(user=invitee)``),
changed (``user.role = ...``), or its key returned (``return {"assignee_id": user.id}``), stays reported; so does a
lookup by the row's id (the client names the row itself) or of another table."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..cst import iter_children, walk as cst_walk
from .syntax import client_key_columns
from .vocabulary import PRIMARY_KEY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

    from .values import Site

cst = lazy_import("libcst")

_CONTACT = re.compile(r"(^|_)(e_?mail|username|user_name|login)$", re.IGNORECASE)


def person_linked(ctx: "FileContext", func: "cst.FunctionDef", site: "Site", model: str, principal_table: bool) -> bool:
    """The lookup finds a person (``principal_table``: the model is the principal's own table) by a contact value
    only to take the key of what it finds onto another row (module docstring)."""
    if not principal_table or len(site.row_names) != 1 or not site.key_names:
        return False
    if site.pred_nodes:
        columns = client_key_columns(site)
        if not columns or not all(_CONTACT.search(c) for c in columns):
            return False
    elif not (site.via and all(_CONTACT.search(k.rsplit(".", 1)[-1]) for k in site.key_names)):
        return False  # (a helper's lookup: the key the route hands it names a contact value)
    row = next(iter(site.row_names))
    parents: dict[int, "cst.CSTNode"] = {}
    stack = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not func.body:
            continue
        for child in iter_children(node):
            parents[id(child)] = node
            stack.append(child)
    nodes = [n for n in cst_walk(func.body) if id(n) in parents and not _spelled_only(n, parents[id(n)])]
    held: set[str] = set()  # locals bound to the row's key
    for node in nodes:
        if not (isinstance(node, cst.Name) and node.value == row):
            continue
        up = parents[id(node)]
        if _bound(node, up, parents):
            statement = parents.get(id(up)) if isinstance(up, cst.AssignTarget) else up
            if statement is None or not any(n is site.node for n in cst_walk(statement)):
                return False  # the local bound to something else too
            continue
        if _tested(node, parents):
            continue
        if isinstance(up, cst.Attribute) and up.value is node and up.attr.value in PRIMARY_KEY_NAMES:
            local = _linked(up, parents)
            if local is False:
                return False
            if isinstance(local, str):
                held.add(local)
            continue
        return False  # the row read, handed on, changed or returned
    for node in nodes:
        if not (isinstance(node, cst.Name) and node.value in held):
            continue
        up = parents[id(node)]
        if _bound(node, up, parents) or _tested(node, parents):
            continue
        if _linked(node, parents) is not True:
            return False
    return True


def _spelled_only(node: "cst.CSTNode", up: "cst.CSTNode") -> bool:
    """A name that reads no local: an attribute's name (``task.reviewer_id``), a keyword (``Task(reviewer_id=...)``)."""
    return (isinstance(up, cst.Attribute) and up.attr is node) or (isinstance(up, cst.Arg) and up.keyword is node)


def _bound(node: "cst.Name", up: "cst.CSTNode", parents: dict) -> bool:
    """``node`` is the target of an assignment (``up`` the ``Assign``'s target holder)."""
    if isinstance(up, cst.AssignTarget) and up.target is node:
        return True
    return isinstance(up, cst.AnnAssign) and up.target is node


def _tested(node: "cst.CSTNode", parents: dict) -> bool:
    """Read in the test of an ``if`` / ``while`` / conditional expression (``if not x``, ``x is None``, ``x ==
    current_user.id``), outside any ``return``; a comparison elsewhere (a query's predicate) is no test."""
    child, up = node, parents.get(id(node))
    while up is not None and not isinstance(up, cst.BaseSmallStatement) and not isinstance(up, cst.BaseCompoundStatement):
        if isinstance(up, (cst.If, cst.While, cst.IfExp)) and up.test is child:
            return not _in_return(up, parents)
        child, up = up, parents.get(id(up))
    return isinstance(up, (cst.If, cst.While)) and up.test is child


def _linked(expr: "cst.CSTNode", parents: dict) -> "bool | str":
    """What happens to the key ``expr``: ``True`` when it is written onto another row (a constructor's keyword, not
    in a ``return``; an attribute assigned), the local's name when it is bound to one, ``False`` otherwise."""
    up = parents.get(id(expr))
    if isinstance(up, cst.Arg) and up.value is expr and up.keyword is not None:
        call = parents.get(id(up))
        return isinstance(call, cst.Call) and _constructor(call) and not _in_return(up, parents)
    if isinstance(up, cst.Assign) and up.value is expr and len(up.targets) == 1:
        target = up.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
        return isinstance(target, cst.Attribute)
    return False


def _constructor(call: "cst.Call") -> bool:
    """A class called to build a row (``Task(...)``, ``models.Review(...)``), not a helper given the key (``list_tasks(db,
    assignee_id=...)`` may read that person's rows)."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name[:1].isupper()


def _in_return(node: "cst.CSTNode", parents: dict) -> bool:
    up: Optional["cst.CSTNode"] = parents.get(id(node))
    while up is not None:
        if isinstance(up, cst.Return):
            return True
        if isinstance(up, cst.BaseCompoundStatement):
            return False
        up = parents.get(id(up))
    return False
