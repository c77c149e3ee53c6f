"""Index facts for families 1 and 2: per-function summaries of how a function's parameters reach row lookups,
so that a route's client key can be followed through services, repositories and CRUD helpers
(``knowledge.queries.followed_fetch``) without a libcst pass over the helpers' modules.

Stored under ``facts["extra"]["flow"]`` as ``{"functions": {name: summary}, "methods": {"Class.method":
summary}, "scoping": {model: {column: uses}}}`` for top-level functions and class methods (nested functions
are not summarised). ``scoping`` counts how often the module's functions constrain ``Model.<column>`` (a
column named ``*_id``) in a comparison or a ``filter_by`` keyword after ``select(Model)`` / ``query(Model)``:
``knowledge.models.scoping_column`` keeps the identity columns and calls the most used one the model's
scoping column. A summary is kept only when it says something:

- ``params``: the parameter names, in order (``self`` / ``cls`` included);
- ``fetches``: ``[{"model", "keys", "line"}]``: a row lookup on ``model`` (a resolved dotted name, possibly
  not a model at all: the reader checks) keyed on the parameters ``keys``: ``<x>.get(M, p)``,
  ``select(M)`` / ``<x>.query(M)`` / ``update(M)`` / ``delete(M)`` with ``p`` in a predicate of the function
  (``where`` / ``filter`` / ``filter_by`` / ``get`` arguments); a generic getter's lookup on a model it is
  handed (``db.get(model, ident=key)``, ``select(model).where(model.id == key)``) has ``model`` empty and
  ``model_param`` the parameter: the reader fills in the class the caller passes; when the function's
  statements are on several models and share no join or subquery, each statement's lookup also has
  ``own_keys`` (the keys a predicate compares with that model's columns, or reads otherwise), ``preds`` (that
  model's predicate columns, and those of no known model) and ``compared`` (the attributes compared outside
  predicates): a route's key is claimed by what that lookup itself is keyed and scoped on;
- ``key_attrs``: ``{parameter: {attribute: [model]}}`` for a parameter the function's predicates read only
  through attributes of it, never whole and never through a local copy (``Exhibition.id == data.exhibition_id``:
  ``{"data": {"exhibition_id": ["app.models.Exhibition"]}}``, the models whose columns each is compared with):
  which fields of a handed body key which of the function's own lookups;
- ``together``: ``[[model, [column]]]``: the columns of one model a single predicate call (or a chain of them on one statement) names together
  (``where(Address.user_id == user_id, Address.is_default == True)``, also inside one ``and_(...)``, or the keywords
  of one ``filter_by`` on a ``query(M)`` / ``select(M)``): a flag
  the project reads per owner (``knowledge.queries.flag_reset``);
- ``own_lookups``: parameters only handed on or written down besides being the one key of lookups of their
  own (``User.id == inviter_id``, the caller's own row; ``knowledge.queries.principal_passes_through``);
- ``scopes_only``: parameters only compared with models' columns in predicates besides being handed on or
  written down (``Asset.company_id == company_id``): which lookups they scope is per lookup (``fetches``);
- ``preds``: attribute names and ``filter_by`` keywords used in the function's predicates (an identity
  column among them scopes the lookups: coarse on purpose, it errs on the side of no claim);
- ``compared``: attribute names compared in the function (``row.user_id != user_id``, also through
  ``str()``): the function checks ownership itself;
- ``calls``: ``[{"target", "args"}]``: calls that pass a parameter on, ``target`` a resolved dotted name or
  ``self.<method>``, ``args`` ``[[position or keyword, parameter]]``, and ``models`` ``[[position or keyword,
  class]]`` for the classes handed along (``must_exist(self.db, Star, star_id)``), with ``opaque`` when the call is
  also given something else than parameters, classes and constants (a dict of filters, a local: ``_opaque_arguments``); ``attr_args``, the same
  for an id read off a parameter (``msg.project_id``, ``current_user.id``: ``[position or keyword, "msg"]``);
  for a call named like a check, ``whole`` when every argument is a parameter, an id read off one or a local
  made from parameters, and then ``rows``: ``[[position or keyword, [parameters]]]``, those locals with the
  parameters each was made from (``check_user_in_org(user=user, organisation=organisation)`` after
  ``organisation = get(db, Organisation, org_id)``);
- ``filters``: ``{parameter: ["model:column"]}`` for the parameters a predicate only compares with model
  columns; beside it ``bound``, the columns a predicate compares with anything but a parameter
  (``Item.owner_id == user.id``), and ``pred_compared``, the attributes compared only inside predicates (not
  ``row.user_id != user_id``): an owner column compared with a parameter alone is keyed by whoever the caller
  names (``knowledge.queries._owner_value_params``);
- ``lists``: the models a function with no predicate at all selects (``select(Pin).offset(o).limit(n)``):
  every row of the model, whoever owns it (``knowledge.queries.public_models``); ``selects`` otherwise, the
  models its ``select(M)`` / ``query(M)`` statements read (the reader compares ``preds`` with their identity
  columns), and ``joined`` / ``searched``, the predicates' columns named only in a join condition between two
  models or as a text search's column (``loose_predicate_columns``: no value keys the rows by them);
- ``optional_preds`` / ``asked_preds``: ``[[parameter, [columns]]]``, predicate columns added only under ``if
  parameter:`` for a parameter defaulting to ``None`` / to ``Query(None)`` (a client's optional filter,
  ``if company_id: query = query.where(Quote.company_id == company_id)``): without it the lookup lists more;
- ``returns``: whether a ``return`` gives back a value (the row, for the caller's later check); ``echoes``, the
  parameter every ``return`` gives back as it is or converted (``return value if isinstance(value, UUID) else
  UUID(value)``): the result is what the caller handed that parameter (``_echoed_param``);
- ``same_owner``: ``[[parameter, column]]``, a method that leaves at once unless the row it is handed shares
  that column with its own object (``if self.household_id != other.household_id: return``);
- ``pair_guard``: ``[[parameter, parameter, column]]``, a function that leaves at once unless two rows it is
  handed share that column (``if task.project_id != label.project_id: raise``): a caller handing it a child
  and its checked parent ties the child (``_pair_guards``);
- ``verdict``: the function writes nothing and every ``return`` is a yes or no (``return q.first() is None``):
  what it looks up never leaves it (``verdict_function``); a call entry has ``tested`` when the function only
  tests the call's result for presence (``tested_calls``): the lookup behind it answers yes or no, unless
  the callee changes something (``writes``: a write call or an attribute set on what it looked up);
- ``unused``: parameters the body never reads (an identity handed in and forgotten);
- ``kept``: parameters the body only keeps on the object (``self.user = user`` in ``__init__``): what it
  looks up meanwhile is not decided by them;
- ``builders`` (beside ``functions``): ``{"Class.method": model}``, methods taking only ``self`` that only return a
  bare statement on one model (``return self.db.query(M).options(...)``); a lookup built on a call of one is a
  lookup of that model (``_method_builders``).
- ``shadowed`` (beside ``functions``): ``{"name@line": summary}``, the summary of a top-level function a later
  ``def`` of the same name replaced (keyed as ``orm``'s ``shadowed_routes``: a request handler still registered);
- ``checks`` (beside ``functions`` and ``methods``, keyed the same way): ``{name: {"params", "groups"}}``, the
  decisions a function or method takes on what it is given, each group the parameters one decision reads
  (``verdict_groups``): whether a project helper handed the caller and a key decides on both, read from its
  body rather than from its name (``knowledge.queries.callee_decides``); beside them ``access`` (the groups a
  refusal of the caller decides: 401 / 403 / 404, an exception named for access), ``verdicts`` (the groups of a
  predicate, whose caller refuses on the answer) and ``refuses`` (``[[exception, group]]``, a project or
  library exception class whose bases decide): what tells an access decision from business logic
  (validation, quotas, choices) when the helper is not named like a check;
- ``self_checked``: parameters a method keeps on the object and then checks what it loads against through a
  method of its own class called with nothing (``self.user_id = user_id`` ... ``if user_id:
  self._ensure_ownership()``, which refuses when ``self.connection.user_id != self.user_id``:
  ``_self_checked_params``); the reader counts the check when the caller hands that parameter;
- ``checked``: names handed to a permission method or function whose refusal exits
  (``if not row.has_permission(user=user, ...): abort(403)`` / ``raise``; or that gates an ``if`` whose
  ``else`` exits, ``if shelf and check_shelf_view_permissions(shelf): ... else: return redirect(...)``):
  the function checks access itself, with who it is given (an ACL mixin's ``get_with_acl(cls, id, user=current_user)``) or a global
  caller it reads (``current_user``).

Every name is resolved with the module's own imports; nothing is imported.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Iterator, Optional

from . import _common
from ._common import Resolve, children, mentions, mentions_lowered, own_nodes, store, walk, walk_function, walk_kinds
from ..extract import ast_dotted  # ``a.b.c`` of a Name/Attribute chain, else None
from .orm import ENTER_METHODS, exit_statement, main_type
from .request_gates import request_decides
from ...words import ADMIN_WORDS as _ADMIN_WORDS, ID_WRAPPERS as UNWRAP, ONE_ROW_READS as _RESULT_ROW_READS, STATEMENT_FUNCS as STATEMENTS, STATEMENT_MODULES
from ..services import remap_module

GET_METHODS = frozenset({"get", "get_one", "aget", "get_or_404", "one_or_404"})
PRED_METHODS = frozenset({"where", "filter", "filter_by", "having", "join", "outerjoin", "get"})


_LOOSE_CALLS = frozenset({"or_", "not_", "ne", "isnot", "is_not", "notin_", "not_in", "notlike", "not_like", "is_distinct_from"})


def _loose_keys(exprs: list[ast.AST], keys: set[str]) -> list[str]:
    """Keys a predicate holds under a disjunction or a non-equality (``or_(M.parent_id == parent_id, M.id == key)``,
    ``M.parent_id != parent_id``, ``~(...)``): such a key does not confine the lookup to its rows (read by
    ``queries.expressions._child_of_handed_row``)."""
    out: set[str] = set()
    for expr in exprs:
        for n in ast.walk(expr):
            t = type(n)
            if t is ast.BoolOp and type(n.op) is ast.Or:  # type: ignore[attr-defined]
                out |= _names_in(n) & keys
            elif t is ast.UnaryOp and type(n.op) in (ast.Not, ast.Invert):  # type: ignore[attr-defined]
                out |= _names_in(n) & keys
            elif t is ast.Compare and any(type(op) is not ast.Eq for op in n.ops):  # type: ignore[attr-defined]
                out |= _names_in(n) & keys
            elif t is ast.Call:
                f = n.func  # type: ignore[attr-defined]
                name = f.attr if type(f) is ast.Attribute else (f.id if type(f) is ast.Name else "")
                if name in _LOOSE_CALLS:
                    out |= _names_in(n) & keys
    return sorted(out)


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if type(n) is ast.Name}  # type: ignore[attr-defined]


def _names(node: ast.AST) -> set[str]:
    kind = type(node)
    if kind is ast.Name:
        return {node.id}  # type: ignore[attr-defined]  (the common arguments: no walk)
    if kind is ast.Constant:
        return set()
    if kind is ast.Attribute:
        base = node.value  # type: ignore[attr-defined]
        while type(base) is ast.Attribute:
            base = base.value  # type: ignore[attr-defined]
        if type(base) is ast.Name:
            return {base.id}  # type: ignore[attr-defined]  (``row.owner.id``: the one name of the chain, no walk)
    return {n.id for n in walk(node) if type(n) is ast.Name}


def _key_attributes(exprs: list[ast.AST], keys: set[str], resolve: Resolve) -> dict[str, dict[str, list[str]]]:
    """``{"data": {"exhibition_id": ["app.models.Exhibition"]}}`` for ``where(Exhibition.id ==
    data.exhibition_id)``: the parameters among ``keys`` that the predicate expressions read only as
    ``<parameter>.<attribute>`` (never whole), each attribute with the models whose columns it is compared with
    (none known: empty) (``key_attrs``)."""
    attrs: dict[str, dict[str, set[str]]] = {}
    whole: set[str] = set()
    for expr in exprs:
        under: set[int] = set()
        for n in walk(expr):
            if type(n) is ast.Attribute and type(n.value) is ast.Name and n.value.id in keys:  # type: ignore[attr-defined]
                under.add(id(n.value))  # type: ignore[attr-defined]
                attrs.setdefault(n.value.id, {}).setdefault(n.attr, set())  # type: ignore[attr-defined]
            elif type(n) is ast.Compare:
                sides = [n.left] + n.comparators  # type: ignore[attr-defined]
                models: set[str] = set()
                for side in sides:
                    if type(side) is ast.Attribute and isinstance(side.value, (ast.Name, ast.Attribute)):
                        base = side.value
                        last = base.attr if type(base) is ast.Attribute else base.id  # type: ignore[union-attr]
                        if last[:1].isupper() and (model := resolve(base)):
                            models.add(model)
                for side in sides:
                    if type(side) is ast.Attribute and type(side.value) is ast.Name and side.value.id in keys:
                        attrs.setdefault(side.value.id, {}).setdefault(side.attr, set()).update(models)
        for n in walk(expr):
            if type(n) is ast.Name and n.id in keys and id(n) not in under:  # type: ignore[attr-defined]
                whole.add(n.id)  # type: ignore[attr-defined]
    return {p: {a: sorted(m) for a, m in sorted(found.items())} for p, found in sorted(attrs.items()) if p not in whole}


def _attr_names(node: ast.AST) -> set[str]:
    kind = type(node)
    if kind is ast.Name or kind is ast.Constant:
        return set()
    if kind is ast.Attribute:
        out = set()
        base = node
        while type(base) is ast.Attribute:
            out.add(base.attr)  # type: ignore[attr-defined]
            base = base.value  # type: ignore[attr-defined]
        if type(base) is ast.Name:
            return out  # (``Item.owner_id``: the chain's attributes, no walk)
    return {n.attr for n in walk(node) if type(n) is ast.Attribute}


# the methods of a text search on a column (``Event.name.ilike(f"%{q}%")``)
_SEARCH_METHODS = frozenset({"ilike", "like", "icontains", "istartswith", "iendswith", "regexp_match"})


def _opaque_arguments(call: ast.Call, plain: set[str]) -> bool:
    """A call handing a class along (``paginated_response(db=db, model=Testimonial, skip=max(page, 0))``) is given
    something else than parameters, classes, constants and plain expressions of those (``filters={"org_id":
    org_id}``, a local): what it selects by cannot be read from its summary (``calls``' ``opaque``)."""
    for a in (*call.args, *(k.value for k in call.keywords)):
        if type(a) is ast.Starred:
            return True
        for n in walk(a):
            t = type(n)
            if t in (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.Lambda, ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp):
                return True
            if t is ast.Name and n.id not in plain and not n.id[:1].isupper() and n.id not in ("max", "min", "int", "str", "abs", "None", "True", "False"):  # type: ignore[attr-defined]
                return True
    return False


def _model_column(node: ast.AST) -> Optional[str]:
    """``Event.organization_id`` (also ``models.Event.organization_id``): the model's name, when ``node`` is a
    column of a class (a capitalised name) and not of a value (``row.user_id``)."""
    if type(node) is not ast.Attribute:
        return None
    base = node.value  # type: ignore[attr-defined]
    last = base.attr if type(base) is ast.Attribute else (base.id if type(base) is ast.Name else "")
    return last if last[:1].isupper() else None


def loose_predicate_columns(args: list[ast.AST]) -> tuple[set[str], set[str]]:
    """The columns predicates name only where no value is compared: in a join condition between two models'
    columns (``exists().where(Organization.id == Event.organization_id, ...)``: ``joined``), or as the column a
    text search runs on (``Event.name.ilike(f"%{q}%")``: ``searched``). Neither keys the rows to one owner or one
    row (``public_models``' listings); a column also compared with a value anywhere is in neither."""
    joined: set[str] = set()
    searched: set[str] = set()
    skip: set[int] = set()
    for a in args:
        for n in walk(a):
            t = type(n)
            if t is ast.Compare and len(n.ops) == 1 and type(n.ops[0]) is ast.Eq:  # type: ignore[attr-defined]
                left, right = n.left, n.comparators[0]  # type: ignore[attr-defined]
                lm, rm = _model_column(left), _model_column(right)
                if lm and rm and lm != rm:
                    joined |= {left.attr, right.attr}  # type: ignore[attr-defined]
                    skip |= {id(left), id(right)}
            elif t is ast.Call and type(n.func) is ast.Attribute and n.func.attr in _SEARCH_METHODS and _model_column(n.func.value):  # type: ignore[attr-defined]
                searched.add(n.func.value.attr)  # type: ignore[attr-defined]
                skip |= {id(n.func), id(n.func.value)}  # type: ignore[attr-defined]
    other = {n.attr for a in args for n in walk(a) if type(n) is ast.Attribute and id(n) not in skip}  # type: ignore[attr-defined]
    return joined - other, searched - other - joined


def _model_expr(node: ast.AST) -> Optional[ast.AST]:
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "func" and len(node.args) == 1
    ):
        node = node.args[0]  # ``select(func.max(Item.number))``: an aggregate over ``Item``'s rows
    if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)) and node.attr[:1].islower():
        return node.value  # ``select(Item.id)``: a query on ``Item``
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls") and node.attr[:1] == "_" and node.attr.lstrip("_")[:1].islower():
        return node.value  # ``session.get(self._model, key)``: the class's model kept in a private attribute, as ``self.model``
    if isinstance(node, (ast.Name, ast.Attribute)):
        return node
    return None


_SKIP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# the node kinds ``summarise``'s loop reads (the others it passes over)
_SUMMARISED = frozenset({
    ast.If, ast.Name, ast.For, ast.Assign, ast.Attribute, ast.Return, ast.Compare, ast.Call,
    ast.FormattedValue, ast.Dict, ast.While, ast.IfExp,
})


