"""A row of public content the caller only reads, links or answers (``_public_row_unwritten``): a public object
added to the caller's collection, a schema forked into the caller's organisation, a comment posted under anyone's
pin. Writes elsewhere in the function are other rows' business (their own lookups are judged where they are);
only a write of this row, or a new row under it that the caller does not own, keeps the lookup reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import is_table_model, model_by_name
from .attach import _reads_name, _sets_caller, _writes, caller_aliases, public_content, served_by_key
from .public import _READ_VERBS, public_children
from .syntax import ONE_ROW_READS

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..auth import Identity
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# methods of a collection: on ``other.relation`` (or a list made here) they link the row they are handed to another
_LINKS = frozenset({"append", "extend", "remove", "discard", "insert", "add"})
# methods that change the row (or the relation) they are called on
_MUTATES = _LINKS | {"pop", "clear", "update", "setdefault"}


def _public_row_unwritten(ctx: "FileContext", func: cst.FunctionDef, site: "Site", model: str, identity: Optional["Identity"]) -> bool:
    """A row of a model the project serves to every caller (listed in full, ``public_models``, or handed out by its
    key to anyone, ``served_by_key``) looked up by a key and never written in the function: the row's locals are
    no target of an assignment (``row.title = ...``), no receiver of a method that changes it (``row.tags.append(t)``,
    ``row.save()``), handed to no write (``db.delete(row)``, ``crud.update(db_obj=row)``), and its key goes into no
    write (``update(M).where(M.id == key)``, ``service.delete_pin(pin_id)``) and into no new row the caller does not
    own (``PinTag(pin_id=pin_id, tag_id=t)``). Allowed around it: reads, a link from another row or a list made here
    (``collection.objects.append(obj)``, ``links.append(obj)`` then ``mine.refers_to = links``), a new row the caller
    owns built from it (``Comment(pin_id=pin_id, user_id=user_id)``, ``insert(Comment).values(..., user_id=user_id)``,
    ``Schema(name=source.name, creator_id=current_user.id)``), and any write of other rows (judged at their own
    lookups)."""
    if identity is None or identity.router_auth or not site.key_names or site.owner_value:
        return False  # (a route its router authenticates: no caller in scope, its keyed loads stay claimed)  # (``fetch_by_user(db, user_id=user_id)``: rows picked by their owner, the client's choice)
    if site.via:
        if not all(last_segment(c.rstrip("()")).lstrip("_").startswith(_READ_VERBS) for c in site.via):
            return False
    elif site.kind not in ("select", "query", "get"):
        return False
    if not public_content(ctx, model, openly=True) or _child_of_public(ctx, model):
        return False
    if not _writes_something(func):
        return False  # (a plain read of a public row is ``public._public_read``'s: listed models only)
    keys = _carriers(func, {k.split(".", 1)[0] for k in site.key_names})  # (``note_in.provider_id``: its body)
    return not writes_row(ctx, func, site.row_names, identity, keys)


def _child_of_public(ctx: "FileContext", model: str) -> bool:
    """A model public only as the rows listed under a public parent (``public.public_children``: a form's
    submissions, counted by the form's key in a route that leaves its caller unread) and handed out by no route
    that takes no caller at all (``served_by_key`` openly): a public parent does not make its children public. The
    reading frees the parent row; a submission under it is still its submitter's and its form owner's."""
    return model in public_children(ctx.project, ctx.settings) and model not in served_by_key(ctx.project, ctx.settings, openly=True)


def writes_row(ctx: "FileContext", func: cst.FunctionDef, row_names: Iterable[str], identity: "Identity", keys: Iterable[str] = ()) -> bool:
    """``func`` writes the row held in the locals ``row_names`` (or a local bound to one): an assignment to
    something rooted in it (``row.title = ...``, ``row.total += 1``, ``row.meta["k"] = v``), a ``del`` of it, a
    method of it that changes it (``row.tags.append(t)``, ``row.save()``), or a call handing it (or one of ``keys``)
    to a write (``db.delete(row)``, ``setattr(row, ...)``, ``crud.update(db_obj=row)``, ``update(M).where(M.id ==
    key)``) or into a new row the caller does not own (``PinTag(pin_id=pin_id, tag_id=t)``). A new row the caller
    owns made from it, and a link of it from another row, write nothing of it (``_call_leaves_row``)."""
    rows = _aliases(func, set(row_names))
    handed_keys = set(keys)
    mine = caller_aliases(func, identity)
    inner: set[int] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if any(not isinstance(t, cst.Name) and _root(t) in rows for t in targets):
                return True  # (``row.title = ...``, ``row.meta["k"] = v``)
        elif isinstance(node, cst.Del) and _root(node.target) in rows:
            return True
        elif isinstance(node, cst.Call) and id(node) not in inner:
            chain = _chain(node)
            inner.update(id(c) for c in chain)
            if not _call_leaves_row(ctx, chain, rows, handed_keys, func, identity, mine):
                return True
    return False


def _call_leaves_row(ctx: "FileContext", chain: list[cst.Call], rows: set[str], keys: set[str], func: cst.FunctionDef,
                     identity: "Identity", mine: set[str]) -> bool:
    """One statement (a chain of calls, ``insert(M).values(...).returning(M)``, outermost first) leaves the row
    unwritten: it changes neither the row nor anything keyed on it, or it makes a row the caller owns."""
    base = chain[-1]
    base_name = base.func.value if isinstance(base.func, cst.Name) else ""
    handed = rows | keys
    if base_name in ("insert", "update", "delete"):  # an SQL statement
        if not any(_reads_name(c, handed) for c in chain):
            return True
        return base_name == "insert" and any(_sets_caller(ctx, c, identity, mine) for c in chain)
    for call in chain:
        f = call.func
        name = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
        receiver = f.value if isinstance(f, cst.Attribute) else None
        if receiver is not None and _root(receiver) in rows and not _reads_only(name):
            return False  # (``row.tags.append(t)``, ``row.save()``, ``row.soft_delete(me)``)
        if not any(_reads_name(a.value, handed) for a in call.args):
            continue
        if _sets_caller(ctx, call, identity, mine):
            continue  # a row the caller owns (``Comment(pin_id=pin_id, user_id=user_id)``, ``service.create(..., user_id=me)``)
        if name in _LINKS and receiver is not None and _linked_from_other(receiver, func, rows):
            continue  # (``collection.objects.append(obj)``, ``links.append(obj)``)
        if _writes(name) or name in _MUTATES or name == "setattr":
            return False  # (``db.delete(row)``, ``crud.update(db, db_obj=row, ...)``, ``service.delete_pin(pin_id)``)
        if name[:1].isupper() and ctx.project is not None and is_table_model(ctx.project, model_by_name(ctx.project, dotted_name(f))):
            return False  # a new row under this one that the caller does not own (``PinTag(pin_id=pin_id, tag_id=t)``)
    return True


# methods of a row that only read it
_ROW_READS = frozenset({"dict", "json", "model_dump", "model_dump_json", "serialize", "keys", "values", "items", "copy",
                        "count", "index", "first", "all", "isoformat", "strftime", "lower", "upper", "strip", "split",
                        "format", "startswith", "endswith", "replace", "encode", "decode",
                        # a query result's accessors (``row = result.scalar_one_or_none()`` after ``result = await
                        # db.execute(select(M)...)``): they hand the row out, they change nothing
                        "scalar", "scalars", "scalar_one", "scalar_one_or_none", "one", "one_or_none", "unique",
                        "mappings", "fetchone", "fetchall", "fetchmany"})


def _reads_only(name: str) -> bool:
    """A method of a row (or of a value on it) that changes nothing: named for a read (``get_*``, ``to_dict``,
    ``as_json``) or a plain value's method (``isoformat``, ``lower``)."""
    bare = name.lstrip("_")
    return name in _ROW_READS or bare.startswith(_READ_VERBS) or bare.startswith(("to_", "as_", "is_", "has_", "can_"))


def _carriers(func: cst.FunctionDef, keys: set[str]) -> set[str]:
    """``keys`` and the locals that carry one on: bound to an expression on a key (``data = body.dict()``,
    ``for field, value in body.dict().items()``) or to a plain value built from one (``data = {"pin_id": pin_id}``);
    a call of anything else handed a key makes no carrier (``remark = db.scalar(insert(...).values(pin_id=pin_id))``
    is the new row)."""
    out = set(keys)
    for _ in range(3):
        before = len(out)
        for node in cst_walk(func.body):
            if isinstance(node, (cst.Assign, cst.For)):
                value = node.value if isinstance(node, cst.Assign) else node.iter
                if isinstance(value, cst.Await):
                    value = value.expression
                if _root(value) in out or (not isinstance(value, cst.Call) and _reads_name(value, out)):
                    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                    out.update(n.value for t in targets for n in cst_walk(t) if isinstance(n, cst.Name))
        if len(out) == before:
            break
    return out


def _writes_something(func: cst.FunctionDef) -> bool:
    """``func`` makes or changes some row: a call named for a write or a link, or an attribute assigned."""
    for node in cst_walk(func.body):
        if isinstance(node, cst.Call):
            f = node.func
            name = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
            if _writes(name) or name in _LINKS:
                return True
        elif isinstance(node, cst.Assign) and any(isinstance(t.target, cst.Attribute) for t in node.targets):
            return True
    return False


def _linked_from_other(receiver: cst.BaseExpression, func: cst.FunctionDef, rows: set[str]) -> bool:
    """``receiver`` is a relation of another local (``collection.objects``) or a local list (``links``): bound in the
    function, not the row, not a session (a parameter or a module name)."""
    root = _root(receiver)
    return bool(root) and root not in rows and root in _bound_locals(func)


def _bound_locals(func: cst.FunctionDef) -> set[str]:
    """Names bound by an assignment or a ``for`` in ``func`` (not its parameters)."""
    out: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            for t in ([t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]):
                if isinstance(t, cst.Name):
                    out.add(t.value)
        elif isinstance(node, cst.For) and isinstance(node.target, cst.Name):
            out.add(node.target.value)
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    return out - params


def _aliases(func: cst.FunctionDef, rows: set[str]) -> set[str]:
    """``rows`` and the locals bound to one of them (``target = row``) or to the row a result local among them hands
    out (``found = result.scalar_one_or_none()``: a result local reused for a later statement hands that row on too,
    which keeps the earlier lookup claimed as before; the accessors themselves change nothing, ``_ROW_READS``)."""
    out = set(rows)
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Assign):
            continue
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if (isinstance(value, cst.Name) and value.value in out) or _result_row(value, out):
            out.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
    return out


def _result_row(value: cst.BaseExpression, rows: set[str]) -> bool:
    """``result.scalar_one_or_none()``, ``result.scalars().first()``: one row read off a result local in ``rows``."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in ONE_ROW_READS | {"one", "scalar_one"}):
        return False
    inner = value.func.value
    if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) and inner.func.attr.value in ("scalars", "unique"):
        inner = inner.func.value
    return isinstance(inner, cst.Name) and inner.value in rows


def _root(node: cst.CSTNode) -> str:
    """The name an attribute / subscript / call chain starts from (``row`` for ``row.tags[0].name``)."""
    while True:
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Await):
            node = node.expression
        else:
            return node.value if isinstance(node, cst.Name) else ""


def _chain(node: cst.Call) -> list[cst.Call]:
    """The calls of one chained statement, outermost first (``insert(M).values(...).returning(M)``)."""
    chain: list[cst.Call] = []
    cur: cst.BaseExpression = node
    while isinstance(cur, cst.Call):
        chain.append(cur)
        cur = cur.func.value if isinstance(cur.func, cst.Attribute) else cur.func
    return chain
