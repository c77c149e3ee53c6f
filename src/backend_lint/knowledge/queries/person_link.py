"""A person looked up by a contact value only to link them (``person_linked``): a row of the principal's own table
(``User``) found by an e-mail or a user name the client sends (``db.query(User).filter(User.email == body.email)
.first()``, ``lookup_user_by_email(db, body.reviewee_email)``) whose every read is a presence test (``if not
reviewee: raise HTTPException(404)``) or its key (``reviewee.id``), the key only written onto another row (a
constructor's keyword, ``InternalReview(reviewee_id=reviewee_id)``; an attribute, ``task.assignee_id = user.id``),
compared or tested, held in locals read the same way. Nothing of the person's row leaves: the client named someone
to link and learns at most that such a person exists. The row returned, handed on (``send_mail(user=invitee)``),
changed (``user.role = ...``), or its key returned (``return {"assignee_id": user.id}``), stays reported; so does
the key handed to a class that is no table (``LinkOut(user_id=user.id)``), the row it is written onto then returned
with that key (``return {"assignee_id": task.assignee_id}``; ``return task`` with no response model, or one that
carries the key's column), a lookup by the row's id (the client names the row itself) or of another table."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..cst import iter_children, walk as cst_walk
from ..models import is_table_model
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
    links: set[tuple[str, str]] = set()  # (the local holding the row the key is written onto, the column)
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
            local = _linked(ctx, up, parents, links)
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
        if _linked(ctx, node, parents, links) is not True:
            return False
    return not any(_link_returned(ctx, func, n, parents, links) for n in nodes)


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


def _linked(ctx: "FileContext", expr: "cst.CSTNode", parents: dict, links: set) -> "bool | str":
    """What happens to the key ``expr``: ``True`` when it is written onto another row (a table class's constructor
    keyword, not in a ``return``; an attribute assigned), the local's name when it is bound to one, ``False``
    otherwise. A row local it is written onto is added to ``links`` with the column (``task = Task(assignee_id=
    ...)``, ``task.assignee_id = ...``)."""
    up = parents.get(id(expr))
    if isinstance(up, cst.Arg) and up.value is expr and up.keyword is not None:
        call = parents.get(id(up))
        if not (isinstance(call, cst.Call) and _constructor(ctx, call) and not _in_return(up, parents)):
            return False
        bound = parents.get(id(call))
        if isinstance(bound, cst.Assign) and bound.value is call and len(bound.targets) == 1:
            if isinstance(bound.targets[0].target, cst.Name):
                links.add((bound.targets[0].target.value, up.keyword.value))
        return True
    if isinstance(up, cst.Assign) and up.value is expr and len(up.targets) == 1:
        target = up.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            links.add((target.value.value, target.attr.value))
        return isinstance(target, cst.Attribute)
    return False


def _constructor(ctx: "FileContext", call: "cst.Call") -> bool:
    """A table class called to build a row (``Task(...)``, ``models.Review(...)``), not a helper given the key
    (``list_tasks(db, assignee_id=...)`` may read that person's rows) nor a response model (``LinkOut(user_id=...)``
    carries the key back)."""
    project = ctx.project
    q = ctx.qualified_name(call.func)
    found = project.get_class(q) if (project is not None and q) else None
    return found is not None and is_table_model(project, found[0])


def _link_returned(ctx: "FileContext", func: "cst.FunctionDef", node: "cst.CSTNode", parents: dict, links: set) -> bool:
    """``node`` reads, in a ``return``, a row the key was written onto: its linked column (``return {"assignee_id":
    task.assignee_id}``), or the row itself when the function answers with no response model or with one that
    carries that column (``return task``)."""
    if not (isinstance(node, cst.Name) and _in_return(node, parents)):
        return False
    columns = {column for local, column in links if local == node.value}
    if not columns:
        return False
    up = parents.get(id(node))
    if isinstance(up, cst.Attribute) and up.value is node:
        return up.attr.value in columns
    if isinstance(up, cst.Arg) and up.value is node and isinstance(parents.get(id(up)), cst.Call):
        callee = parents[id(up)].func  # (``TaskOut.model_validate(task)``: answered through that schema)
        fields = _schema_fields(ctx, callee.value if isinstance(callee, cst.Attribute) else callee)
        if fields is not None:
            return bool(columns & fields)
    fields = _response_fields(ctx, func)
    return fields is None or bool(columns & fields)


def _response_fields(ctx: "FileContext", func: "cst.FunctionDef") -> "Optional[set[str]]":
    """The fields of the function's response model (``response_model=TaskOut``, ``list[TaskOut]``, else the return
    annotation), ``None`` when it has none or it is no project class."""
    model: Optional["cst.BaseExpression"] = None
    for decorator in func.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "response_model":
                    model = arg.value
    if model is None and func.returns is not None:
        model = func.returns.annotation
    while isinstance(model, cst.Subscript) and len(model.slice) == 1:
        inner = model.slice[0].slice
        model = inner.value if isinstance(inner, cst.Index) else None
    return _schema_fields(ctx, model)


def _schema_fields(ctx: "FileContext", model: Optional["cst.BaseExpression"]) -> "Optional[set[str]]":
    """The fields of the project class ``model`` names when it is no table, else ``None``."""
    project = ctx.project
    q = ctx.qualified_name(model) if isinstance(model, (cst.Name, cst.Attribute)) else None
    found = project.get_class(q) if (project is not None and q) else None
    if found is None or is_table_model(project, found[0]):
        return None  # (none, or a table: the row answered as it is)
    fields: set[str] = set()
    for _, facts in project.class_mro(found[0]):
        fields.update((facts or {}).get("fields", {}))
    return fields


def _in_return(node: "cst.CSTNode", parents: dict) -> bool:
    up: Optional["cst.CSTNode"] = parents.get(id(node))
    while up is not None:
        if isinstance(up, cst.Return):
            return True
        if isinstance(up, cst.BaseCompoundStatement):
            return False
        up = parents.get(id(up))
    return False