def _count_evidence(own: list[Any], count: Any, model_name: Any) -> None:
    """What ``summarise``'s loop does for a function with no parameter but ``self`` / ``cls``: count the
    ``*_id`` columns its comparisons and ``filter_by`` keywords constrain (the scoping evidence); nothing else
    of that loop reaches a summary there."""
    for node in own:
        t = type(node)
        if t is ast.Compare:
            for side in [node.left] + node.comparators:
                while type(side) is ast.Call and type(side.func) is ast.Name and side.func.id in UNWRAP and side.args:
                    side = side.args[0]
                if type(side) is ast.Attribute:
                    count(side.value, side.attr)
        elif t is ast.Call:
            func = node.func
            if type(func) is ast.Attribute and func.attr == "filter_by":
                base = func.value
                while type(base) is ast.Call and type(base.func) is ast.Attribute and base.func.attr not in ("query", "select"):
                    base = base.func.value
                if type(base) is ast.Call and base.args and isinstance(base.args[0], (ast.Name, ast.Attribute)):
                    model_name(base.args[0])
                    for k in node.keywords:
                        if k.arg:
                            count(base.args[0], k.arg)
                elif _query_property(base):
                    for k in node.keywords:
                        if k.arg:
                            count(base.value, k.arg)


def _query_property(base: ast.AST) -> bool:
    """``M.query`` (Flask-SQLAlchemy's query property of a model class) that a ``filter_by`` is chained on
    (``Epic.query.filter_by(organization_id=...)``): its keywords constrain ``M``'s columns as they do after
    ``query(M)`` (the scoping evidence ``_count_evidence`` and ``summarise`` count)."""
    return (
        type(base) is ast.Attribute and base.attr == "query"  # type: ignore[attr-defined]
        and isinstance(base.value, (ast.Name, ast.Attribute)) and _last_name(base.value)[:1].isupper()  # type: ignore[attr-defined]
    )


def _last_name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else (node.id if isinstance(node, ast.Name) else "")


_KINDS = (ast.Assign, ast.ImportFrom, ast.If)  # (what ``summarise``'s helpers read of a function's own nodes)


def _own_kinds(fn: ast.AST) -> dict[type, list[Any]]:
    """The function's own nodes (``own_nodes``) of the kinds ``summarise``'s helpers read (assignments, imports,
    ``if`` statements), each kind in ``own_nodes`` order: one pass for all of them, kept with the function's
    walks while the module is extracted."""
    current = _common._current
    key = ("flow.kinds", id(fn))
    if current is not None:
        found = current.walks.get(key)  # type: ignore[call-overload]
        if found is not None:
            return found  # type: ignore[no-any-return]
    kinds: dict[type, list[Any]] = {k: [] for k in _KINDS}
    get = kinds.get
    for node in own_nodes(fn)[0]:
        bucket = get(node.__class__)
        if bucket is not None:
            bucket.append(node)
    if current is not None:
        current.walks[key] = kinds  # type: ignore[index]
    return kinds


def _with_local_imports(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Resolve:
    """``resolve`` that also knows the function's own absolute imports (``from app.models.email import Email``
    written in the body, to dodge an import cycle): a lookup on ``Email`` there is a lookup on that model."""
    local: dict[str, str] = {}
    remap = getattr(resolve, "remap", None)  # (a service's own package: ``ProjectIndex.module_remap``)
    for node in _own_kinds(fn)[ast.ImportFrom]:
        if node.module and not node.level:  # type: ignore[attr-defined]
            for alias in node.names:  # type: ignore[attr-defined]
                if alias.name != "*":
                    local[alias.asname or alias.name] = f"{remap_module(node.module, remap)}.{alias.name}"  # type: ignore[attr-defined]
    if not local:
        return resolve

    def resolve_local(node: ast.AST) -> Optional[str]:
        head = node
        while type(head) is ast.Attribute:
            head = head.value  # type: ignore[attr-defined]
        if type(head) is ast.Name and head.id in local:  # type: ignore[attr-defined]
            dotted = ast_dotted(node) if type(node) is ast.Attribute else head.id  # type: ignore[attr-defined]
            if dotted is not None:
                first, _, rest = dotted.partition(".")
                return f"{local[first]}.{rest}" if rest else local[first]
        return resolve(node)

    return resolve_local
MODEL_PARAM = "param:"  # (a lookup's model spelled by a parameter, while a summary is built)


def _ident(call: ast.Call) -> bool:
    return any(k.arg == "ident" for k in call.keywords)


def _statement_expr(node: ast.AST) -> bool:
    """An inline query: ``<x>.query(M)`` or ``select(M)`` / ``update(M)`` / ``delete(M)``, with builder calls chained
    on it (``.filter(...)``, ``.where(...)``)."""
    while type(node) is ast.Call:
        func = node.func  # type: ignore[attr-defined]
        if type(func) is ast.Attribute:
            if func.attr == "query" or func.attr in STATEMENTS:
                return True
            node = func.value
        elif type(func) is ast.Name:
            return func.id in STATEMENTS
        else:
            return False
    return False


def summarise(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    resolve: Resolve,
    owner: Optional[str] = None,
    evidence: Optional[dict[str, dict[str, int]]] = None,
    builders: Optional[dict[str, str]] = None,
) -> Optional[dict[str, Any]]:
    """The summary of one function (``None`` when it says nothing); ``owner`` is the class of a method
    (``select(cls)`` is a query on it). Scoping evidence met on the way is added to ``evidence``."""
    if mentions("import"):
        resolve = _with_local_imports(fn, resolve)

    def model_name(node: ast.AST) -> Optional[str]:
        model = _model_expr(node)
        if model is None:
            return None
        if owner is not None and isinstance(model, ast.Name) and model.id in ("cls", "self"):
            return resolve(ast.Name(id=owner, ctx=ast.Load()))
        if isinstance(model, ast.Name) and model.id in plain:
            return MODEL_PARAM + model.id  # ``db.get(model, key)``: the model the caller hands in
        return resolve(model)

    def count(base: ast.AST, column: str) -> None:
        if evidence is None or not column.endswith("_id"):
            return
        last = base.attr if isinstance(base, ast.Attribute) else (base.id if isinstance(base, ast.Name) else "")
        if not last[:1].isupper():
            return  # ``row.user_id``: a value's attribute, not a model's column
        model = resolve(base)
        if model:
            per = evidence.setdefault(model, {})
            per[column] = per.get(column, 0) + 1

    args = fn.args
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    plain = set(params) - {"self", "cls"}
    if not plain:
        if evidence is not None and mentions("_id"):
            _count_evidence(own_nodes(fn)[0], count, model_name)
        return None  # (nothing to summarise but the ``*_id`` columns to count)
    fetches: list[dict[str, Any]] = []
    statement_models: list[tuple[str, int]] = []
    selected: set[str] = set()  # models of ``select(M)`` / ``<x>.query(M)`` statements (``lists``)
    pred_keys: set[str] = set()
    preds: set[str] = set()
    compared: set[str] = set()
    calls: list[dict[str, Any]] = []
    returns = False
    return_values: list[Optional[ast.expr]] = []  # (``echoes``)
    held = False  # a predicate compares with a value the object holds (``Message.client_id == self.client.id``)
    filters: dict[str, set[tuple[str, str]]] = {}  # parameter -> (model, column) it is compared with in a predicate
    model_cols: dict[str, set[str]] = {}  # model -> its columns named in predicates ("": a column of no known model)
    filter_loads: dict[str, int] = {}  # parameter -> its loads compared with a model's column in a predicate
    bound: set[str] = set()  # columns a predicate compares with a value that is not a parameter (``user.id``)
    in_preds: set[int] = set()  # the comparisons inside predicates
    pred_args: list[ast.AST] = []  # the arguments of predicate methods (``loose_predicate_columns``)
    pred_kwargs: list[ast.AST] = []  # the keyword values of predicate methods (``key_attrs``)
    together: set[tuple[str, tuple[str, ...]]] = set()  # a model's columns one predicate call names (``together``)
    row_compared: set[str] = set()  # attributes compared outside predicates (``row.user_id != user_id``)
    keyed: set[str] = set()  # parameters a predicate reads otherwise (``.get(M, p)``, inside a call, ...)
    instances = _instances(fn, resolve) if plain else {}
    copies = _param_copies(fn, plain)  # ``message_id = message.id``: a local that only copies a parameter
    # ``for group_id in group_ids``: an element of a parameter (the loop is met before the calls in its body)
    loop_copies: dict[str, str] = {}
    keyish = plain | set(copies) if copies else plain
    loaded: set[str] = set()
    store_reads: dict[str, int] = {}  # parameter -> loads that only keep it on the object (``self.user = user``)
    load_counts: dict[str, int] = {}
    reads: dict[str, int] = {}  # parameter -> its loads
    handed: dict[str, int] = {}  # parameter -> its loads that only hand it on or write it down (``_idle``)
    traits: dict[str, int] = {}  # parameter -> its loads that only test one of its traits (``_trait_tests``)
    own = own_nodes(fn)[0]  # (shared with the validation extractor)
    # a lookup that is only the test of an ``if`` that raises (``if db.query(cls).filter_by(name=name).first():
    # raise AlreadyExists``) refuses a request: it hands no row on, it is no fetch
    refused: set[int] = set()
    for node in _own_kinds(fn)[ast.If]:
        if node.body and type(node.body[-1]) is ast.Raise:  # type: ignore[attr-defined]
            kept = _bound_when_found(node.test)  # type: ignore[attr-defined]
            refused.update(id(n) for n in walk(node.test) if id(n) not in kept)  # type: ignore[attr-defined]
    probes = _refused_when_found(fn, own)
    checked: set[str] = set()
    provenance: Optional[dict[str, set[str]]] = None  # (``_local_provenance``, computed at the first check met)
    tested: Optional[set[int]] = None  # (``tested_calls``, computed at the first call handed a parameter)
    owner_compared: Optional[set[int]] = None  # (``compared_calls``, likewise)
    returned_attrs: list[Optional[str]] = []  # per ``return``: the attribute of a local it returns (``returns_attr``)
    for node in own:
        t = type(node)
        if t not in _SUMMARISED:
            continue  # (a node kind no branch below reads: most of them)
        if t is ast.If and plain:
            checked |= _permission_exit(node, plain) | _permission_gate(node, plain)  # type: ignore[arg-type]
        if t is ast.Name:
            if type(node.ctx) is not ast.Store:  # type: ignore[attr-defined]
                loaded.add(node.id)  # type: ignore[attr-defined]
                if node.id in plain:  # type: ignore[attr-defined]
                    reads[node.id] = reads.get(node.id, 0) + 1  # type: ignore[attr-defined]
            continue
        if t in _SKIP:
            continue
        if t in _DATA_PARENTS and plain:
            _hand(node, t, plain, handed)
            if t is ast.If or t is ast.While or t is ast.IfExp:
                _trait_tests(node.test, plain, traits, True)  # type: ignore[attr-defined]
        if t is ast.For and type(node.target) is ast.Name and type(node.iter) is ast.Name and node.iter.id in plain:  # type: ignore[attr-defined]
            if node.target.id not in plain:  # type: ignore[attr-defined]
                loop_copies[node.target.id] = node.iter.id  # type: ignore[attr-defined]
            continue
        if t is ast.Assign and type(node.value) is ast.Name and node.value.id in plain and all(  # type: ignore[attr-defined]
            type(x) is ast.Attribute and type(x.value) is ast.Name and x.value.id == "self" for x in node.targets  # type: ignore[attr-defined]
        ):
            store_reads[node.value.id] = store_reads.get(node.value.id, 0) + 1  # type: ignore[attr-defined]
        if t is ast.Attribute and node.attr == "query" and type(node.value) is ast.Name and id(node) not in refused:  # type: ignore[attr-defined]
            # Flask-SQLAlchemy's ``Item.query`` / ``cls.query`` in an active-record mixin: a query on the model
            mq = model_name(node.value)  # type: ignore[attr-defined]
            if mq and mq.rsplit(".", 1)[-1][:1].isupper():
                statement_models.append((mq, node.lineno))  # type: ignore[attr-defined]
        if t is ast.Return:
            value = node.value  # type: ignore[attr-defined]
            return_values.append(value)
            if value is not None and not (type(value) is ast.Constant and value.value is None):
                returns = True
                returned_attrs.append(_local_attribute(value))
        elif t is ast.Compare:
            for side in [node.left] + node.comparators:  # type: ignore[attr-defined]
                while type(side) is ast.Call and type(side.func) is ast.Name and side.func.id in UNWRAP and side.args:
                    side = side.args[0]
                if type(side) is ast.Attribute:
                    compared.add(side.attr)
                    count(side.value, side.attr)
                    if id(node) not in in_preds:
                        row_compared.add(side.attr)
        elif t is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            ft = type(func)
            if ft is ast.Attribute:
                last = func.attr
                if (
                    builders and type(func.value) is ast.Name and func.value.id == "self" and not node.args  # type: ignore[attr-defined]
                    and f"self.{last}" in builders and id(node) not in refused
                ):
                    # ``self._base_query().filter(M.id == key)``: a method of the class returning ``query(M)``
                    statement_models.append((builders[f"self.{last}"], node.lineno))  # type: ignore[attr-defined]
                    selected.add(builders[f"self.{last}"])
                if last in PRED_METHODS:
                    in_preds.update(id(n) for a in node.args for n in walk(a) if type(n) is ast.Compare)  # type: ignore[attr-defined]
                    for a in node.args:  # type: ignore[attr-defined]
                        pred_keys |= _names(a) & keyish
                        preds |= _attr_names(a)
                        pred_args.append(a)
                        _model_columns(a, resolve, model_cols)
                        held = held or _held_value(a)
                        if last != "get":
                            keyed |= _column_filters(a, keyish, resolve, filters, bound, filter_loads)
                        else:
                            keyed |= _names(a) & keyish
                    if node.args:  # type: ignore[attr-defined]
                        per_call: dict[str, set[str]] = {}
                        for a in node.args:  # type: ignore[attr-defined]
                            _model_columns(a, resolve, per_call)
                        together |= {(m, tuple(sorted(c))) for m, c in per_call.items() if len(c) > 1}
                    if last in _CHAINED_PREDICATES and type(func.value) is ast.Call:
                        # (a chain of predicate calls on one statement names its columns together too:
                        # ``.where(A.user_id == uid).where(A.is_default == True)``, ``filter_by(..).filter_by(..)``)
                        chained = _chain_columns(node, resolve, model_name)
                        together |= {(m, tuple(sorted(c))) for m, c in chained.items() if len(c) > 1}
                    if last == "get" and node.args and (_statement_expr(func.value) or _query_property(func.value)):  # type: ignore[attr-defined]
                        # ``session.query(M).get(key)`` (legacy ``Query.get``): a lookup by the primary key, as
                        # ``session.get(M, key)``, not a listing of rows filtered on plain columns
                        preds.add("id")
                    filter_base: Optional[str] = None
                    if last == "filter_by":
                        base = func.value
                        while type(base) is ast.Call and type(base.func) is ast.Attribute and base.func.attr not in ("query", "select"):
                            base = base.func.value
                        if type(base) is ast.Call and base.args and isinstance(base.args[0], (ast.Name, ast.Attribute)):
                            filter_base = model_name(base.args[0])
                            for k in node.keywords:  # type: ignore[attr-defined]
                                if k.arg:
                                    count(base.args[0], k.arg)
                            named = sorted({k.arg for k in node.keywords if k.arg})  # type: ignore[attr-defined]
                            if filter_base and len(named) > 1:
                                together.add((filter_base, tuple(named)))  # (``filter_by(user_id=..., is_default=True)``)
                        elif _query_property(base):
                            # (the scoping evidence only: what the summary reads of the statement is unchanged)
                            for k in node.keywords:  # type: ignore[attr-defined]
                                if k.arg:
                                    count(base.value, k.arg)  # type: ignore[attr-defined]
                    for k in node.keywords:  # type: ignore[attr-defined]
                        pred_keys |= _names(k.value) & keyish
                        pred_kwargs.append(k.value)
                        if k.arg:
                            preds.add(k.arg)
                            model_cols.setdefault(filter_base or "", set()).add(k.arg)
                        if k.arg and filter_base and type(k.value) is ast.Name and k.value.id in keyish:
                            filters.setdefault(k.value.id, set()).add((filter_base, k.arg))
                        else:
                            keyed |= _names(k.value) & keyish
                            if k.arg:
                                bound.add(k.arg)
                if id(node) in refused:
                    pass
                elif last in GET_METHODS and node.args and (len(node.args) >= 2 or _ident(node)):  # type: ignore[attr-defined]
                    # ``session.get(Item, key)``, also ``session.get(model, ident=key)``
                    key_args = [*node.args[1:], *(k.value for k in node.keywords if k.arg == "ident")]  # type: ignore[attr-defined]
                    keys = _back(set().union(*(_names(a) for a in key_args)) & keyish, copies)
                    if keys:
                        q = model_name(node.args[0])  # type: ignore[attr-defined]
                        if q and (q.rsplit(".", 1)[-1][:1].isupper() or q.startswith(MODEL_PARAM)):
                            fetches.append({"model": q, "keys": sorted(keys), "line": node.lineno, **({"probe": True} if node.lineno in probes else {})})  # type: ignore[attr-defined]
                elif last == "query" and node.args:  # type: ignore[attr-defined]
                    q = model_name(node.args[0])  # type: ignore[attr-defined]
                    if q:
                        statement_models.append((q, node.lineno))  # type: ignore[attr-defined]
                        selected.add(q)
            elif ft is ast.Name:
                last = func.id
                if builders and last in builders and id(node) not in refused:
                    # ``_task_query().where(Task.id == task_id)``: a module function returning ``select(Task)``
                    statement_models.append((builders[last], node.lineno))  # type: ignore[attr-defined]
                    selected.add(builders[last])
            else:
                continue
            if last not in PRED_METHODS and node.args and any(_statement_expr(a) for a in node.args):  # type: ignore[attr-defined]
                # ``filter_by_tenant(self.db.query(Job), Job, self.organization_id)``: a statement handed to a
                # helper with the values it scopes it by (an identity among them scopes the lookups)
                for a in (*node.args, *(k.value for k in node.keywords)):  # type: ignore[attr-defined]
                    if not _statement_expr(a):
                        preds |= _attr_names(a) | _names(a)
            if last in STATEMENTS and node.args and id(node) not in refused:  # type: ignore[attr-defined]
                q = resolve(func)
                if q and q.split(".")[0] in STATEMENT_MODULES:
                    mq = model_name(node.args[0])  # type: ignore[attr-defined]
                    if mq:
                        statement_models.append((mq, node.lineno))  # type: ignore[attr-defined]
                        if last == "select":
                            selected.add(mq)
            if last == "select_from" and ft is ast.Attribute and node.args and id(node) not in refused:  # type: ignore[attr-defined]
                # ``select(func.count()).select_from(Item)``: the statement reads the table ``select_from`` names
                # when its ``select(...)`` names none (``select(func.count(Item.id))`` is read above)
                base = func.value  # type: ignore[union-attr]
                while type(base) is ast.Call and type(base.func) is ast.Attribute:  # type: ignore[attr-defined]
                    base = base.func.value  # type: ignore[attr-defined]
                if type(base) is ast.Call and type(base.func) is ast.Name and base.func.id == "select":  # type: ignore[attr-defined]
                    q = resolve(base.func)  # type: ignore[attr-defined]
                    if q and q.split(".")[0] in STATEMENT_MODULES and not any(model_name(a) for a in base.args):  # type: ignore[attr-defined]
                        mq = model_name(node.args[0])  # type: ignore[attr-defined]
                        if mq and mq.rsplit(".", 1)[-1][:1].isupper():
                            # (a lookup of the table's rows by its predicates, not a listing of them: a count of
                            # every row served to anyone says nothing of whose rows they are, ``public_models``)
                            statement_models.append((mq, node.lineno))  # type: ignore[attr-defined]
            if not plain:
                continue
            passed: list[list[Any]] = []
            for i, a in enumerate(node.args):  # type: ignore[attr-defined]
                if type(a) is ast.Name and a.id in plain:
                    passed.append([i, a.id])
                elif type(a) is ast.Name and a.id in loop_copies:
                    passed.append([i, loop_copies[a.id]])  # ``for group_id in group_ids: add(group_id)``
            for k in node.keywords:  # type: ignore[attr-defined]
                if k.arg and type(k.value) is ast.Name and k.value.id in plain:
                    passed.append([k.arg, k.value.id])
                elif k.arg and type(k.value) is ast.Name and k.value.id in loop_copies:
                    passed.append([k.arg, loop_copies[k.value.id]])
            # ``replace_rows(session, msg.project_id, current_user.id)``: an id read off a parameter (a body
            # model's key, the caller's id) and handed on
            attr_passed = [
                [where, a.value.id]
                for where, a in [*enumerate(node.args), *((k.arg, k.value) for k in node.keywords if k.arg)]  # type: ignore[attr-defined]
                if _id_of_param(a, plain)
            ]
            if passed or attr_passed:
                # classes handed along (``must_exist(db, Note, note_id)``): a generic getter's model
                models = [
                    [i, q]
                    for i, a in enumerate(node.args)  # type: ignore[attr-defined]
                    if type(a) in (ast.Name, ast.Attribute) and (q := resolve(a)) and q.rsplit(".", 1)[-1][:1].isupper()
                ] + [
                    [k.arg, q]
                    for k in node.keywords  # type: ignore[attr-defined]
                    if k.arg and type(k.value) in (ast.Name, ast.Attribute) and (q := resolve(k.value)) and q.rsplit(".", 1)[-1][:1].isupper()
                ]
                entered: Optional[str] = None
                if ft is ast.Attribute and type(func.value) is ast.Name and func.value.id in ("self", "cls"):
                    target: Optional[str] = f"self.{func.attr}"
                elif ft is ast.Attribute and type(func.value) is ast.Name and instances.get(func.value.id, "").endswith("()"):
                    # ``async with NoteService() as service: service.find(key)``: recorded as written, with what the
                    # class's enter method gives (``knowledge.context_managers.entered_flow`` reads it)
                    target, entered = resolve(func), f"{instances[func.value.id]}.{func.attr}"
                elif ft is ast.Attribute and type(func.value) is ast.Name and func.value.id in instances:
                    target = f"{instances[func.value.id]}.{func.attr}"  # ``repo = ItemRepository(db); repo.get(key)``
                elif (
                    ft is ast.Attribute and type(func.value) is ast.Call and isinstance(func.value.func, (ast.Name, ast.Attribute))
                    and (func.value.func.attr if type(func.value.func) is ast.Attribute else func.value.func.id)[:1].isupper()
                ):
                    # ``JournalService(self.session)._get_owned_journal(journal_id, user_id)``: a method of an
                    # object built on the spot
                    built = resolve(func.value.func)
                    target = f"{built}.{func.attr}" if built else None
                else:
                    target = resolve(func)
                rows: list[list[Any]] = []
                whole = False
                if target and _check_name(func):
                    # ``check_user_in_org(user=current_user, organisation=organisation)``: the locals handed to a
                    # check, with the parameters they were made from (``organisation = get(db, Org, org_id)``)
                    if provenance is None:
                        provenance = _local_provenance(fn, plain)
                    rows, loose = _check_rows(node, plain, provenance)
                    whole = not loose
                    if loose:
                        rows = []
                if target:
                    if tested is None:
                        tested = tested_calls(fn)
                    opaque = bool(models) and _opaque_arguments(node, plain)
                    if owner_compared is None:
                        owner_compared = compared_calls(fn, plain)
                    calls.append({
                        "target": target, "args": passed, **({"models": models} if models else {}),
                        **({"opaque": True} if opaque else {}),
                        **({"tested": True} if id(node) in tested else {}),
                        **({"compared": True} if id(node) in owner_compared else {}),
                        **({"attr_args": attr_passed} if attr_passed else {}),
                        **({"rows": rows} if rows else {}), **({"whole": True} if whole else {}),
                        **({"entered": entered} if entered else {}),
                    })
    if not plain:
        return None
    if statement_models and mentions("count"):
        # a count only tested (``in_use = query(M).filter(M.policy_id == policy_id).count()``, ``if in_use > 0:
        # raise``): a yes or no, no lookup of a row (``tested_calls``)
        if tested is None:
            tested = tested_calls(fn)
        if tested:
            lines = {
                n.lineno for c in walk_kinds(fn).get(ast.Call, ()) if id(c) in tested
                and type(c.func) is ast.Attribute and c.func.attr == "count" for n in walk(c.func.value) if hasattr(n, "lineno")
            }
            statement_models = [(m, line) for m, line in statement_models if line not in lines]
    if copies:
        pred_keys, keyed = _back(pred_keys, copies), _back(keyed, copies)
        merged: dict[str, set[tuple[str, str]]] = {}
        for name, cols in filters.items():
            for p in _back({name}, copies):
                merged.setdefault(p, set()).update(cols)
        filters = merged
    if pred_keys:
        # a parameter a predicate only compares with columns of other models (``inviter_id`` with ``User.id``)
        # is no key of this statement's lookup (``Workspace`` by ``resource_id``): per model, when no join or
        # subquery can carry one statement's predicate onto another model
        narrow = len({m for m, _ in statement_models}) > 1 and not _joins(own)
        # (and the predicate names of other models' columns do not scope it: ``"preds"`` per fetch)
        loose = preds - set().union(*(cols for m, cols in model_cols.items() if m)) if narrow else set()
        for model, line in statement_models:
            fetch: dict[str, Any] = {"model": model, "keys": sorted(pred_keys), "line": line}
            if line in probes:
                fetch["probe"] = True
            if narrow:
                # (``keys`` stay the function's, as the readers of a route's family-1 keys expect; the claim of a
                # route's key reaching this lookup reads ``own_keys``)
                own_keys = {p for p in pred_keys if p in keyed or p not in filters or any(m == model for m, _ in filters[p])}
                fetch.update(own_keys=sorted(own_keys), preds=sorted(loose | model_cols.get(model, set())), compared=sorted(row_compared))
            fetches.append(fetch)
    for f in fetches:
        if f["model"].startswith(MODEL_PARAM):
            # a generic getter: the model is the parameter's (``model_param``), the caller's class
            f["model_param"] = f["model"][len(MODEL_PARAM):]
            f["model"] = ""
    # a function that selects rows and has no predicate at all lists every row of the model (``lists``)
    lists = sorted(selected) if selected and not preds and not pred_keys and not fetches else []
    same = _same_owner_guards(fn, plain) if owner is not None else []
    pairs = _pair_guards(fn, plain)
    if not fetches and not calls and not lists and not same and not pairs and not any(
        TRAIT_READ + p in traits and reads.get(p, 0) == handed.get(p, 0) + n for p, n in traits.items()
    ):
        return None  # (a function that only tests a trait of a parameter is summarised: ``traits_only``)
    out: dict[str, Any] = {"params": params}
    if same:
        out["same_owner"] = same
    if pairs:
        out["pair_guard"] = pairs
    if lists:
        out["lists"] = lists
    elif selected:
        out["selects"] = sorted(selected)
    if checked:
        out["checked"] = sorted(checked)
    if fetches:
        out["fetches"] = fetches
    if preds:
        out["preds"] = sorted(preds)
        optional = _optional_preds(fn)
        if optional:
            out["optional_preds"] = optional
        asked = _optional_preds(fn, _asked_defaults(fn))
        if asked:
            out["asked_preds"] = asked
    if compared:
        out["compared"] = sorted(compared)
    if calls:
        out["calls"] = calls
    if returns:
        out["returns"] = True
        if len(set(returned_attrs)) == 1 and returned_attrs[0] is not None:
            out["returns_attr"] = returned_attrs[0]
        echoed = _echoed_param(fn, return_values, plain) if len(plain) == 1 else None
        if echoed is not None:
            out["echoes"] = echoed
    if held:
        out["held_preds"] = True
    if preds and pred_args:
        joined, searched = loose_predicate_columns(pred_args)
        if joined:
            out["joined"] = sorted(joined)
        if searched:
            out["searched"] = sorted(searched)
    if (fetches or calls) and verdict_function(fn):
        out["verdict"] = True
    elif fetches and _changes(fn):
        out["writes"] = True
    if together:
        out["together"] = [[m, list(c)] for m, c in sorted(together)]
    if pred_keys:
        key_attrs = _key_attributes(pred_args + pred_kwargs, pred_keys - set().union(*copies.values()) if copies else pred_keys, resolve)
        if key_attrs:
            out["key_attrs"] = key_attrs
    if pred_keys:
        loose = _loose_keys(pred_args, pred_keys)
        if loose:
            out["loose_keys"] = loose
    only_filters = {p: sorted(f"{m}:{c}" for m, c in filters[p]) for p in sorted(pred_keys) if p in filters and p not in keyed}
    if only_filters:
        out["filters"] = only_filters
        if bound:
            out["bound"] = sorted(bound)
        if compared - row_compared:
            out["pred_compared"] = sorted(compared - row_compared)
    unused = sorted(plain - loaded)
    if unused:
        out["unused"] = unused
    if store_reads:  # (a second look, only for a function that keeps a parameter on ``self``)
        for node in own_nodes(fn)[0]:
            if type(node) is ast.Name and node.id in store_reads and type(node.ctx) is not ast.Store:  # type: ignore[attr-defined]
                load_counts[node.id] = load_counts.get(node.id, 0) + 1  # type: ignore[attr-defined]
    kept = sorted(p for p, n in store_reads.items() if load_counts.get(p) == n)
    if kept:
        out["kept"] = kept
    keyed_params = set().union(*(f["keys"] for f in fetches)) if fetches else set()
    idle = sorted(p for p, n in reads.items() if handed.get(p) == n and p not in keyed_params)
    if idle:
        out["idle"] = idle
    # ``user``: besides what ``idle`` counts, only one of its traits tested (``if user and user.is_premium:``):
    # the plan it is on picks a model or a limit; no column of its names whose rows (``principal_passes_through``)
    trait_only = sorted(
        p for p, n in traits.items()
        if TRAIT_READ + p in traits and p not in keyed_params and p not in idle and reads.get(p, 0) == handed.get(p, 0) + n
    )
    if trait_only:
        out["traits_only"] = trait_only
    # ``inviter_id``: only handed on, written down, and the one key of lookups of its own (``User.id ==
    # inviter_id``, the caller's own row for its name): per-lookup keys only (``"preds"`` in the fetches)
    alone = {f["own_keys"][0] for f in fetches if len(f.get("own_keys", ())) == 1}
    own_lookups = sorted(
        p for p in alone
        if p not in keyed and all(p not in f.get("own_keys", f["keys"]) or len(f.get("own_keys", f["keys"])) == 1 for f in fetches)
        and reads.get(p, 0) == handed.get(p, 0) + filter_loads.get(p, 0)
    )
    if own_lookups:
        out["own_lookups"] = own_lookups
    # ``company_id``: only compared with models' columns in predicates, handed on or written down (no test, no
    # comparison with a row, no lookup keyed on it otherwise): which lookups it scopes is read per lookup
    # (``fetches``' keys) by the reader of a client key handed beside it (``principal_passes_through``)
    scopes = sorted(
        p for p in filters
        if p in plain and p not in keyed and p not in own_lookups and filter_loads.get(p, 0)
        and reads.get(p, 0) == handed.get(p, 0) + filter_loads.get(p, 0)
    )
    if scopes:
        out["scopes_only"] = scopes
    if fetches:
        recorded = sorted(p for p in plain - set(idle) - keyed_params if p in reads and _recorded_only(fn, p, plain))
        if recorded:
            out["recorded"] = recorded
    if calls and mentions_lowered("admin", "superuser"):
        guards = _admin_guards(fn, resolve)
        if guards:
            out["admin_guards"] = guards
    return out


def _none_defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = fn.args
    positional = args.posonlyargs + args.args
    out = {
        a.arg for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)
        if type(d) is ast.Constant and d.value is None  # type: ignore[attr-defined]
    }
    out |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if type(d) is ast.Constant and d.value is None}  # type: ignore[attr-defined]
    return out


def _asked_defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters a request handler declares as optional client values (``company_id: Optional[int] =
    Query(None)``, ``Query(default=None, ...)``): absent unless the client sends them."""
    args = fn.args
    positional = args.posonlyargs + args.args
    pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults), *zip(args.kwonlyargs, args.kw_defaults)]
    out: set[str] = set()
    for a, d in pairs:
        if type(d) is not ast.Call or (ast_dotted(d.func) or "").rsplit(".", 1)[-1] != "Query":  # type: ignore[attr-defined]
            continue
        given = [k.value for k in d.keywords if k.arg == "default"] or d.args[:1]  # type: ignore[attr-defined]
        if given and type(given[0]) is ast.Constant and given[0].value is None:  # type: ignore[attr-defined]
            out.add(a.arg)
    return out


def _optional_preds(fn: ast.FunctionDef | ast.AsyncFunctionDef, optional: Optional[set[str]] = None) -> list[list[Any]]:
    """``[[param, [columns]]]``: predicate columns the function adds only under ``if param:`` (or ``if param is
    not None:``) for a parameter whose default is ``None`` (``if school_id: query = query.filter(User.school_id ==
    school_id)``), and nowhere else: a caller that leaves the parameter out gets the lookup without them
    (``knowledge.queries.fetches`` drops them from the summary for that call). ``optional`` names other
    parameters to read so (``asked_preds``: a handler's ``Query(None)`` parameters, the client's filters)."""
    if optional is None:
        optional = _none_defaults(fn)
    if not optional:
        return []

    def columns(nodes: list[ast.stmt]) -> tuple[set[str], set[int]]:
        found: set[str] = set()
        seen: set[int] = set()
        for stmt in nodes:
            for n in walk(stmt):
                seen.add(id(n))
                if type(n) is ast.Call and type(n.func) is ast.Attribute and n.func.attr in PRED_METHODS:  # type: ignore[attr-defined]
                    for a in n.args:  # type: ignore[attr-defined]
                        found |= _attr_names(a)
                    found |= {k.arg for k in n.keywords if k.arg}  # type: ignore[attr-defined]
        return found, seen

    guarded: dict[str, set[str]] = {}
    inside: set[int] = set()
    for node in walk_kinds(fn).get(ast.If, ()):
        test = node.test  # type: ignore[attr-defined]
        if (
            type(test) is ast.Compare and len(test.ops) == 1 and type(test.ops[0]) is ast.IsNot  # type: ignore[attr-defined]
            and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None  # type: ignore[attr-defined]
        ):
            test = test.left  # type: ignore[attr-defined]
        if type(test) is not ast.Name or test.id not in optional or node.orelse:  # type: ignore[attr-defined]
            continue
        found, seen = columns(node.body)  # type: ignore[attr-defined]
        inside |= seen
        if found:
            guarded.setdefault(test.id, set()).update(found)  # type: ignore[attr-defined]
    if not guarded:
        return []
    elsewhere: set[str] = set()  # (used, or compared, outside those ``if`` bodies)
    for n in walk_function(fn):
        if id(n) in inside:
            continue
        if type(n) is ast.Call and type(n.func) is ast.Attribute and n.func.attr in PRED_METHODS:  # type: ignore[attr-defined]
            for a in n.args:  # type: ignore[attr-defined]
                elsewhere |= _attr_names(a)
            elsewhere |= {k.arg for k in n.keywords if k.arg}  # type: ignore[attr-defined]
        elif type(n) is ast.Compare:
            elsewhere |= _attr_names(n)
    return [[p, sorted(cols - elsewhere)] for p, cols in sorted(guarded.items()) if cols - elsewhere]


def _echoed_param(fn: ast.FunctionDef | ast.AsyncFunctionDef, values: list[Optional[ast.expr]], plain: set[str]) -> Optional[str]:
    """The one parameter every ``return`` of the function gives back as it is or converted (``str`` / ``int`` /
    ``UUID`` of it, either side of a conditional: ``return value if isinstance(value, UUID) else UUID(value)``),
    in a body of nothing but ``if`` tests and those returns: the function only changes the type of what it is
    handed, so its result is that value (``echoes``). A function that does something else first (fills in the
    object it is handed and returns it) is no conversion."""
    todo_stmts: list[Any] = list(fn.body)
    while todo_stmts:
        stmt = todo_stmts.pop()
        t = type(stmt)
        if t is ast.If:
            todo_stmts.extend(stmt.body)
            todo_stmts.extend(stmt.orelse)
        elif not (t is ast.Return or t is ast.Pass or (t is ast.Expr and type(stmt.value) is ast.Constant)):
            return None
    found: set[str] = set()
    todo: list[Any] = list(values)
    while todo:
        value = todo.pop()
        t = type(value)
        if t is ast.IfExp:
            todo.extend((value.body, value.orelse))
        elif t is ast.Call and not value.keywords and len(value.args) == 1 and (
            (type(value.func) is ast.Name and value.func.id in UNWRAP)
            or (type(value.func) is ast.Attribute and value.func.attr in UNWRAP)
        ):
            todo.append(value.args[0])
        elif t is ast.Name and value.id in plain:
            found.add(value.id)
        else:
            return None  # (nothing, another value, or a value computed otherwise)
        if len(found) > 1:
            return None
    return found.pop() if found else None


_EXITS = (ast.Raise, ast.Return)
# words of a method or function that decides whether who asks may use a row (also read by ``knowledge.queries``
# for a Flask view's permission helpers, which read the global caller themselves)
PERMISSION_WORDS = ("allowed", "permission", "access", "can_", "authoriz", "authoris", "owner", "member")


_WRITES = frozenset({"add", "add_all", "delete", "commit", "flush", "merge", "remove", "unlink", "rmtree", "rename", "write_text", "write_bytes", "bulk_save_objects"})
_VERDICT_CALL = re.compile(r"^_*(is|has|can|check|allow|may|permit)")


def _answers_only(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Every ``return`` of the method hands back nothing or a verdict (a comparison, ``not``, a boolean
    operation or constant, a call named like a verdict: ``self._has_permission(...)``): a check, not a getter
    or a writer that also refuses (``create(subject, ...)`` returning the new row, ``delete_file(workspace_id,
    path)`` removing what it checked)."""
    for node in walk_function(fn):
        if type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr in _WRITES:  # type: ignore[attr-defined]
            return False
        if type(node) is not ast.Return or node.value is None:
            continue
        value = node.value
        t = type(value)
        if t is ast.Constant and value.value in (None, True, False):
            continue
        if t in (ast.Compare, ast.BoolOp) or (t is ast.UnaryOp and type(value.op) is ast.Not):
            continue
        if t is ast.Call:
            func = value.func
            name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")
            if _VERDICT_CALL.match(name) or name in ("any", "all", "bool"):
                continue
        return False
    return True


def _present_test(test: Any) -> Optional[tuple[str, bool]]:
    """``(name, present)`` for a test that only asks whether a local holds a row or a count: ``x``, ``not x``,
    ``x is None``, ``x is not None``, ``x > 0``, ``x == 0``; ``present`` when the test holds as the row exists."""
    negated = False
    while type(test) is ast.UnaryOp and type(test.op) is ast.Not:
        test, negated = test.operand, not negated
    if type(test) is ast.Name:
        return test.id, not negated
    if type(test) is ast.Compare and len(test.ops) == 1 and type(test.left) is ast.Name:
        op, right = test.ops[0], test.comparators[0]
        if type(right) is ast.Constant and right.value is None and type(op) in (ast.Is, ast.IsNot):
            return test.left.id, (type(op) is ast.IsNot) != negated
        if type(right) is ast.Constant and type(right.value) is int and not isinstance(right.value, bool):
            if type(op) in (ast.Gt, ast.GtE, ast.NotEq, ast.Eq, ast.Lt, ast.LtE):
                present = type(op) in (ast.Gt, ast.NotEq) or (type(op) is ast.GtE and right.value >= 1)
                return test.left.id, present != negated
    return None


def _local_attribute(value: ast.expr) -> Optional[str]:
    """``row.user_id`` / ``int(row.user_id)`` with ``row`` a plain name: the attribute read, else ``None``."""
    while type(value) is ast.Call and type(value.func) is ast.Name and value.func.id in UNWRAP and len(value.args) == 1:  # type: ignore[attr-defined]
        value = value.args[0]  # type: ignore[attr-defined]
    if type(value) is ast.Attribute and type(value.value) is ast.Name and value.value.id not in ("self", "cls"):  # type: ignore[attr-defined]
        return value.attr  # type: ignore[attr-defined]
    return None


def compared_calls(fn: ast.FunctionDef | ast.AsyncFunctionDef, plain: set[str]) -> set[int]:
    """The calls whose result, bound once to a local, the function compares with one of its parameters in the
    test of an ``if`` that refuses (``owner = repo.owner_of(edit_id)``, ``if int(user_id) != int(owner): raise
    Forbidden``): when the callee returns its row's owner column (``returns_attr``), the function decides access
    on it (``queries.summaries``)."""
    binds: dict[str, list[Any]] = {}
    kinds = walk_kinds(fn)
    for node in kinds.get(ast.Assign, ()):
        if len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
            value = node.value.value if type(node.value) is ast.Await else node.value
            if type(value) is ast.Call:
                binds.setdefault(node.targets[0].id, []).append(value)
    if not binds:
        return set()
    out: set[int] = set()
    for node in kinds.get(ast.If, ()):
        last = node.body[-1] if node.body else None
        if last is None or not exit_statement(last) or (type(last) is ast.Return and not _refusal_value(last.value)):
            continue
        for cmp in walk(node.test):
            if type(cmp) is not ast.Compare or len(cmp.comparators) != 1 or type(cmp.ops[0]) not in (ast.Eq, ast.NotEq):
                continue
            sides = [cmp.left, cmp.comparators[0]]
            for i, side in enumerate(sides):
                while type(side) is ast.Call and type(side.func) is ast.Name and side.func.id in UNWRAP and len(side.args) == 1:
                    side = side.args[0]
                sides[i] = side
            names = [x.id if type(x) is ast.Name else None for x in sides]
            for a, b in ((0, 1), (1, 0)):
                if names[a] in binds and len(binds[names[a]]) == 1 and names[b] in plain:
                    out.add(id(binds[names[a]][0]))  # type: ignore[index]
    return out


def _refusal_value(value: Optional[ast.expr]) -> bool:
    """A returned refusal: a tuple ending in a 4xx status (``return {"error": ...}, 403``)."""
    if type(value) is ast.Tuple and value.elts and type(value.elts[-1]) is ast.Constant:
        status = value.elts[-1].value
        return type(status) is int and 400 <= status < 500
    return False


_REBINDS = (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr)


def tested_calls(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """The calls whose result (a row or a count, bound to a local) the function only tests for presence
    (``doctor = self._get_doctor_by_id(key)`` read only as ``if not doctor: errors.append(...)``; ``temp =
    Tokens.query.filter_by(value=v).first()`` read only by ``while temp is not None``): the lookup answers yes
    or no, the row is never returned, read, changed or handed on. When the function writes (``add``,
    ``commit``, ``delete``, ...), only tests that refuse or retry while the row exists count (a uniqueness
    check, a collision retry): a write after ``if not parent: raise`` attaches something to the row's key."""
    binds: dict[str, list[Any]] = {}
    other: set[str] = set()
    kinds = walk_kinds(fn)  # (each kind in the walk's order; what follows reads no order across kinds)
    for node in kinds.get(ast.Assign, ()):
        if len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
            value = node.value.value if type(node.value) is ast.Await else node.value
            name = node.targets[0].id
            if type(value) is ast.Call:
                binds.setdefault(name, []).append(value)
            elif not (type(value) is ast.Constant and value.value in (None, True, False)):
                other.add(name)
    if not binds:
        return set()
    for kind in _REBINDS:
        for node in kinds.get(kind, ()):
            other |= {n.id for n in walk(node) if type(n) is ast.Name and type(n.ctx) is ast.Store}
    names = {n for n, calls in binds.items() if len(calls) == 1 and n not in other}
    if not names:
        return set()
    tests: dict[str, list[tuple[Any, bool]]] = {}
    tested_loads: set[int] = set()
    counts = {n for n in names if type(binds[n][0].func) is ast.Attribute and binds[n][0].func.attr == "count"}
    for kind in (ast.If, ast.While):
        for node in kinds.get(kind, ()):
            found = _present_test(node.test)
            if found is not None and found[0] in names:
                tests.setdefault(found[0], []).append((node, found[1]))
                tested_loads.update(id(n) for n in walk(node.test) if type(n) is ast.Name)
    if not tests:
        return set()  # (a name no test reads is not tested: nothing below can add one)
    if counts:
        for node in kinds.get(ast.FormattedValue, ()):
            # (a count in a message: ``raise ValueError(f"... tracking {n} tickets")``)
            tested_loads.update(id(n) for n in walk(node.value) if type(n) is ast.Name and n.id in counts)
    loads: dict[str, int] = {}
    for node in kinds.get(ast.Name, ()):
        if node.id in names and type(node.ctx) is ast.Load and id(node) not in tested_loads:
            loads[node.id] = loads.get(node.id, 0) + 1
    writes = any(_write_call(n) for n in kinds.get(ast.Call, ()))
    out: set[int] = set()
    for name in names:
        if loads.get(name) or not tests.get(name):
            continue
        if writes and not all(
            (type(node) is ast.While and present) or (type(node) is ast.If and present and node.body and type(node.body[-1]) is ast.Raise)
            for node, present in tests[name]
        ):
            continue
        out.add(id(binds[name][0]))
    return out


_STATEMENT_WRITES = frozenset({"update", "delete", "insert", "values", "bulk_update_mappings", "bulk_insert_mappings"})


def _write_call(n: ast.Call) -> bool:
    """``session.add(row)``, ``db.commit()``, and the statements that change rows (``query.update({...})``,
    ``update(M).values(...)``, ``delete(M)``)."""
    f = n.func
    if type(f) is ast.Attribute:
        return f.attr in _WRITES or f.attr in _STATEMENT_WRITES
    return type(f) is ast.Name and f.id in _STATEMENT_WRITES


def _changes(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function writes (``add``, ``commit``, ``delete``, ...) or sets an attribute of something other than
    itself (``assignment.is_active = False``)."""
    kinds = walk_kinds(fn)  # (whether any node is such: the walk's order does not matter)
    if any(_write_call(n) for n in kinds.get(ast.Call, ())):
        return True
    for t in (ast.Assign, ast.AugAssign):
        for n in kinds.get(t, ()):
            if any(
                type(x) is ast.Attribute and not (type(x.value) is ast.Name and x.value.id == "self")
                for x in (n.targets if t is ast.Assign else [n.target])
            ):
                return True
    return False


def _leading_guards(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[tuple[str, str, str]]:
    """``(name, name, column)`` for each statement of the body's top level, before anything else, that leaves
    unless two names share a column: ``if self.household_id != other.household_id: return`` (the docstring
    skipped)."""
    for stmt in fn.body:
        if type(stmt) is ast.Expr and type(stmt.value) is ast.Constant:
            continue  # (the docstring)
        if type(stmt) is not ast.If or not stmt.body or type(stmt.body[-1]) not in (ast.Return, ast.Raise):
            return
        test = stmt.test
        if not (type(test) is ast.Compare and len(test.ops) == 1 and type(test.ops[0]) in (ast.NotEq, ast.IsNot)):
            return
        a, b = test.left, test.comparators[0]
        if not (type(a) is ast.Attribute and type(b) is ast.Attribute and a.attr == b.attr and type(a.value) is ast.Name and type(b.value) is ast.Name):
            return
        yield a.value.id, b.value.id, a.attr


def _same_owner_guards(fn: ast.FunctionDef | ast.AsyncFunctionDef, plain: set[str]) -> list[list[str]]:
    """``[[parameter, column]]`` for a method that leaves at once unless a row it is handed shares a column with
    its own object: ``def merge(self, other): if self.household_id != other.household_id: return`` (a statement
    of the body's top level, before anything else reads the parameter)."""
    out: list[list[str]] = []
    for first, second, column in _leading_guards(fn):
        names = {first, second}
        if "self" not in names or len(names & plain) != 1:
            break
        out.append([next(iter(names & plain)), column])
    return out


def _pair_guards(fn: ast.FunctionDef | ast.AsyncFunctionDef, plain: set[str]) -> list[list[str]]:
    """``[[parameter, parameter, column]]`` for a function that leaves at once unless two rows it is handed share
    a column: ``def _require_same_project(task, label): if task.project_id != label.project_id: raise ...``."""
    out: list[list[str]] = []
    for first, second, column in _leading_guards(fn):
        if first == second or not {first, second} <= plain:
            break
        out.append([first, second, column])
    return out


def verdict_function(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function writes nothing and answers only yes or no (every ``return`` a verdict, one at least with a
    value: ``return query.first() is None``): what it looks up never leaves it."""
    answered = False
    # (any write or change says no, wherever it is met: each kind is read on its own, the walk's order does not
    # matter)
    kinds = walk_kinds(fn)
    if any(_write_call(n) for n in kinds.get(ast.Call, ())):
        return False
    for t in (ast.Assign, ast.AugAssign):
        for n in kinds.get(t, ()):
            if any(type(x) is ast.Attribute for x in (n.targets if t is ast.Assign else [n.target])):
                return False  # (``row.status = ...``: a change, committed by whoever holds the session)
    a = fn.args
    params = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    for n in kinds.get(ast.Return, ()):
        if n.value is None:
            continue
        v = n.value
        if type(v) is ast.Constant and v.value is None:
            continue
        if type(v) is ast.Tuple and len(v.elts) >= 2 and all(_reason(e, params) for e in v.elts[1:]):
            v = v.elts[0]  # ``return False, "not your team"``: a verdict with its reason (``-> tuple[bool, str]``)
        if type(v) is ast.Constant and v.value in (True, False):
            answered = True
        elif type(v) is ast.Compare or (type(v) is ast.UnaryOp and type(v.op) is ast.Not):
            answered = True
        elif type(v) is ast.Call and type(v.func) is ast.Name and v.func.id == "bool":
            answered = True
        else:
            return False  # (``return query.all()``: rows; a bool operation may hand back either operand)
    return answered


def _reason(node: ast.expr, params: set[str]) -> bool:
    """The reason handed back beside a verdict: a literal string or ``None``, or an f-string of what the caller
    handed (``params``: ``f"deal {deal_id} is not yours"``), never of what the function loaded (``f"owned by
    {deal.owner_email}"``: the row's data leaves through the reason)."""
    if type(node) is ast.Constant:
        return node.value is None or isinstance(node.value, str)
    if type(node) is ast.JoinedStr:
        return all(_root(v.value) in params for v in node.values if type(v) is ast.FormattedValue)
    return False


def _root(node: ast.expr) -> str:
    while type(node) in (ast.Attribute, ast.Subscript):
        node = node.value  # type: ignore[attr-defined]
    return node.id if type(node) is ast.Name else ""


def _permission_exit(node: ast.If, plain: set[str]) -> set[str]:
    """``if not row.has_permission(user=user, permission="read"): abort(403)``: the parameters handed to a
    permission call whose refusal exits (``not call``, ``call is None``, ``call == False``), also as one of the
    alternatives of an ``or`` (``if not shelf or not check_shelf_edit_permissions(shelf): return False``)."""
    if not node.body or not exit_statement(node.body[-1]):
        return set()
    test = node.test
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    out: set[str] = set()
    for test in tests:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            call = test.operand
        elif (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Is, ast.Eq))
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value in (None, False)
        ):
            call = test.left
        else:
            continue
        # a parameter (who the caller names), or a module's global caller (``current_user``)
        out |= {n for n in _permission_call_names(call) if n in plain or n not in ("self", "cls")}
    return out


def _permission_gate(node: ast.If, plain: set[str]) -> set[str]:
    """``if shelf and check_shelf_view_permissions(shelf): <serve it> else: return redirect(...)``: the names
    handed to a permission call that is the test (or one of the ``and``-ed tests) of an ``if`` whose ``else``
    exits: the row is served only when the check passes."""
    if not node.orelse or not exit_statement(node.orelse[-1]):
        return set()
    test = node.test
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    out: set[str] = set()
    for call in tests:
        out |= {n for n in _permission_call_names(call) if n not in ("self", "cls")}
    return out


def _permission_call_names(call: ast.AST) -> list[str]:
    """The plain names handed to a call named like a permission check (``check_shelf_edit_permissions(shelf)``);
    none for anything else."""
    if not isinstance(call, ast.Call):
        return []
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
    if not any(w in name.lower() for w in PERMISSION_WORDS):
        return []
    values = list(call.args) + [k.value for k in call.keywords]
    return [v.id for v in values if isinstance(v, ast.Name)]


def _block_exits(stmts: list[ast.stmt]) -> bool:
    for stmt in stmts:
        for node in walk(stmt):
            t = type(node)
            if t in (ast.Raise, ast.Return, ast.Continue, ast.Break):
                return True
            if t is ast.Call and type(node.func) is ast.Name and node.func.id == "abort":  # type: ignore[attr-defined]
                return True
    return False


def _recorded_only(fn: ast.AST, param: str, plain: set[str]) -> bool:
    """``recorded`` in the summary: the parameter only records who acted: a keyword of a class's constructor
    (``ScoreCalibration(created_by=user)``), assigned to an attribute of another parameter (``calibration.modified_by
    = user``), handed to a call (the reader judges the callee, as for ``idle``), or read in the test of an ``if``
    that only sets values (no exit); log calls and f-strings aside. Who acted, written down, decides nothing."""
    writes = 0
    other = False

    def visit(node: ast.AST, neutral: bool) -> None:
        nonlocal writes, other
        if other or isinstance(node, _SKIP):
            return
        t = type(node)
        if t is ast.Name:
            if node.id == param and not neutral:  # type: ignore[attr-defined]
                other = True
            return
        if t is ast.JoinedStr:
            return
        if t is ast.If:
            flag = not _block_exits(node.body) and not _block_exits(node.orelse)  # type: ignore[attr-defined]
            visit(node.test, neutral or flag)  # type: ignore[attr-defined]
            for sub in node.body + node.orelse:  # type: ignore[attr-defined]
                visit(sub, neutral)
            return
        if t is ast.Assign and type(node.value) is ast.Name and node.value.id == param:  # type: ignore[attr-defined]
            if all(type(x) is ast.Attribute and type(x.value) is ast.Name and x.value.id in plain and x.value.id != param for x in node.targets):  # type: ignore[attr-defined]
                writes += 1
                return
        if t is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")
            log: Optional[bool] = None  # (``ast.unparse`` of the receiver: only when an argument is read otherwise)

            def quiet(value: ast.AST) -> bool:
                nonlocal log
                if neutral:
                    return True
                if not any(type(n) is ast.Name and n.id == param for n in walk(value)):  # type: ignore[attr-defined]
                    return False  # (neutral or not, nothing there reads the parameter as a name)
                if log is None:
                    log = type(func) is ast.Attribute and "log" in ast.unparse(func.value).lower()
                return log

            visit(func, neutral)
            for a in node.args:  # type: ignore[attr-defined]
                if type(a) is ast.Name and a.id == param:
                    writes += 1  # handed on: the reader judges the callee (``calls``)
                else:
                    visit(a, quiet(a))
            for k in node.keywords:  # type: ignore[attr-defined]
                if type(k.value) is ast.Name and k.value.id == param and (name[:1].isupper() or k.arg is not None):
                    writes += 1
                else:
                    visit(k.value, quiet(k.value))
            return
        for child in children(node):
            if isinstance(child, ast.AST):  # (``children`` may hold ``None`` and ``str`` items)
                visit(child, neutral)

    for stmt in fn.body:  # type: ignore[attr-defined]
        visit(stmt, False)
    del visit  # (it calls itself through its closure: a reference cycle the collector would have to find)
    return writes > 0 and not other


_DATA_PARENTS = frozenset({ast.Call, ast.FormattedValue, ast.Return, ast.Dict, ast.Assign, ast.If, ast.While, ast.IfExp})


# query methods whose arguments are predicates (a parameter read there filters rows)
_PREDICATE_METHODS = frozenset({"filter", "filter_by", "where", "having"})


# words of an attribute that may say whose rows, who the caller is, or what it may do (``owner_id``, ``email``,
# ``role``, ``is_admin``, ``organization``): never a trait of the caller's (``is_premium``, ``plan``, ``locale``)
_NOT_TRAIT_WORDS = frozenset({
    "id", "ids", "pk", "uuid", "key", "ref", "sub", "email", "username", "name", "owner", "tenant", "org",
    "organization", "organisation", "team", "workspace", "account", "company", "group", "groups", "project", "member",
    "role", "roles", "permission", "permissions", "perms", "scope", "scopes", "staff", "superuser", "admin", "user",
    "users", "owned", "parent", "school", "store", "shop", "client", "customer", "level", "clearance",
})


TRAIT_READ = "."  # ``traits`` key prefix: the parameter's trait is read (not only its presence tested)


def _trait(expr: Any, plain: set[str]) -> Optional[str]:
    """``user.is_premium`` of a parameter: that parameter, when the attribute is no key, identity or rank word
    (``_NOT_TRAIT_WORDS``); ``None`` otherwise."""
    if type(expr) is not ast.Attribute or type(expr.value) is not ast.Name or expr.value.id not in plain:
        return None
    words = expr.attr.lower().strip("_").split("_")
    if any(w in _NOT_TRAIT_WORDS or w in _ADMIN_WORDS for w in words):
        return None
    return expr.value.id


def _trait_tests(test: Any, plain: set[str], traits: dict[str, int], top: bool) -> None:
    """Count the loads of parameters that only test one of their traits in an ``if`` / ``while`` / conditional
    expression's test: ``user.is_premium``, ``user.plan == "pro"`` (constants only on the other side), ``not
    user.is_active``, and the presence test beside them in an ``and`` / ``or`` (``if user and user.is_premium``;
    a whole test that is only the presence test ``_hand`` counts already, ``top``). A trait compared with anything
    else (``doc.level > user.clearance``, ``row.plan == user.plan``) is not counted: it may decide on a row."""
    while type(test) is ast.UnaryOp and type(test.op) is ast.Not:
        test = test.operand
    if type(test) is ast.BoolOp:
        for v in test.values:
            _trait_tests(v, plain, traits, False)
        return
    if type(test) is ast.Compare and len(test.comparators) == 1 and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None:
        if type(test.left) is ast.Name:
            test = test.left
    if type(test) is ast.Name:
        if not top and test.id in plain:
            traits[test.id] = traits.get(test.id, 0) + 1
        return
    if type(test) is ast.Compare and all(_constant_value(c) for c in test.comparators):
        test = test.left
    found = _trait(test, plain)
    if found is not None:
        traits[found] = traits.get(found, 0) + 1
        traits[TRAIT_READ + found] = 1  # (at least one trait read: a presence test alone says nothing of the caller)


def _constant_value(expr: Any) -> bool:
    """A literal, or a tuple, list or set of literals (``("pro", "team")``)."""
    if type(expr) is ast.Constant or _enum_member(expr):
        return True
    return type(expr) in (ast.Tuple, ast.List, ast.Set) and all(type(e) is ast.Constant or _enum_member(e) for e in expr.elts)


def _enum_member(expr: Any) -> bool:
    """``Plan.PRO`` / ``enums.Plan.PRO``: a member of a class (a capitalised name), a constant."""
    parts = (ast_dotted(expr) or "").split(".") if type(expr) is ast.Attribute else []
    return len(parts) >= 2 and parts[-2][:1].isupper()


def _hand(node: Any, t: type, plain: set[str], handed: dict[str, int]) -> None:
    """Count the parameters ``node`` only hands on or writes down (``idle`` in the summary: every read of the
    parameter is one of these): a call's argument (judged by the reader through ``calls``), a value stored
    into a dict or an attribute (``update["updated_by"] = user_id``, ``{"created_by": user_id}``), a
    formatted string, a presence test (``if user_id:``, ``is None``) or the returned value. Such a parameter
    is compared with nothing in the function: a caller's id handed in only for the audit columns and the log
    decides no access there."""
    if t is ast.Call:
        if type(node.func) is ast.Attribute and node.func.attr in _PREDICATE_METHODS:
            return  # ``q.filter_by(owner_id=user_id)``: the parameter filters a query there, it is not handed on
        values = list(node.args) + [k.value for k in node.keywords]
    elif t is ast.FormattedValue or t is ast.Return:
        values = [node.value]
    elif t is ast.Dict:
        values = node.values
    elif t is ast.Assign:
        values = [node.value] if all(type(x) in (ast.Subscript, ast.Attribute) for x in node.targets) else []
    else:
        test = node.test
        if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
            test = test.operand
        if type(test) is ast.Compare and len(test.comparators) == 1 and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None:
            test = test.left
        values = [test]
    for v in values:
        if type(v) is ast.Name and v.id in plain:
            handed[v.id] = handed.get(v.id, 0) + 1
        elif t is ast.Call and type(node.func) is ast.Name and node.func.id[:1].islower() and _id_of_param(v, plain):
            handed[v.value.id] = handed.get(v.value.id, 0) + 1  # ``current_user.id`` handed on (``attr_args``)


def _local_provenance(fn: ast.AST, plain: set[str]) -> dict[str, set[str]]:
    """The parameters each local of the function is made from, through other locals (``organisation =
    check_model_existence(db, Organisation, org_id)``: ``{"organisation": {"db", "org_id"}}``); a local
    assigned several times holds the union."""
    direct: dict[str, set[str]] = {}
    for node in own_nodes(fn)[0]:
        t = type(node)
        if t is ast.Assign:
            targets = [x for x in node.targets if type(x) is ast.Name]  # type: ignore[attr-defined]
        elif t is ast.AnnAssign and node.value is not None and type(node.target) is ast.Name:  # type: ignore[attr-defined]
            targets = [node.target]  # type: ignore[attr-defined]
        else:
            continue
        names = _names(node.value)  # type: ignore[attr-defined]
        for x in targets:
            if x.id not in plain:
                direct.setdefault(x.id, set()).update(names)
    out: dict[str, set[str]] = {}

    def of(local: str, seen: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for n in direct.get(local, ()):
            if n in plain:
                found.add(n)
            elif n in direct and n not in seen:
                found |= of(n, seen | {n})
        return found

    for local in direct:
        out[local] = of(local, frozenset({local}))
    del of  # (a reference cycle otherwise: ``_recorded_only``)
    return out


def _refused_when_found(fn: ast.AST, own: list[Any]) -> set[int]:
    """``existing = db.query(M).filter(M.slug == slug).first()`` then ``if existing: raise HTTPException(400)``
    (or ``is not None``), the local read nowhere else: a uniqueness refusal, as the lookup written in the test
    is; it hands no row on. The lines of the assigned value (its fetches are marked ``probe``: the reader keeps
    one keyed on the model's owner column, an existence oracle on the owner the client names)."""
    tested: dict[str, int] = {}
    for node in _own_kinds(fn)[ast.If]:
        test = node.test  # type: ignore[attr-defined]
        if (
            type(test) is ast.Compare and len(test.ops) == 1 and type(test.ops[0]) is ast.IsNot
            and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None
        ):
            test = test.left
        test = _result_row_read(test)
        if type(test) is ast.Name and node.body and type(node.body[-1]) is ast.Raise:  # type: ignore[attr-defined]
            tested[test.id] = tested.get(test.id, 0) + 1
    if not tested:
        return set()
    loads: dict[str, int] = {}
    bound: dict[str, list[Any]] = {}
    for n in own:
        if type(n) is ast.Name and n.id in tested:
            if type(n.ctx) is ast.Load:
                loads[n.id] = loads.get(n.id, 0) + 1
        elif type(n) is ast.Assign and len(n.targets) == 1 and type(n.targets[0]) is ast.Name and n.targets[0].id in tested:
            bound.setdefault(n.targets[0].id, []).append(n.value)
    out: set[int] = set()
    for name, values in bound.items():
        if len(values) == 1 and loads.get(name) == tested[name] == 1:
            out.update(n.lineno for n in walk(values[0]) if hasattr(n, "lineno"))
    return out


def _result_row_read(test: ast.AST) -> ast.AST:
    """``existing.scalar_one_or_none()`` / ``existing.scalars().first()`` (the statement's result held in a local,
    read as its one row in the test itself): that local, the test asking whether the result holds a row (as
    ``if existing:`` asks of a row); any other test as it is."""
    if not (type(test) is ast.Call and not test.args and type(test.func) is ast.Attribute and test.func.attr in _RESULT_ROW_READS):  # type: ignore[attr-defined]
        return test
    inner = test.func.value  # type: ignore[attr-defined]
    if type(inner) is ast.Call and not inner.args and type(inner.func) is ast.Attribute and inner.func.attr == "scalars":  # type: ignore[attr-defined]
        inner = inner.func.value  # type: ignore[attr-defined]
    return inner if type(inner) is ast.Name else test


def _bound_when_found(test: ast.AST) -> set[int]:
    """``if (row := db.scalar(select(M).where(M.id == key))) is None: raise NotFound``: the lookup bound by the
    walrus is refused only when absent; the row it finds is handed on (a fetch). The ids of its nodes."""
    inner = test
    if type(inner) is ast.UnaryOp and type(inner.op) is ast.Not:  # type: ignore[attr-defined]
        inner = inner.operand  # type: ignore[attr-defined]
    elif (
        type(inner) is ast.Compare and len(inner.ops) == 1 and type(inner.ops[0]) is ast.Is  # type: ignore[attr-defined]
        and type(inner.comparators[0]) is ast.Constant and inner.comparators[0].value is None  # type: ignore[attr-defined]
    ):
        inner = inner.left  # type: ignore[attr-defined]
    if type(inner) is not ast.NamedExpr:
        return set()
    return {id(n) for n in walk(inner)}


def _check_rows(call: Any, plain: set[str], provenance: dict[str, set[str]]) -> tuple[list[list[Any]], bool]:
    """The locals handed to a check with the parameters each is made from (``[[where, [params]]]``), and
    whether an argument is neither a parameter, an id read off one, nor such a local (a constant, an
    expression: ``loose``)."""
    rows: list[list[Any]] = []
    loose = False
    for where, a in [*enumerate(call.args), *((k.arg, k.value) for k in call.keywords)]:
        if where is None:
            loose = True  # ``**kwargs``
        elif type(a) is ast.Name and a.id in plain:
            continue
        elif _id_of_param(a, plain):
            continue
        elif type(a) is ast.Name and provenance.get(a.id):
            rows.append([where, sorted(provenance[a.id])])
        else:
            loose = True
    return rows, loose


def _id_of_param(node: Any, plain: set[str]) -> bool:
    """``msg.project_id``, ``current_user.id``: an id read off a parameter; also a list of ids
    (``request.document_ids``, a body's list key handed on to ``Document.id.in_(document_ids)``)."""
    return (
        type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id in plain
        and (node.attr in ("id", "ids") or node.attr.endswith(("_id", "_ids")))
    )


def _admin_guards(fn: ast.AST, resolve: Resolve) -> list[list[Any]]:
    """``if user_role not in ["SU", "ADMIN"]: raise ...``: an exit guarded by a test that names an admin role,
    as ``[source, words]``: ``source`` the call whose result the role is read from (``user_info =
    get_user_tenant_by_user_id(user_id)``; ``user_role = user_info.get("user_role")``), "" when it is not
    read from a call's result, and the test's lower-cased string constants."""
    nodes = own_nodes(fn)[0]
    assigned: dict[str, Any] = {}
    for node in nodes:
        if type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:  # type: ignore[attr-defined]
            name = node.targets[0].id  # type: ignore[attr-defined]
            assigned[name] = None if name in assigned else node.value  # type: ignore[attr-defined]
    out: list[list[Any]] = []
    for node in nodes:
        if type(node) is not ast.If or not node.body or type(node.body[-1]) not in _EXITS:  # type: ignore[attr-defined]
            continue
        inside = walk(node.test)  # type: ignore[attr-defined]
        words = sorted({n.value.lower() for n in inside if type(n) is ast.Constant and isinstance(n.value, str)})
        names = [n.attr if type(n) is ast.Attribute else (n.id if type(n) is ast.Name else "") for n in inside]
        if not any(w in x for w in _ADMIN_WORDS for x in words + [n.lower() for n in names]):
            continue
        source = ""
        for n in inside:
            value: Any = n
            for _ in range(3):  # ``role`` <- ``info.get("role")`` <- ``info`` <- ``lookup(user_id)``
                while type(value) in (ast.Call, ast.Subscript, ast.Attribute) and not (
                    type(value) is ast.Call and type(value.func) is ast.Name
                ):
                    value = value.func.value if type(value) is ast.Call and type(value.func) is ast.Attribute else getattr(value, "value", None)
                if type(value) is ast.Name:
                    value = assigned.get(value.id)
                if type(value) is ast.Await:
                    value = value.value
                if type(value) is ast.Call and type(value.func) is ast.Attribute and type(value.func.value) is ast.Name and value.func.value.id in assigned:
                    value = assigned.get(value.func.value.id)  # ``info.get("role")``: read from the local ``info``
                    if type(value) is ast.Await:
                        value = value.value
                if type(value) is ast.Call and type(value.func) in (ast.Name, ast.Attribute):
                    found = resolve(value.func)
                    if found:
                        source = found
                    break
            if source:
                break
        out.append([source, words])
    return out


def _instances(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> dict[str, str]:
    """Names that hold an object of a class the module names: a local built once (``repo =
    ItemRepository(db)``) or a parameter annotated with a class (``repo: ItemRepository``), so that a call
    on it is recorded as ``<class>.<method>`` (the reader follows it when the class is the project's)."""
    out: dict[str, str] = {}
    a = fn.args
    for x in a.posonlyargs + a.args + a.kwonlyargs:
        if x.annotation is not None and x.arg not in ("self", "cls"):
            q = main_type(x.annotation, resolve)
            if q and q.rsplit(".", 1)[-1][:1].isupper():
                out[x.arg] = q
    other: set[str] = set()
    for node in _own_kinds(fn)[ast.Assign]:
        for target in node.targets:  # type: ignore[attr-defined]
            if type(target) is not ast.Name:
                continue
            value = node.value  # type: ignore[attr-defined]
            if type(value) is ast.Await:
                value = value.value
            q = None
            if type(value) is ast.Call and isinstance(value.func, (ast.Name, ast.Attribute)):
                last = value.func.attr if type(value.func) is ast.Attribute else value.func.id
                if last[:1].isupper() and not last.isupper():
                    q = resolve(value.func)
            if q is None or (target.id in out and out[target.id] != q):
                other.add(target.id)
            else:
                out[target.id] = q
    if mentions("with "):
        for node in own_nodes(fn)[0]:
            if node.__class__ is ast.With or node.__class__ is ast.AsyncWith:
                for item in node.items:  # type: ignore[attr-defined]
                    var, made = item.optional_vars, item.context_expr
                    if type(var) is not ast.Name:
                        continue
                    q = None
                    if type(made) is ast.Call and isinstance(made.func, (ast.Name, ast.Attribute)):
                        last = made.func.attr if type(made.func) is ast.Attribute else made.func.id
                        if last[:1].isupper() and not last.isupper():
                            q = resolve(made.func)
                    # ``async with AccountService() as service``: what the class's enter method gives, read at
                    # project level (``knowledge.context_managers``: the instance when it returns ``self``)
                    q = f"{q}.{ENTER_METHODS[node.__class__ is ast.AsyncWith]}()" if q else None
                    if q is None or var.id in out:
                        other.add(var.id)
                    else:
                        out[var.id] = q
    return {k: v for k, v in out.items() if k not in other}


def _param_copies(fn: ast.AST, plain: set[str]) -> dict[str, set[str]]:
    """Locals that only copy a parameter or one of its attributes (``message_id = message``, ``key =
    str(body.item_id)``; also set to ``None``): a predicate on them is keyed on the parameter."""
    if not plain:
        return {}
    out: dict[str, set[str]] = {}
    other: set[str] = set()
    converted: dict[str, set[str]] = {}
    for node in _own_kinds(fn)[ast.Assign]:
        for target in node.targets:  # type: ignore[attr-defined]
            if type(target) is not ast.Name:
                continue
            value = node.value  # type: ignore[attr-defined]
            while type(value) is ast.Call and len(value.args) == 1 and (
                (type(value.func) is ast.Name and value.func.id in UNWRAP) or (type(value.func) is ast.Attribute and value.func.attr in UNWRAP)
            ):
                value = value.args[0]  # ``str(x)``, ``uuid.UUID(x)``
            while type(value) is ast.Attribute:
                value = value.value
            if type(value) in (ast.List, ast.Tuple, ast.Set) and len(value.elts) == 1:  # type: ignore[attr-defined]
                value = value.elts[0]  # type: ignore[attr-defined]  (``group_ids = [group_id]``)
            if type(value) is ast.Name and value.id in plain and target.id not in plain:
                out.setdefault(target.id, set()).add(value.id)
            elif (
                type(value) is ast.Call and len(value.args) == 1 and not value.keywords  # type: ignore[attr-defined]
                and type(value.args[0]) is ast.Name and value.args[0].id in plain  # type: ignore[attr-defined]
            ):
                # ``group_ids = convert_string_to_list(group_id)`` on one branch, ``[group_id]`` on another: a
                # copy when another branch copies the same parameter
                converted.setdefault(target.id, set()).add(value.args[0].id)  # type: ignore[attr-defined]
            elif not (type(value) is ast.Constant and value.value is None):
                other.add(target.id)
    return {k: v for k, v in out.items() if k not in other and converted.get(k, v) <= v}


def _back(names: set[str], copies: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for n in names:
        out |= copies.get(n, {n})
    return out


def _column_filters(
    pred: ast.AST, plain: set[str], resolve: Resolve, filters: dict[str, set[tuple[str, str]]], bound: set[str],
    loads: Optional[dict[str, int]] = None,
) -> set[str]:
    """Record the parameters a predicate compares with a model's column (``Message.lang == lang``,
    ``Item.id.in_(ids)``) in ``filters``, and in ``bound`` the columns it compares with anything else
    (``Item.owner_id == user.id``); return the parameters it reads in any other way."""
    covered: set[int] = set()
    tests: dict[int, str] = {}  # ``Item.end >= start if start else true()``: the value tested before it is compared
    for node in walk(pred):
        t = type(node)
        if t is ast.IfExp and type(node.test) is ast.Name:  # type: ignore[attr-defined]
            tests[id(node.test)] = node.test.id  # type: ignore[attr-defined]
        if t is ast.Compare and len(node.comparators) == 1:  # type: ignore[attr-defined]
            pairs = ((node.left, node.comparators[0]), (node.comparators[0], node.left))  # type: ignore[attr-defined]
        elif t is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "in_" and len(node.args) == 1:  # type: ignore[attr-defined]
            pairs = ((node.func.value, node.args[0]),)  # type: ignore[attr-defined]
        else:
            continue
        for column, value in pairs:
            if type(column) is not ast.Attribute or not isinstance(column.value, (ast.Name, ast.Attribute)):
                continue
            base = column.value
            last = base.attr if type(base) is ast.Attribute else base.id  # type: ignore[union-attr]
            if not last[:1].isupper():
                continue
            if type(value) is not ast.Name or value.id not in plain:  # type: ignore[attr-defined]
                bound.add(column.attr)
                continue
            model = resolve(base)
            if model:
                filters.setdefault(value.id, set()).add((model, column.attr))  # type: ignore[attr-defined]
                covered.add(id(value))
                if loads is not None:
                    loads[value.id] = loads.get(value.id, 0) + 1  # type: ignore[attr-defined]
    compared = {n.id for n in walk(pred) if id(n) in covered}  # type: ignore[attr-defined]
    covered |= {i for i, name in tests.items() if name in compared}
    return {n.id for n in walk(pred) if type(n) is ast.Name and n.id in plain and id(n) not in covered}  # type: ignore[attr-defined]


_CHAINED_PREDICATES = frozenset({"where", "filter", "filter_by", "having"})


def _chain_columns(call: ast.Call, resolve: Resolve, model_name: Callable[[ast.AST], Optional[str]]) -> dict[str, set[str]]:
    """The columns of each model the predicate calls chained on one statement name, down to its ``select(M)`` /
    ``query(M)``: ``select(A).where(A.user_id == uid).where(A.is_default == True)``, the keywords of each
    ``filter_by`` on the statement's model (flow fact ``together``)."""
    out: dict[str, set[str]] = {}
    keywords: set[str] = set()
    node: ast.AST = call
    while type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr not in ("query", "select"):  # type: ignore[attr-defined]
        if node.func.attr in _CHAINED_PREDICATES:  # type: ignore[attr-defined]
            for a in node.args:  # type: ignore[attr-defined]
                _model_columns(a, resolve, out)
            if node.func.attr == "filter_by":  # type: ignore[attr-defined]
                keywords |= {k.arg for k in node.keywords if k.arg}  # type: ignore[attr-defined]
        node = node.func.value  # type: ignore[attr-defined]
    if keywords and type(node) is ast.Call and node.args and isinstance(node.args[0], (ast.Name, ast.Attribute)):  # type: ignore[attr-defined]
        base = model_name(node.args[0])  # type: ignore[attr-defined]
        if base:
            out.setdefault(base, set()).update(keywords)
    return out


def _model_columns(pred: ast.AST, resolve: Resolve, out: dict[str, set[str]]) -> None:
    """``Workspace.id == key``: the columns of each model (a capitalised name) a predicate names."""
    for n in walk(pred):
        if type(n) is ast.Attribute and isinstance(n.value, (ast.Name, ast.Attribute)):  # type: ignore[attr-defined]
            base = n.value  # type: ignore[attr-defined]
            last = base.attr if type(base) is ast.Attribute else base.id  # type: ignore[union-attr]
            if last[:1].isupper():
                model = resolve(base)
                if model:
                    out.setdefault(model, set()).add(n.attr)  # type: ignore[attr-defined]


_JOINS = frozenset({"join", "outerjoin", "join_from", "select_from", "exists", "subquery", "scalar_subquery", "any", "has", "correlate", "cte", "union", "union_all"})


def _joins(own: list) -> bool:
    """A join, a subquery or a relationship test in the function: a predicate there may constrain another
    statement's model (``select(A).join(B).where(B.user_id == user_id)``)."""
    for n in own:
        if type(n) is not ast.Call:
            continue
        if type(n.func) is ast.Attribute and n.func.attr in _JOINS:  # type: ignore[attr-defined]
            return True
        name = n.func.attr if type(n.func) is ast.Attribute else (n.func.id if type(n.func) is ast.Name else "")  # type: ignore[attr-defined]
        if (name in PRED_METHODS or name in STATEMENTS or name == "in_") and any(
            _statement_expr(x) for a in n.args for x in walk(a)  # type: ignore[attr-defined]
        ):
            return True  # (``Item.id.in_(select(Member.item_id).where(...))``: a statement inside a predicate)
    return False


def _held_value(pred: ast.AST) -> bool:
    """A comparison in a predicate with an attribute of a value the object holds (``Model.client_id ==
    self.client.id``, ``Model.workspace_id == self.role.workspace_id``): the object answers for the scope."""
    if type(pred) is not ast.Compare:
        return any(_held_value(a) for a in getattr(pred, "args", ())) if type(pred) is ast.Call else False
    sides = [pred.left, *pred.comparators]
    for side in sides:
        if type(side) is ast.Attribute and type(side.value) is ast.Attribute:
            base = side.value.value
            if type(base) is ast.Name and base.id == "self":
                return True
    if len(sides) == 2:
        # ``APIKey.project_id == self.project_id``: a CRUD object built for one project (``APIKeyCrud(session,
        # project_id=...)``) compares a model's ``*_id`` column with the id it holds
        for a, b in (sides, sides[::-1]):
            if (
                type(a) is ast.Attribute and type(a.value) is ast.Name and a.value.id[:1].isupper() and a.attr.endswith("_id")
                and type(b) is ast.Attribute and type(b.value) is ast.Name and b.value.id == "self" and b.attr == a.attr
            ):
                return True
    return False


def decides(fn: ast.FunctionDef | ast.AsyncFunctionDef, only: Optional[set[str]] = None, memo: Optional[dict[Any, Any]] = None) -> bool:
    """The function decides on what it is given: a ``raise`` under a test that reads a parameter (or a local
    computed from one), an ``assert`` on one, an unconditional ``raise`` (a stub that always denies), or a
    ``return`` of a comparison / ``not`` / boolean operation reading one. A ``raise`` in an ``except``
    handler or under a test of module state only (``if not _SECRET_KEY: raise``) decides nothing: a token
    signer or a file loader that raises on failure is not an authorisation helper. ``only``: the decision must
    read one of these parameters (``decided_on``). ``memo``: a dict shared by the questions about one function
    (``fn`` unchanged between them): the names each node reads and the pre-check's answer are computed once."""
    if memo is None:
        names = _names
    else:

        def names(node: ast.AST) -> set[str]:  # (callers only read the set)
            key = id(node)
            found = memo.get(key)
            if found is None:
                found = memo[key] = _names(node)
            return found

    args = fn.args
    derived = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {"self", "cls"}
    if args.vararg is not None:
        derived.add(args.vararg.arg)
    if args.kwarg is not None:
        derived.add(args.kwarg.arg)
    start = frozenset(derived)
    if only is not None:
        derived &= only
    if not derived:
        return False
    nodes = walk_function(fn)
    tuples = bool(_VERDICT_CALL.match(fn.name))
    possible = None if memo is None else memo.get("possible")
    if possible is None:
        possible = _may_decide(walk_kinds(fn), tuples)
        if memo is not None:
            memo["possible"] = possible
    if not possible:
        return False
    steps = None if memo is None else memo.get("steps")
    if steps is None:  # (the statements the passes below read, in walk order: the same for every question)
        steps = [node for node in nodes if type(node) in _DERIVING]
        if memo is not None:
            memo["steps"] = steps
    if only is not None and memo is not None:
        # (the passes below, for every parameter at once: which parameters each name is computed from)
        labels = memo.get("labels")
        if labels is None:
            labels = memo["labels"] = _derivation_labels(steps, names, start)
        derived = {n for n, found in labels.items() if not found.isdisjoint(derived)}
    else:
        _derive(steps, names, derived)

    def visit(stmts: list[ast.stmt], guarded: bool) -> bool:
        for stmt in stmts:
            t = type(stmt)
            if t is ast.Raise:
                if only is None or guarded:
                    return True  # guarded by a test of what it was given, or unconditional
                continue
            if only is not None and t is ast.If and names(stmt.test) & derived and any(type(x) in (ast.Return, ast.Raise) for x in stmt.body):  # type: ignore[attr-defined]
                guarded = True  # ``if obj and is_visible(obj, ctx): return obj`` then ``raise``: refused otherwise
            if only is not None and (t is ast.Assign or t is ast.AnnAssign) and stmt.value is not None:  # type: ignore[attr-defined]
                call = stmt.value.value if type(stmt.value) is ast.Await else stmt.value  # type: ignore[attr-defined]
                if type(call) is ast.Call and names(call) & derived and _check_name(call.func):
                    return True  # ``workflow = await _get_workflow_check_access(user_id=user_id, ...)``: handed on to a check
            if t is ast.Expr and type(stmt.value) in (ast.Call, ast.Await):  # type: ignore[attr-defined]
                call = stmt.value.value if type(stmt.value) is ast.Await else stmt.value  # type: ignore[attr-defined]
                if type(call) is ast.Call and names(call) & derived and _check_name(call.func):
                    return True  # hands what it was given on to another check (``_check(user, row)``)
            if t is ast.Assert:
                if names(stmt.test) & derived:  # type: ignore[attr-defined]
                    return True
            elif t is ast.Return:
                value = _awaited_verdict(stmt.value, tuples)  # type: ignore[attr-defined]
                if value is not None and type(value) in (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call) and names(value) & derived and not _forwards_all(value, args, names, derived):
                    return True
                if guarded and type(value) is ast.Constant and type(value.value) is bool:  # type: ignore[union-attr]
                    return True  # ``if not row: return False``
            elif t is ast.If or t is ast.While:
                reads = bool(names(stmt.test) & derived)  # type: ignore[attr-defined]
                if reads and (visit(stmt.body, True) or visit(stmt.orelse, True)):  # type: ignore[attr-defined]
                    return True
                if only is not None and not reads and (visit(stmt.body, guarded) or visit(stmt.orelse, guarded)):  # type: ignore[attr-defined]
                    return True  # (``only``: a test of these parameters around or inside a test of others)
                if not reads and _returns_verdict(stmt.body, derived, names) | _returns_verdict(stmt.orelse, derived, names):  # type: ignore[attr-defined]
                    return True
            elif t is ast.Try or type(stmt).__name__ == "TryStar":
                if visit(stmt.body, guarded) or visit(stmt.orelse, guarded) or visit(stmt.finalbody, guarded):  # type: ignore[attr-defined]
                    return True
            elif t in (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor):
                if visit(stmt.body, guarded):  # type: ignore[attr-defined]
                    return True
        return False

    found = visit(fn.body, False)
    del visit  # (a reference cycle otherwise, holding ``memo`` and its nodes: ``_recorded_only``)
    return found


_DERIVING = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor})  # (``decides``' passes)


def _forwards_all(value: ast.AST, args: ast.arguments, names: Any, derived: set[str]) -> bool:
    """``return task.delay(*args, **kwargs)``: a call handed the function's own ``*args`` / ``**kwargs`` as they
    came, and nothing else of its own (what the callee is, ``self.fn``, aside): ``return policy.allows(user.id,
    doc.owner_id, **kwargs)`` still decides on what it names. A wrapper forwarding whatever it is given (a retry loop around a Celery ``delay``, a logging shim)
    returns the wrapped call's result: no verdict on what it was handed (lexflow's ``safe_task_delay(...,
    user_id=current_user.id, organization_id=case.organization_id)`` was read as the check of the case)."""
    if type(value) is not ast.Call:
        return False
    star = args.vararg.arg if args.vararg is not None else None
    double = args.kwarg.arg if args.kwarg is not None else None
    if star is None and double is None:
        return False
    starred = {a.value.id for a in value.args if type(a) is ast.Starred and type(a.value) is ast.Name}  # type: ignore[attr-defined]
    spread = {k.value.id for k in value.keywords if k.arg is None and type(k.value) is ast.Name}  # type: ignore[attr-defined]
    if not ((star is None or star in starred) and (double is None or double in spread)):
        return False
    return (names(value) & derived) - {star, double} <= names(value.func)


def _derive(steps: list[Any], names: Any, derived: set[str]) -> None:
    """Add to ``derived`` the locals computed from one of its names (two passes: order does not matter much
    here)."""
    for _ in range(2):
        for node in steps:
            t = type(node)
            if t is ast.Assign or t is ast.AnnAssign or t is ast.AugAssign:
                value = node.value  # type: ignore[attr-defined]
                if value is not None and names(value) & derived:
                    targets = node.targets if t is ast.Assign else [node.target]  # type: ignore[attr-defined]
                    for target in targets:
                        derived |= {n.id for n in walk(target) if type(n) is ast.Name}
            elif t is ast.For or t is ast.AsyncFor:
                if names(node.iter) & derived:  # type: ignore[attr-defined]
                    derived |= {n.id for n in walk(node.target) if type(n) is ast.Name}  # type: ignore[attr-defined]


def _derivation_labels(steps: list[Any], names: Any, start: frozenset[str]) -> dict[str, set[str]]:
    """``_derive`` from each name of ``start`` at once: ``{name: the names of start it is computed from}``.
    A step adds its targets when its value reads a derived name, so the passes from a set are the union of
    the passes from each of its names, step by step: ``_derive`` from ``{p}`` gives the names whose labels
    hold ``p``."""
    labels: dict[str, set[str]] = {p: {p} for p in start}
    for _ in range(2):
        for node in steps:
            t = type(node)
            if t is ast.Assign or t is ast.AnnAssign or t is ast.AugAssign:
                value = node.value  # type: ignore[attr-defined]
                if value is None:
                    continue
                targets = node.targets if t is ast.Assign else [node.target]  # type: ignore[attr-defined]
            elif t is ast.For or t is ast.AsyncFor:
                value, targets = node.iter, [node.target]  # type: ignore[attr-defined]
            else:
                continue
            found: set[str] = set()
            for n in names(value):
                got = labels.get(n)
                if got:
                    found |= got
            if not found:
                continue
            for target in targets:
                for n in walk(target):
                    if type(n) is ast.Name:
                        labels.setdefault(n.id, set()).update(found)
    return labels


def _may_decide(kinds: dict[type, list[Any]], tuples: bool = False) -> bool:
    """``decides``' cheap pre-check: nothing can decide without one of the statements its ``visit`` takes
    (``kinds``: the function's ``walk_kinds``; whether any node is such, wherever it is)."""
    if ast.Raise in kinds or ast.Assert in kinds:
        return True
    for node in kinds.get(ast.Return, ()):
        value = _awaited_verdict(node.value, tuples)  # type: ignore[attr-defined]
        if type(value) in _VERDICTS or (type(value) is ast.Constant and type(value.value) is bool):
            return True
    for node in kinds.get(ast.Expr, ()):
        call = node.value.value if type(node.value) is ast.Await else node.value  # type: ignore[attr-defined]
        if type(call) is ast.Call and _check_name(call.func):
            return True
    return False


_CHECK_WORDS = ("check", "ensure", "verify", "assert", "require", "authoriz", "authoris", "validate", "permission", "access", "guard", "enforce", "deny")


_VERDICTS = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)


def _awaited_verdict(value: Any, tuples: bool = False) -> Any:
    """``return await is_org_member(user_id, org_id, db)``: the awaited answer of a plain function is returned
    as ``return is_org_member(...)`` would be in synchronous code (a method's, ``await session.get(...)``, stays
    an ``Await``: a row, no verdict). With ``tuples`` (a function named for a verdict, ``_VERDICT_CALL``), a
    tuple's first item is its verdict (``return (True, "owner")``: the caller unpacks ``ok, how =
    can_access(...)`` and refuses on ``ok``); an operation answering ``(False, "not linked")`` is no check."""
    if tuples and type(value) is ast.Tuple and len(value.elts) > 1:
        value = value.elts[0]
    if type(value) is ast.Await and type(value.value) is ast.Call and type(value.value.func) is ast.Name:
        return value.value
    return value


def _check_name(func: ast.AST) -> bool:
    name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")  # type: ignore[attr-defined]
    lowered = name.lower()
    return any(w in lowered for w in _CHECK_WORDS)


def _dependency_reads(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[set[str]]:
    """The path values a deciding function reads when it takes dependencies (FastAPI fills its other parameters
    from the path by name, and it may read ``request.path_params``); ``None`` for a function taking none."""
    a = fn.args
    if any(type(d) is ast.Call for d in a.defaults + a.kw_defaults) or any(
        x.annotation is not None and (type(x.annotation) is ast.Subscript or _alias_annotation(x.annotation, resolve))
        for x in a.args + a.kwonlyargs
    ):
        return _path_reads(fn) | ({x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} - {"self", "cls", "request"})
    return None


def _made_inner(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Optional[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The function a dependency factory defines and returns, as it is or in ``Depends(inner)`` /
    ``Security(inner)`` (every ``return`` the same); ``None`` for any other function."""
    nodes, inner_functions = own_nodes(fn)
    if not inner_functions:
        return None
    names: set[str] = set()
    for node in nodes:
        if type(node) is ast.Return and node.value is not None:
            value = node.value
            if type(value) is ast.Call and len(value.args) == 1 and ast_dotted(value.func) in ("Depends", "Security", "fastapi.Depends", "fastapi.Security"):
                value = value.args[0]
            if type(value) is not ast.Name:
                return None
            names.add(value.id)
    if len(names) != 1:
        return None
    name = names.pop()
    return next((f for f in inner_functions if f.name == name), None)


def _path_reads(fn: ast.AST) -> set[str]:
    """Path parameters a function reads from the request: ``request.path_params["task_id"]``,
    ``request.path_params.get("task_id")``."""
    out: set[str] = set()
    if not mentions("path_params"):
        return out
    for node in walk_function(fn):
        t = type(node)
        if t is ast.Subscript:
            base, key = node.value, node.slice  # type: ignore[attr-defined]
        elif t is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "get" and node.args:  # type: ignore[attr-defined]
            base, key = node.func.value, node.args[0]  # type: ignore[attr-defined]
        else:
            continue
        if type(base) is ast.Attribute and base.attr == "path_params" and type(key) is ast.Constant and isinstance(key.value, str):
            out.add(key.value)
    return out


def _returns_verdict(stmts: list[ast.stmt], derived: set[str], names: Any = _names) -> bool:
    for node in stmts:
        for sub in walk(node):
            if type(sub) is ast.Return and sub.value is not None and type(sub.value) in (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call):
                if names(sub.value) & derived:
                    return True
    return False


_VERDICT_VALUES = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp)
_VERDICT_CALLS = frozenset({"any", "all", "bool"})


def _verdict_parts(value: Any) -> list[Any]:
    """The answers a returned value holds: the value itself when it is a comparison, ``not``, ``and`` / ``or``,
    a conditional (``Access.EDIT if row.owner_id == user.id else Access.NONE``), ``any(...)`` / ``all(...)`` /
    ``bool(...)``; those among the values of a dict, list or tuple (``{"edit": row.owner_id == user.id, "by":
    user.id}``: the comparison, not the id written beside it)."""
    t = type(value)
    if t in _VERDICT_VALUES:
        return [value]
    if t is ast.Call and type(value.func) is ast.Name and value.func.id in _VERDICT_CALLS:
        return [value]
    if t is ast.Dict:
        return [p for v in value.values for p in _verdict_parts(v)]
    if t in (ast.List, ast.Tuple):
        return [p for v in value.elts for p in _verdict_parts(v)]
    return []


_ACCESS_CODES = frozenset({401, 403, 404})
_STATUS_NAME = re.compile(r"HTTP_(\d{3})")
_OTHER_STATUS_WORDS = ("BAD_REQUEST", "CONFLICT", "UNPROCESSABLE", "TOO_MANY", "PAYMENT_REQUIRED", "SERVER_ERROR", "UNAVAILABLE")


def _answers_otherwise(node: Any) -> bool:
    """A refusal that answers with a status saying the request is invalid, too frequent, unpaid or failed
    (``HTTPException(status_code=500)``, ``status.HTTP_400_BAD_REQUEST``, ``abort(409)``), never 401 / 403 / 404:
    no decision about who asks (an exception with no status, ``PermissionError``, may be one)."""
    if node is None:
        return False
    codes: list[int] = []
    for n in walk(node):
        t = type(n)
        if t is ast.Constant and type(n.value) is int and 100 <= n.value <= 599:  # type: ignore[attr-defined]
            codes.append(n.value)  # type: ignore[attr-defined]
        elif t is ast.Attribute or t is ast.Name:
            word = n.attr if t is ast.Attribute else n.id  # type: ignore[attr-defined]
            found = _STATUS_NAME.search(word)
            if found:
                codes.append(int(found.group(1)))
            elif word.isupper() and any(w in word for w in _OTHER_STATUS_WORDS):
                codes.append(0)
    return bool(codes) and not any(c in _ACCESS_CODES for c in codes)


answers_otherwise = _answers_otherwise  # (for the route's own refusal: ``client_identity``)


_REFUSING_WORDS = ("abort", "raise", "deny", "forbid", "reject", "throw", "unauthori")


def _refusing_call(func: Any) -> bool:
    """``abort(403)``, ``raise_forbidden()``, ``self._deny()``: a call whose name says it refuses the request."""
    name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")
    lowered = name.lower()
    return any(w in lowered for w in _REFUSING_WORDS)


# The name of an exception (or of a refusing call) that says the caller may not have what it asked for
# (``ForbiddenError``, ``PermissionDeniedError``, ``NotAuthorized``, ``InsufficientProjectPermissionError``,
# ``raise_forbidden()``, ``self._deny()``), or hides it as absent (``DocumentNotFoundError``, as a 404 does):
# matched on the name lowered, underscores dropped
ACCESS_NAME = re.compile(
    r"forbid|unauthori[sz]|notauthori[sz]|permission|denied|deny|notallowed|notpermitted|notowner|notmember"
    r"|insufficient(?:priv|right|role|scope|perm|access)|accessdenied|notfound"
)
_BUILTIN_EXCEPTIONS = frozenset(
    n for n in dir(__import__("builtins")) if n[:1].isupper() and n.endswith(("Error", "Exception", "Exit", "Interrupt"))
)


def access_name(name: str) -> bool:
    """``ACCESS_NAME`` in a name (any case, underscores ignored)."""
    return bool(ACCESS_NAME.search(name.lower().replace("_", "")))


def _refusal_kind(node: Any, resolve: Optional[Resolve]) -> Any:
    """What a refusal (the ``exc`` of a ``raise``, or a refusing call) says: ``True`` when it refuses the caller
    access (a status 401 / 403 / 404, ``status.HTTP_403_FORBIDDEN``, ``abort(404)``; an exception or refusing
    call whose name says so, ``ACCESS_NAME``), ``False`` when it says nothing of access (``ValueError(...)``,
    ``HTTPException(500)``, a bare ``raise``, ``raise exc``), or the dotted name of an exception class of the
    project or a library whose name says neither (``NotYourLedger``): its bases decide
    (``queries.access_exception``). A 404 counts: real helpers hide a row the caller may not see as absent
    (``if doc.owner_id != user.id: raise HTTPException(404)``: 11 of the 61 refusals with a status after an owner comparison across
    the labelled apps and hold-outs)."""
    if node is None:
        return False
    for n in walk(node):
        t = type(n)
        if t is ast.Constant and type(n.value) is int and n.value in _ACCESS_CODES:  # type: ignore[attr-defined]
            return True
        if t is ast.Attribute or t is ast.Name:
            word = n.attr if t is ast.Attribute else n.id  # type: ignore[attr-defined]
            found = _STATUS_NAME.search(word)
            if found and int(found.group(1)) in _ACCESS_CODES:
                return True
    func = node.func if type(node) is ast.Call else node
    if type(func) is ast.Call:
        func = func.func  # (``raise make_error()(...)``: rare; read the inner callee)
    if type(func) is not ast.Name and type(func) is not ast.Attribute:
        return False
    name = func.attr if type(func) is ast.Attribute else func.id  # type: ignore[union-attr]
    if access_name(name):
        return True
    if not name[:1].isupper() or name in _BUILTIN_EXCEPTIONS or name == "HTTPException":
        return False  # (``raise exc``, a builtin, an HTTP error with another status or none)
    dotted = (resolve(func) if resolve is not None else None) or ast_dotted(func)
    return dotted or False


_STATEMENT_WRITES = frozenset({"insert", "update", "upsert", "values", "save", "bulk_insert_mappings", "bulk_update_mappings"})


def _predicate(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Every ``return`` of the function hands back a verdict (a comparison, ``not``, ``and`` / ``or``, a
    conditional, ``any`` / ``all`` / ``bool``, a dict or tuple of such answers, a call named like a verdict) or
    ``None`` / ``True`` / ``False``, and one at least hands back a verdict: its caller decides on the answer
    (``seat_holder(account_id, school_id)`` returning ``account_id in STAFF[school_id]``). A function that
    returns a row, an id or a choice under its tests (``resolve_pinned_config(...)`` returning the config it
    picked) is no predicate, nor one that writes and says whether it did (``create_record(data, user_id,
    tenant_id)`` building ``insert(Record).values(...)`` and returning ``result.rowcount > 0``)."""
    some = False
    for node in walk_function(fn):
        if type(node) is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")
            if name in _WRITES or name in _STATEMENT_WRITES:
                return False
            continue
        if type(node) is not ast.Return or node.value is None:
            continue
        value = node.value
        if type(value) is ast.Await:
            value = value.value
        t = type(value)
        if t is ast.Constant and value.value in (None, True, False):  # type: ignore[attr-defined]
            continue
        if _verdict_parts(value):
            some = True
            continue
        if t is ast.Call:
            func = value.func  # type: ignore[attr-defined]
            name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")
            if _VERDICT_CALL.match(name):
                some = True
                continue
        return False
    return some


# what a lookup's answer is read with: the row or nothing (``.scalar_one_or_none()``, ``.first()``, ``db.get(M, id)``)
_LOOKUP_ANSWERS = frozenset({
    "first", "one_or_none", "scalar_one_or_none", "scalar", "one", "scalar_one", "get", "get_or_none", "fetchone",
    "fetchrow", "find_one",
})


def _lookup_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """The locals of ``fn`` every assignment of which is a lookup's answer: a call of a method in
    ``_LOOKUP_ANSWERS`` (awaited or not; ``_lookup_answer``: a ``get`` on a session, a query or a repository, not
    on a dict) (``result.scalars().first()``, ``(await db.execute(q)).scalar_one_or_none()``, ``await db.get(model, ident)``)."""
    some: set[str] = set()
    other: set[str] = set()
    for node in walk_function(fn):
        kind = type(node)
        if kind is ast.Assign or kind is ast.AnnAssign:
            targets = node.targets if kind is ast.Assign else [node.target]  # type: ignore[attr-defined]
            value = node.value  # type: ignore[attr-defined]
        elif kind is ast.AugAssign or kind is ast.For or kind is ast.AsyncFor or kind is ast.NamedExpr:
            targets, value = [node.target], None  # type: ignore[attr-defined]
        else:
            continue
        if type(value) is ast.Await:
            value = value.value  # type: ignore[union-attr]
        answer = _lookup_answer(value)
        for target in targets:
            if type(target) is ast.Name:
                (some if answer else other).add(target.id)  # type: ignore[attr-defined]
            else:
                other.update(n.id for n in walk(target) if type(n) is ast.Name)
    return frozenset(some - other)


# the receiver of a ``get`` that looks a row up: a session, a query, a repository (``db.get(model, ident)``,
# ``self.session.get(...)``, ``repo.get(...)``, ``Model.objects.get(...)``), not a dict (``perms.get(role)``)
_LOOKUP_RECEIVER = re.compile(r"db|session|sess$|repo|query|crud|store|dao|objects|conn")


def _lookup_answer(value: Any) -> bool:
    """A call of a method in ``_LOOKUP_ANSWERS``; a ``get`` / ``get_or_none`` only on a receiver named for a
    session, a query or a repository (``_LOOKUP_RECEIVER``, on its last name: ``db.query(M).get(i)`` reads
    ``query``) or on a class (``Model.get(i)``): ``perms.get(role)``, ``payload.get("id")`` read a dict."""
    if type(value) is not ast.Call or type(value.func) is not ast.Attribute:  # type: ignore[union-attr]
        return False
    method = value.func.attr  # type: ignore[union-attr]
    if method not in _LOOKUP_ANSWERS:
        return False
    if method not in ("get", "get_or_none"):
        return True
    receiver = value.func.value  # type: ignore[union-attr]
    while type(receiver) is ast.Call or type(receiver) is ast.Await:
        receiver = receiver.func if type(receiver) is ast.Call else receiver.value  # type: ignore[attr-defined]
    name = receiver.attr if type(receiver) is ast.Attribute else (receiver.id if type(receiver) is ast.Name else "")  # type: ignore[attr-defined]
    return name[:1].isupper() or bool(_LOOKUP_RECEIVER.search(name.lower()))


def _hides_as_absent(node: Any) -> bool:
    """A refusal that answers 404 / not found (``HTTPException(404)``, ``status.HTTP_404_NOT_FOUND``,
    ``NotFoundError(...)``, ``raise LookupError(...)``, ``abort(404)``), and no 401 / 403: only such a refusal says a lookup found nothing. A
    403 after a membership lookup refuses the caller (an access decision)."""
    if node is None:
        return False
    codes: set[int] = set()
    for n in walk(node):
        t = type(n)
        if t is ast.Constant and type(n.value) is int:  # type: ignore[attr-defined]
            codes.add(n.value)  # type: ignore[attr-defined]
        elif t is ast.Attribute or t is ast.Name:
            found = _STATUS_NAME.search(n.attr if t is ast.Attribute else n.id)  # type: ignore[attr-defined]
            if found:
                codes.add(int(found.group(1)))
    if codes & {401, 403}:
        return False
    if 404 in codes:
        return True
    func = node.func if type(node) is ast.Call else node
    name = func.attr if type(func) is ast.Attribute else (func.id if type(func) is ast.Name else "")  # type: ignore[union-attr]
    word = name.lower().replace("_", "")
    return any(w in word for w in _ABSENT_WORDS)


# an exception that says a lookup found nothing, with no status (``LookupError``, ``NoResultFound``, ``DoesNotExist``)
_ABSENT_WORDS = ("notfound", "doesnotexist", "lookuperror", "noresultfound")


def _empty_test(test: ast.expr, looked: frozenset[str]) -> Optional[bool]:
    """Whether ``test`` asks only if a lookup's answer (one of ``looked``) is empty: ``True`` when the test holds
    for an empty answer (``not row``, ``row is None``, ``row == None``), ``False`` when it holds for a found one
    (``row``, ``row is not None``); ``None`` for any other test (``not row or row.owner_id != user_id``)."""
    negated = False
    while type(test) is ast.UnaryOp and type(test.op) is ast.Not:  # type: ignore[attr-defined]
        negated = not negated
        test = test.operand  # type: ignore[attr-defined]
    if type(test) is ast.Name:
        return negated if test.id in looked else None  # type: ignore[attr-defined]
    if (
        type(test) is ast.Compare and len(test.ops) == 1 and type(test.left) is ast.Name  # type: ignore[attr-defined]
        and test.left.id in looked  # type: ignore[attr-defined]
        and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None  # type: ignore[attr-defined]
    ):
        op = type(test.ops[0])  # type: ignore[attr-defined]
        if op is ast.Is or op is ast.Eq:
            return not negated
        if op is ast.IsNot or op is ast.NotEq:
            return negated
    return None


def verdict_groups(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[list[str]]:
    """The groups of ``decision_groups``: the parameters each decision of the function reads."""
    return decision_groups(fn)["groups"]


def decision_groups(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Optional[Resolve] = None) -> dict[str, Any]:
    """The decisions of a function on what it is given, each as the parameters it reads (through locals made
    from them), when one reads two parameters or more: a ``raise`` / ``abort(...)`` / ``raise_forbidden()`` under
    tests (the tests' parameters), an ``assert``, a verdict returned (``return account_id in school.member_ids``, a dict of
    answers, an enum chosen by a test) and anything returned under a test (``if row.owner_id != user.id:
    return None``); a ``raise`` after ``if``s that return early (``if row.created_by == user_id: return`` ...
    ``raise HTTPException(403)``) reads their tests too. A ``raise`` in an ``except`` handler decides nothing (as in ``decides``), nor one that
    answers 400, 409, 422, 429, 500 ... (``_answers_otherwise``: an invalid request, a failed send).
    ``verify_member(account_id, school_id)`` that returns ``school_id > 0`` decides on the school alone: no
    group holds the account.

    Returns ``{"groups": [...]}`` and, for the groups that are access decisions (what the refusal says, not
    the function's name): ``access``, the groups a refusal of the caller decides (``_refusal_kind``: 401 / 403
    / 404, ``PermissionError``, ``ForbiddenError``, ``raise_forbidden()``); ``verdicts``, the groups of a
    predicate (``_predicate``: it answers yes or no and its caller refuses); ``refuses``, ``[[exception,
    group]]`` for a refusal with an exception class of the project or a library whose name says neither (its
    bases decide). The rest is business logic: a ``ValueError``, an ``assert``, a choice returned under a
    test (``if thread.pinned_id is not None: return Resolution(...)``)."""
    a = fn.args
    params = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg not in ("self", "cls")]
    if len(params) < 2:
        return {"groups": []}
    # the names each decision reads, before locals are traced to parameters, with what each decision is:
    # True (refuses access), False (business), "verdict" (an answer returned), or an exception's dotted name
    raw: dict[frozenset[str], set[Any]] = {}
    plain = frozenset(params)

    # the locals every assignment of which is a lookup's answer (``row = result.scalar_one_or_none()``): a test
    # of whether one holds anything asks whether the lookup found a row, nothing about who asks
    looked = _lookup_locals(fn)
    # per names read: whether every decision on them so far only asked whether a lookup found a row
    found_only: dict[frozenset[str], bool] = {}

    def add(names: frozenset[str], kind: Any = False, existence: bool = False) -> None:
        if len(names) >= 2 or (names and not names <= plain):  # (one local may be made from two parameters)
            raw.setdefault(names, set()).add(kind)
            found_only[names] = found_only.get(names, True) and existence

    # the tests of the ``if``s met so far that return early (``if playground.created_by == acting_id: return``):
    # a refusal after them (the closing ``raise HTTPException(403)``) is reached only when they all failed
    escaped: set[str] = set()

    def visit(stmts: list[Any], guard: frozenset[str], existence: bool = False) -> None:
        for stmt in stmts:
            t = type(stmt)
            if t is ast.Raise:
                if not _answers_otherwise(stmt.exc):
                    add(guard | escaped, _refusal_kind(stmt.exc, resolve), existence and not escaped and _hides_as_absent(stmt.exc))
            elif t is ast.Assert:
                add(guard | _names(stmt.test))
            elif t is ast.Return:
                value = stmt.value
                if type(value) is ast.Await:
                    value = value.value
                if value is None:
                    continue
                if type(value) is ast.Call and _answers_otherwise(value):
                    continue  # (``return JSONResponse(status_code=400, ...)``)
                add(guard, "verdict")  # (anything returned under a test decides)
                for part in _verdict_parts(value):
                    add(guard | _names(part), "verdict")
            elif t is ast.Expr:
                call = stmt.value
                if type(call) is ast.Await:
                    call = call.value
                if guard and type(call) is ast.Call and _refusing_call(call.func) and not _answers_otherwise(call):
                    # ``abort(403)``, ``raise_forbidden()`` under a test
                    add(guard, _refusal_kind(call, None) is True, existence and not escaped and _hides_as_absent(call))
            elif t is ast.If or t is ast.While:
                inner = guard | _names(stmt.test)
                empty = _empty_test(stmt.test, looked) if t is ast.If else None
                visit(stmt.body, inner, empty is True and (existence or not guard))
                visit(stmt.orelse, inner, empty is False and (existence or not guard))
                if t is ast.If and any(type(x) is ast.Return for x in stmt.body):
                    escaped.update(inner)
            elif t is ast.Try or type(stmt).__name__ == "TryStar":
                visit(stmt.body, guard)
                visit(stmt.orelse, guard)
                visit(stmt.finalbody, guard)
            elif t in (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor):
                visit(stmt.body, guard)

    visit(fn.body, frozenset())
    del visit  # (a reference cycle otherwise: ``_recorded_only``)
    if not raw:
        return {"groups": []}
    origin: dict[str, frozenset[str]] = {p: frozenset((p,)) for p in params}
    if any(n not in origin for names in raw for n in names):
        # locals made from parameters (two passes, as ``decides``)
        steps = [node for node in walk_function(fn) if type(node) in _DERIVING]
        for _ in range(2):
            for node in steps:
                t = type(node)
                if t is ast.For or t is ast.AsyncFor:
                    value, targets = node.iter, [node.target]  # type: ignore[attr-defined]
                else:
                    value = node.value  # type: ignore[attr-defined]
                    targets = node.targets if t is ast.Assign else [node.target]  # type: ignore[attr-defined]
                if value is None:
                    continue
                found: frozenset[str] = frozenset()
                for n in _names(value):
                    if n in origin:
                        found |= origin[n]
                if not found:
                    continue
                for target in targets:
                    for n in walk(target):
                        if type(n) is ast.Name and n.id not in params:
                            origin[n.id] = origin.get(n.id, frozenset()) | found
    groups: dict[frozenset[str], set[Any]] = {}
    lookups: dict[frozenset[str], bool] = {}
    for names, kinds in raw.items():
        group: frozenset[str] = frozenset()
        for n in names:
            if n in origin:
                group |= origin[n]
        if len(group) >= 2:
            groups.setdefault(group, set()).update(kinds)
            lookups[group] = lookups.get(group, True) and found_only[names]
    out: dict[str, Any] = {"groups": sorted(sorted(g) for g in groups)}
    if any(lookups.values()):
        # ``if not instance: raise NotFoundError(...)`` after ``select(model).where(... == identifier)``: the
        # groups whose every decision is whether the function's own lookup found a row (``not_found``)
        out["not_found"] = sorted(sorted(g) for g, only in lookups.items() if only)
    predicate: Optional[bool] = None
    access, verdicts, refuses = [], [], []
    for group, kinds in groups.items():
        if True in kinds:
            access.append(sorted(group))
            continue
        if "verdict" in kinds:
            if predicate is None:
                predicate = _predicate(fn)
            if predicate:
                verdicts.append(sorted(group))
        for kind in kinds:
            if isinstance(kind, str) and kind != "verdict":
                refuses.append([kind, sorted(group)])
    for key, found in (("access", access), ("verdicts", verdicts), ("refuses", refuses)):
        if found:
            out[key] = sorted(found)
    return out


def _checks_entry(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Optional[Resolve] = None) -> Optional[dict[str, Any]]:
    found = decision_groups(fn, resolve)
    if not found["groups"]:
        return None
    a = fn.args
    return {"params": [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs], **found}


def _self_attribute(node: ast.AST) -> Optional[str]:
    """``self.<attr>`` -> ``attr``."""
    if type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == "self":  # type: ignore[attr-defined]
        return node.attr  # type: ignore[attr-defined]
    return None


def _self_checked_params(cls: ast.ClassDef) -> dict[str, list[str]]:
    """``{method: [parameters]}``: a method (a constructor, mostly) that keeps a parameter on the object
    (``self.user_id = user_id``) and calls a method of its own class with nothing (``if user_id:
    self._ensure_ownership()``) whose ``if`` compares an attribute of something the object holds with that kept
    value (``if self.connection.user_id != self.user_id:``) and refuses under it (a ``raise`` in its body): the
    method checks what it loads against the parameter (``self_checked``, as ``checked`` for a permission call
    handed it).
    ``DependencyService(db, connection_id, user_id=current_user.id)``, whose constructor loads the connection and
    then runs that check, checks the row for who asks."""
    subs = {sub.name: sub for sub in cls.body if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))}
    deciding: dict[str, set[str]] = {}  # method -> the ``self.<attr>`` its refusing comparisons read
    for name, sub in subs.items():
        for node in walk_function(sub):
            if type(node) is not ast.If or not any(type(n) is ast.Raise for b in node.body for n in walk(b)):
                continue
            for cmp in walk(node.test):  # type: ignore[attr-defined]
                if type(cmp) is not ast.Compare or len(cmp.ops) != 1 or type(cmp.ops[0]) not in (ast.Eq, ast.NotEq):  # type: ignore[attr-defined]
                    continue
                sides = [cmp.left, cmp.comparators[0]]  # type: ignore[attr-defined]
                for a, b in (sides, sides[::-1]):
                    held = _self_attribute(b)
                    if held is not None and type(a) is ast.Attribute and _self_attribute(a.value) is not None:  # type: ignore[attr-defined]
                        deciding.setdefault(name, set()).add(held)
    if not deciding:
        return {}
    out: dict[str, list[str]] = {}
    for name, sub in subs.items():
        a = sub.args
        params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} - {"self", "cls"}
        kept: dict[str, str] = {}  # ``self.<attr> = <param>``
        called: set[str] = set()
        for node in walk_function(sub):
            if type(node) is ast.Assign and type(node.value) is ast.Name and node.value.id in params:  # type: ignore[attr-defined]
                for t in node.targets:  # type: ignore[attr-defined]
                    attr = _self_attribute(t)
                    if attr is not None:
                        kept[attr] = node.value.id  # type: ignore[attr-defined]
            elif type(node) is ast.Call and not node.args and not node.keywords:  # type: ignore[attr-defined]
                method = _self_attribute(node.func)  # type: ignore[attr-defined]
                if method is not None and method != name:
                    called.add(method)
        checked = {kept[attr] for m in called for attr in deciding.get(m, ()) if attr in kept}
        if checked:
            out[name] = sorted(checked)
    return out


def _statement_builders(tree: ast.Module, resolve: Resolve) -> dict[str, str]:
    """Module functions taking nothing that only return a statement on one model (``def _task_query(): return
    select(Task).options(selectinload(Task.assignee))``): ``{name: model}``. A lookup built on a call of one
    (``_task_query().where(Task.id == task_id)``) is a lookup of that model."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        a = stmt.args
        if a.posonlyargs or a.args or a.kwonlyargs or a.vararg or a.kwarg:
            continue
        body = [b for b in stmt.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            continue
        base: Any = body[0].value
        while type(base) is ast.Call and type(base.func) is ast.Attribute:
            base = base.func.value
        if type(base) is not ast.Call or type(base.func) is not ast.Name or base.func.id != "select" or len(base.args) != 1:
            continue
        q = resolve(base.func)
        if not q or q.split(".")[0] not in STATEMENT_MODULES:
            continue
        model_node = _model_expr(base.args[0])
        model = resolve(model_node) if model_node is not None else None
        if model and model.rsplit(".", 1)[-1][:1].isupper():
            out[stmt.name] = model
    return out


_BUILDER_NARROWING = frozenset({"filter", "filter_by", "where", "join", "outerjoin", "having", "with_parent"})


def _method_builders(cls: ast.ClassDef, resolve: Resolve) -> dict[str, str]:
    """Methods of a class taking only ``self`` that only return a session's legacy query on one model (``def
    _base_query(self): return self.db.query(Conversation).options(...)``): ``{"self.<name>": model}``. A lookup
    built on a call of one (``self._base_query().filter(Conversation.id == conversation_id)``) is a lookup of that
    model, as for a module function (``_statement_builders``). Which builders a method reads: ``extract``."""
    out: dict[str, str] = {}
    for stmt in cls.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.decorator_list:
            continue
        a = stmt.args
        if a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg or [x.arg for x in a.args] != ["self"]:
            continue
        body = [b for b in stmt.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            continue
        base: Any = body[0].value
        while type(base) is ast.Call and type(base.func) is ast.Attribute and base.func.attr not in ("query", *_BUILDER_NARROWING):
            base = base.func.value
        if type(base) is not ast.Call or len(base.args) != 1 or base.keywords:
            continue  # (a predicate or a join on the way narrows the statement: the builder's, read where it is)
        if not (type(base.func) is ast.Attribute and base.func.attr == "query"):
            continue  # (only ``self.db.query(M)``: the session's legacy query)
        model_node = _model_expr(base.args[0])
        model = resolve(model_node) if model_node is not None else None
        if model and model.rsplit(".", 1)[-1][:1].isupper():
            out[f"self.{stmt.name}"] = model
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    functions: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    evidence: dict[str, dict[str, int]] = {}
    deciders: list[str] = []
    decided_on: dict[str, list[str]] = {}
    guards: dict[str, list[str]] = {}
    checks: dict[str, Any] = {}  # function or ``Class.method`` -> ``_checks_entry``
    made_checks: dict[str, Any] = {}  # dependency factory -> its inner function's ``_checks_entry``
    method_deciders: dict[str, Any] = {}
    shadowed: dict[str, Any] = {}  # ``name@line`` -> the summary of a function a later ``def`` replaced
    defined: dict[str, int] = {}
    request_deciders: dict[str, Any] = {}
    builders = _statement_builders(tree, resolve) if mentions("select(") else {}
    statement_builders: dict[str, str] = {}  # ``Class._name`` -> model (``_method_builders``): the analysis reads them
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = summarise(stmt, resolve, None, evidence, builders)
            if stmt.name in defined and stmt.name in functions:
                # (a request handler of the same name registered earlier: ``orm``'s ``shadowed_routes``; the
                # name keeps its last summary, as it did)
                shadowed[f"{stmt.name}@{defined[stmt.name]}"] = functions[stmt.name]
            if found is not None:
                functions[stmt.name] = found
                defined[stmt.name] = stmt.lineno
            entry = _checks_entry(stmt, resolve)
            if entry is not None:
                checks[stmt.name] = entry
            memo: dict[Any, Any] = {}  # (the questions about this function share the names its nodes read)
            if decides(stmt, None, memo):
                deciders.append(stmt.name)
                a = stmt.args
                # the parameters a decision reads (``run_check_per_window(check_id, session, organization_id)``
                # raises on the check it loads, never on the organisation: no verdict on who asks)
                # (a parameter the body never reads as a name decides nothing: no test, assignment or return of it
                # can read it, so ``decides`` is not asked)
                read_names = {n.id for n in walk_kinds(stmt).get(ast.Name, ())}
                decided_on[stmt.name] = [
                    x.arg for x in a.posonlyargs + a.args + a.kwonlyargs
                    if x.arg not in ("self", "cls") and x.arg in read_names and decides(stmt, {x.arg}, memo)
                ]
                read = _dependency_reads(stmt, resolve)
                if read is not None:
                    guards[stmt.name] = sorted(read)
            inner = _made_inner(stmt) if stmt.name not in guards else None
            if inner is not None and decides(inner):
                # a dependency factory (``require_permission(perm)`` returning ``Depends(dependency)`` or
                # ``dependency``): FastAPI runs the inner function, per request, so its reads are the factory's,
                # and so are its decisions (``made_checks``: the inner function's ``checks`` entry)
                read = _dependency_reads(inner, resolve)
                if read is not None:
                    guards[stmt.name] = sorted(read)
                    entry = _checks_entry(inner, resolve)
                    if entry is not None:
                        made_checks[stmt.name] = entry
        elif isinstance(stmt, ast.ClassDef):
            subs = [sub for sub in stmt.body if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))]
            read = set().union(*(_path_reads(sub) for sub in subs)) if subs else set()
            if read and any(decides(sub) for sub in subs):
                guards[stmt.name] = sorted(read)
            self_checked = _self_checked_params(stmt)
            # A method reads the module's ``select(M)`` builders as a module function does (``_task_query()`` is its
            # statement in place, as an inline ``select(M)`` in the method would be) and its class's legacy
            # ``query(M)`` builders; a ``self._select()`` returning ``select(M)`` is no builder: read as lookups, a
            # repository's own predicates made the caller's keys scoping values (a true BKL201 of hold-out 22 was
            # lost that way). Fixture ``isolation/_projects/method_statement_builders``.
            own_builders = _method_builders(stmt, resolve) if mentions(".query(") else {}
            class_builders = {**builders, **own_builders} if own_builders else builders
            statement_builders.update((f"{stmt.name}.{k[len('self.'):]}", m) for k, m in own_builders.items())
            for sub in stmt.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found = summarise(sub, resolve, stmt.name, evidence, class_builders)
                    if found is not None and sub.name in self_checked:
                        found["self_checked"] = self_checked[sub.name]
                    if found is not None:
                        methods[f"{stmt.name}.{sub.name}"] = found
                    entry = _checks_entry(sub, resolve)
                    if entry is not None:
                        checks[f"{stmt.name}.{sub.name}"] = entry
                    if mentions("self.") and mentions(".user"):
                        asks = request_decides(sub, lambda exc: _refusal_kind(exc, resolve))
                        if asks is not None:
                            request_deciders[f"{stmt.name}.{sub.name}"] = asks  # (``knowledge.auth.request_gates``)
                    a = sub.args
                    given = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg not in ("self", "cls")]
                    sub_memo: dict[Any, Any] = {}
                    if len(given) >= 2 and decides(sub, None, sub_memo):
                        # a method given a subject and what it acts on that decides on both
                        # (``PermissionService.enforce(self, subject, action, resource)``): ``how`` is ``raise``
                        # when it denies by raising, ``verdict`` when it returns one; ``on``: the parameters its
                        # decision reads (a getter raising "not found" decides on its key alone)
                        read_names = {n.id for n in walk_kinds(sub).get(ast.Name, ())}
                        on = [x for x in given if x in read_names and decides(sub, {x}, sub_memo)]
                        # a check loads nothing by the resource's key alone (``_check_site_admin_permissions(user,
                        # site_id)`` looks the membership up by both, ``allows(subject, ...)`` the subject's own
                        # grants by the subject, handed first); a service's operation given the subject loads its
                        # row by the key and decides "not found" on it (``delete(subject, id)``)
                        lone = any(
                            set(f.get("keys", ())) & set(on) and len(set(f.get("keys", ())) & set(on)) < 2 and given[0] not in f.get("keys", ())
                            for f in (found or {}).get("fetches", ())
                        )
                        if len(on) >= 2 and not lone and _answers_only(sub):
                            raises = bool(walk_kinds(sub).get(ast.Raise))
                            method_deciders[f"{stmt.name}.{sub.name}"] = {"how": "raise" if raises else "verdict", "on": on}
    entered = mentions("with ") and any(
        "entered" in c
        for group in (functions, methods) for summary in group.values() for c in summary.get("calls", ())
    )  # (calls on ``with Class() as v``: read at project level, ``knowledge.context_managers.entered_flow``)
    store(
        facts, "flow", {}, entered=entered, functions=functions, methods=methods, scoping=evidence, deciders=deciders,
        decided_on=decided_on, guards=guards, checks=checks, made_checks=made_checks, method_deciders=method_deciders, shadowed=shadowed,
        request_deciders=request_deciders, builders=statement_builders,
    )


# annotations that name a type rather than a dependency alias
_PLAIN_TYPE_MODULES = ("builtins", "typing", "uuid", "datetime", "decimal", "enum", "pydantic", "sqlalchemy", "sqlmodel", "fastapi", "starlette")


def _alias_annotation(node: ast.expr, resolve: Resolve) -> bool:
    """``current_user: CurrentUser`` / ``db: SessionDep``: a parameter annotated with a project name that is no
    class we know of here, as the ``Annotated[User, Depends(get_current_user)]`` aliases are (imported from the
    project's own modules): the function takes dependencies through it. A builtin or library type does not."""
    if type(node) is not ast.Name or not node.id[:1].isupper():
        return False
    q = resolve(node)
    return bool(q) and "." in q and q.split(".", 1)[0] not in _PLAIN_TYPE_MODULES
