"""What the rules of family 6 share: route handlers and their declared responses, the ORM rows a handler
returns, body parameters, and the screens (on CPython's ``ast``) that keep most files away from libcst."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...ground.lazy import lazy_import

from ...knowledge.auth import ParamInfo, param_infos
from ...knowledge.facts import orm_facts
from ...knowledge.index.extractors.orm import PARAM_MARKERS
from ...knowledge.cst import child_list, keyword_arg, walk
from ...knowledge.fastapi import ROUTE_DECORATORS, RouteInfo, makes_router, path_parameters, route_info
from ...knowledge.imports import dotted_name, last_segment
from ...knowledge.models import is_pydantic_model, is_table_model
from ...knowledge.reexports import reexport_closure
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.validation import leaking_fields, strictness_missing, unbounded_fields
from ..api import Rule
from ...knowledge.tree_facts import walk as ast_walk
from .._shared.screens import leaf_names
from ..timezone._screens import import_targets

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# markers that make a parameter something else than the request body
NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie", "File", "UploadFile"})
RESPONSE_CLASSES = ("Response", "JSONResponse", "StreamingResponse", "FileResponse", "HTMLResponse",
                    "PlainTextResponse", "RedirectResponse", "ORJSONResponse", "UJSONResponse", "EventSourceResponse")
ROW_METHODS = frozenset({"first", "one", "one_or_none", "get", "scalar_one", "scalar_one_or_none", "scalar", "all", "unique"})


# --- screens -----------------------------------------------------------------------------------------------

def has_route(facts: TreeFacts) -> bool:
    """Some function is decorated ``@<x>.<http method>(...)`` or the file calls ``add_api_route``."""

    def build() -> bool:
        # (``route_decorated``: recorded by the project index, so that a file without a route is not parsed again;
        # an identifier is a word of the text, but for one spelled in another normal form: non-ASCII text)
        if facts.route_decorated:
            return True
        return ("add_api_route" in facts.source or not facts.source.isascii()) and "add_api_route" in facts.names

    return facts.cached("validation.route", build)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def source_words(facts: TreeFacts) -> frozenset[str]:
    """Every identifier-like word of the file's text: its names, and the words of its strings (string
    annotations) and comments (a superset of what libcst's visitors can resolve)."""
    return facts.cached("validation.words", lambda: frozenset(_WORD.findall(facts.source)))


def table_words(project: Any) -> frozenset[str]:
    """Names through which a route can reach a table model (``Rows.table`` / ``RouteRule.is_table`` resolve a
    name of the file to a project class; ``Rows._project_function`` reads a project function's return
    annotation; a parameter's type may come from a module-level ``X = Annotated[T, ...]`` of another
    module): the table models' names, the module-level functions whose return annotation names one, those
    aliases, and every name a project module re-exports them under. Stored with the index."""

    def build() -> frozenset[str]:
        tables = [q for q, _ in project.iter_classes() if is_table_model(project, q)]
        if not tables:
            return frozenset()
        named = reexport_closure(project, (q.rsplit(".", 1)[-1] for q in tables))
        words = set(named)
        for _, mfacts in project.iter_modules():
            for name, fn in mfacts.get("functions", {}).items():
                returns = fn.get("returns")
                if returns and not named.isdisjoint(_WORD.findall(returns)):
                    words.add(name)
            for name, alias in orm_facts(mfacts).get("aliases", {}).items():
                if alias.get("type") and is_table_model(project, alias["type"]):
                    words.add(name)
        return reexport_closure(project, words)

    return project.stored_memo("screens.validation.tables", build, load=frozenset)


def names_table(facts: TreeFacts, project: Any) -> bool:
    """The file spells one of ``table_words``: without one, no expression or parameter of it resolves to a
    table model."""
    return project is not None and not table_words(project).isdisjoint(source_words(facts))


def untyped_source(facts: TreeFacts) -> bool:
    """A parameter annotation spells one of ``_UNTYPED`` (``untyped_annotation``: by its own last name, as
    a subscript's head or an item), or a ``Request`` parameter may be read with ``.json()`` / ``.form()``
    (``request_reads``): what BKL603's and BKL605's untyped sources need."""

    def build() -> bool:
        names = facts.names
        if "Request" in names and not names.isdisjoint(REQUEST_READS):
            return True
        for arg in facts.nodes(ast.arg):
            if arg.annotation is None:
                continue
            for n in ast_walk(arg.annotation):
                if (isinstance(n, ast.Name) and n.id in _UNTYPED) or (isinstance(n, ast.Attribute) and n.attr in _UNTYPED):
                    return True
        return False

    return facts.cached("validation.untyped_source", build)


def _class_names(project: Any, key: str, build: Any) -> frozenset[str]:
    # stored with the index, like the other screens' project-wide words: a one-file run reads the names
    # instead of deriving every response model of the project (0.1-0.4 s)
    return project.stored_memo("screens." + key, lambda: frozenset(q.rsplit(".", 1)[-1] for q in build(project)), load=frozenset)


def declares_class_in(facts: TreeFacts, project: Any, key: str, build: Any) -> bool:
    """A top-level class of the file is named like one of the project classes ``build(project)`` lists."""
    classes = facts.top_classes  # (recorded by the project index: no parse for it)
    if not classes or project is None:  # (the file's own facts first: a file without classes never reads the index)
        return False
    names = _class_names(project, key, build)
    return any(name in names for name in classes)


def declares_leaking_class(facts: TreeFacts, project: Any, settings: Any) -> bool:
    return declares_class_in(facts, project, "validation.leaking", leaking_fields)


def declares_strictless_class(facts: TreeFacts, project: Any, settings: Any) -> bool:
    return declares_class_in(facts, project, "validation.strictless", strictness_missing)


def declares_unbounded_class(facts: TreeFacts, project: Any, settings: Any) -> bool:
    return declares_class_in(facts, project, "validation.unbounded", unbounded_fields)


def spelled_name(node: ast.expr) -> Optional[tuple[str, str]]:
    """(root name, last name) of ``a.b.C`` / ``C``."""
    leaf = node.attr if isinstance(node, ast.Attribute) else None
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name) or node.id == "None":
        return None
    return node.id, leaf if leaf is not None else node.id


NO_CLAIM_MODULES = ("typing", "fastapi_pagination")


def plain_binding(facts: TreeFacts, root: str) -> Optional[frozenset[str]]:
    """The original names ``root`` is imported as (``from m import A as root``: ``A``), when the file binds
    ``root`` by imports from modules other than ``typing*`` / ``fastapi_pagination*``, a ``def`` / ``class``,
    or not at all; ``None`` when an assignment binds it (``ImportTable`` follows ``X = models.Item``), the file
    has a ``*`` import, or an import from those modules could."""

    def build() -> Optional[frozenset[str]]:
        if root in NO_CLAIM_MODULES:
            return None
        out = set()
        for n in facts.nodes(ast.Import, ast.ImportFrom):
            if isinstance(n, ast.ImportFrom):
                module = n.module or ""
                for alias in n.names:
                    if alias.name == "*":
                        return None
                    if (alias.asname or alias.name) == root:
                        if module.startswith(NO_CLAIM_MODULES):
                            return None
                        out.add(alias.name)
            else:
                for alias in n.names:
                    if (alias.asname or alias.name.split(".")[0]) == root and alias.name.startswith(NO_CLAIM_MODULES):
                        return None
        for n in facts.nodes(ast.Name):
            if n.id == root and not isinstance(n.ctx, ast.Load):
                return None
        return frozenset(out)

    return facts.cached(("validation.binding", root), build)


def own_nodes(func: Any) -> Iterator[ast.AST]:
    """Every node of an ``ast`` function body, nested functions, classes and lambdas left out: what
    ``own_statements`` walks on libcst."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    stack: list[ast.AST] = [s for s in reversed(func.body) if not isinstance(s, nested)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in reversed(list(ast.iter_child_nodes(node))) if not isinstance(c, nested))


def route_functions(facts: TreeFacts) -> Optional[list[Any]]:
    """The functions a ``RouteRule`` may take for routes: decorated ``@<x>.<route method>(...)`` or
    ``@wrapper(<x>.<route method>, ...)`` (``route_info``, ``local_route``); ``None`` when the file calls
    ``add_api_route`` (any function may be registered)."""

    def build() -> Optional[list[Any]]:
        if "add_api_route" in facts.names:
            return None
        out = []
        for func in facts.functions:
            for dec in func.decorator_list:
                if not isinstance(dec, ast.Call):
                    continue
                head = dec.func if isinstance(dec.func, ast.Attribute) else dec.args[0] if dec.args else None
                if isinstance(head, ast.Attribute) and head.attr in ROUTE_DECORATORS:
                    out.append(func)
                    break
        return out

    return facts.cached("validation.route_functions", build)


def _resolved_last(facts: TreeFacts, node: ast.expr) -> Optional[str]:
    """The last segment of what ``ast_resolver`` resolves a callee or name to, read off the file's imports
    (``import_targets``): ``x.M`` -> ``M`` (a dotted name); a name the imports bind -> the last segment of its
    targets (when they agree); a name no binding names -> itself. ``None`` when the file alone cannot tell."""
    if isinstance(node, ast.Attribute):
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return node.attr if isinstance(root, ast.Name) else None
    if not isinstance(node, ast.Name):
        return None
    targets = import_targets(facts)
    if targets is None:
        return None
    if node.id not in targets:
        return node.id
    bound = targets[node.id]
    lasts = {b.rsplit(".", 1)[-1] for b in bound} if bound is not None else set()
    return lasts.pop() if len(lasts) == 1 else None


def screened_marker(facts: TreeFacts, project: Any, ann: ast.expr, default: Optional[ast.expr]) -> Optional[str]:
    """The marker ``param_infos`` gives a parameter (``ParamInfo.marker``), when the file and the index tell it:
    a marker call as the default, else the first marker call in ``Annotated[T, ...]``'s metadata, else, for
    an annotation naming a module-level alias of another module (``CurrentUser = Annotated[User,
    Depends(...)]``), the alias' marker (``orm_facts(...)["aliases"]``). ``None``: no marker, or unknown."""
    if isinstance(default, ast.Call):
        last = _resolved_last(facts, default.func)
        if last is None:
            return None
        if last in PARAM_MARKERS:
            return last
    if isinstance(ann, ast.Subscript):
        inner = ann.slice
        if type_part(facts, ann) is ann or not isinstance(inner, ast.Tuple):
            return None  # not ``Annotated[...]`` as the screen reads it, or no metadata
        for meta in inner.elts[1:]:
            if isinstance(meta, ast.Call):
                last = _resolved_last(facts, meta.func)
                if last is None:
                    return None
                if last in PARAM_MARKERS:
                    return last
        return None
    if not isinstance(ann, ast.Name):
        return None
    targets = import_targets(facts)
    bound = targets.get(ann.id) if targets is not None else None
    if bound is None or len(bound) != 1:
        return None
    found = project.resolve_symbol(next(iter(bound)))
    if found is None or found[2] != "assignments":
        return None
    alias = orm_facts(project.modules[found[0]]).get("aliases", {}).get(found[1])
    return last_segment(alias.get("marker")) if alias else None


def type_part(facts: TreeFacts, ann: ast.expr) -> ast.expr:
    """What of a parameter annotation can name its type (``main_type``): of ``Annotated[T, Depends(...)]`` only
    ``T`` (the metadata names dependencies and markers, never the type), when ``Annotated`` is spelled so and
    the file binds no other name as ``Annotated``; else the whole annotation."""
    if isinstance(ann, ast.Subscript):
        head = ann.value
        spelled = head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else None
        if spelled == "Annotated" and not _rebinds_annotated(facts):
            inner = ann.slice
            return inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return ann


def _rebinds_annotated(facts: TreeFacts) -> bool:
    def build() -> bool:
        for n in facts.nodes(ast.Import, ast.ImportFrom):
            if any(a.asname == "Annotated" and (isinstance(n, ast.Import) or a.name != "Annotated") for a in n.names):
                return True
        return any(n.id == "Annotated" and not isinstance(n.ctx, ast.Load) for n in facts.nodes(ast.Name))

    return facts.cached("validation.rebinds_annotated", build)


def may_name_table(facts: TreeFacts, words: frozenset[str], expr: ast.expr) -> bool:
    """``project_class`` may resolve ``expr`` to a table model: a dotted name one of whose names (or the original
    name its root is imported as) is one of ``table_words``, or whose root the file binds in a way
    ``plain_binding`` does not read."""
    spelled = spelled_name(expr)
    if spelled is None:
        return False  # ``call().Item``: ``qualified_name`` reads dotted names only
    originals = plain_binding(facts, spelled[0])
    return originals is None or not words.isdisjoint(originals) or not words.isdisjoint(leaf_names(expr))


def import_qualified(facts: TreeFacts, node: ast.expr) -> Optional[list[str]]:
    """Every qualified name the file's imports may give the dotted name ``node`` (``import_targets``: the
    import table the visitors' ``qualified_name`` reads), or ``None`` when its root has another binding or none."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    targets = import_targets(facts)
    bound = targets.get(node.id) if targets is not None else None
    if not bound:
        return None
    suffix = "".join("." + p for p in reversed(parts))
    return [target + suffix for target in sorted(bound)]


def _service_remapped(project: Any) -> bool:
    """The linted file belongs to one of several services that share a package name (``index/services.py``): its
    absolute imports of that package are read through a remap the file's own import list does not show."""
    path = getattr(project, "linted_path", None)
    remap_of = getattr(project, "module_remap", None)
    if path is None or remap_of is None:
        return False
    info = project.module_info(path)
    return bool(info) and remap_of(info[0]) is not None


def no_table_class(facts: TreeFacts, project: Any, node: ast.expr) -> bool:
    """``project_class`` cannot resolve ``node`` to a table model: every qualified name the file's imports may give
    it (``import_qualified``) is no project class (``get_class``) or one that is not a table model. ``False`` when
    a name cannot be read so."""
    names = import_qualified(facts, node)
    if names is None or _service_remapped(project):
        return False  # (a service's ``from app.models import X`` is read through its remap: no claim here)
    for q in names:
        found = project.get_class(q)
        if found is not None and is_table_model(project, found[0]) is not False:
            return False
    return True


# --- rules -------------------------------------------------------------------------------------------------

class ClassRule(Rule):
    """A rule about the top-level classes of a file that a project-wide table lists by canonical name."""

    def table(self) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def __init__(self, ctx: "FileContext") -> None:
        super().__init__(ctx)
        self.depth = 0
        self.current: Optional[tuple[str, Any]] = None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1
        if self.depth != 1 or self.ctx.project is None:
            return
        module = self.ctx.module_name
        qualified = f"{module}.{node.name.value}" if module else node.name.value
        canonical = self.ctx.project.canonical(qualified)
        entry = self.table().get(canonical)
        self.current = (canonical, entry) if entry is not None else None
        if self.current is not None:
            self.on_class(node, canonical, entry)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.current = None

    def on_class(self, node: cst.ClassDef, canonical: str, entry: Any) -> None:
        pass

    def class_fields(self, node: cst.ClassDef) -> Iterator[cst.AnnAssign]:
        """The annotated assignments of a class body (``name: T [= value]``)."""
        body = node.body
        if not isinstance(body, cst.IndentedBlock):
            return
        for stmt in body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        yield small


class RouteRule(Rule):
    """A rule about route handlers: ``on_route(func, route)`` for each, outermost functions first; also the
    handlers of a router a function builds (``def make_router(): router = APIRouter(); @router.get(...)``)."""

    def __init__(self, ctx: "FileContext") -> None:
        super().__init__(ctx)
        self.local_routers: list[frozenset[str]] = []
        self.registered: list[dict[str, tuple[frozenset[str], Optional[str], cst.Decorator, str]]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.registered.append(registered_methods(self.ctx, node))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.registered.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        route = route_info(self.ctx, node)
        if route is None and self.local_routers:
            route = local_route(node, self.local_routers[-1])
        if route is None and self.registered and not self.local_routers:
            found = self.registered[-1].get(node.name.value)
            route = RouteInfo(*found, node) if found else None
        # once per function for the family's rules (each of them walks every function: 4x the body walk)
        self.local_routers.append(self.ctx.cached(("validation.local_routers", id(node)), lambda: local_routers(self.ctx, node)))
        if route is not None and not route.websocket:
            self.on_route(node, route)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.local_routers.pop()

    def on_route(self, node: cst.FunctionDef, route: RouteInfo) -> None:  # pragma: no cover - overridden
        pass

    # -- helpers ----------------------------------------------------------------------------------------
    def canonical_class(self, expr: cst.BaseExpression) -> Optional[str]:
        return project_class(self.ctx, expr)

    def is_table(self, q: Optional[str]) -> bool:
        return bool(q) and is_table_model(self.ctx.project, q) is True

    def body_params(self, func: cst.FunctionDef, route: RouteInfo) -> list[ParamInfo]:
        """Parameters FastAPI fills from the request body (no marker, ``Body()``, ``Form()``)."""
        path = path_parameters(route.path)
        out = []
        for p in param_infos(self.ctx, func):
            if p.name in path or p.name in ("self", "cls") or p.marker in NOT_BODY or p.dependency.kind is not None:
                continue
            out.append(p)
        return out


def project_class(ctx: "FileContext", expr: cst.BaseExpression) -> Optional[str]:
    """The canonical name of the project class an expression names, else ``None``."""
    project = ctx.project
    q = ctx.qualified_name(expr)
    if q is None or project is None:
        return None
    found = project.get_class(q)
    return found[0] if found is not None else None


def local_routers(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Names a function body binds to a new router (``router = APIRouter(prefix=...)``, a project subclass
    of it too)."""
    if "Router" not in ctx.source and "FastAPI" not in ctx.source:
        return frozenset()
    out = set()
    assign, call = cst.Assign, cst.Call
    for n in own_statements(func):
        if type(n) is assign and type(n.value) is call:  # (types: see ``own_statements``)
            if makes_router(ctx.project, ctx.qualified_name(n.value.func)):
                out.update(t.target.value for t in n.targets if isinstance(t.target, cst.Name))
    return frozenset(out)


def _is_router_call(ctx: "FileContext", value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Call):
        return False
    return makes_router(ctx.project, ctx.qualified_name(value.func))


def registered_methods(ctx: "FileContext", cls: cst.ClassDef) -> dict[str, tuple[frozenset[str], Optional[str], cst.Decorator, str]]:
    """Methods a class registers on its own router (``self.router = APIRouter()`` and
    ``self.router.add_api_route("/items", self.list_items, methods=["GET"], response_model=...)``): method
    name -> its route's methods, path, decorator and router. The registering call stands for the decorator
    (its keywords are the route's)."""
    if "add_api_route" not in ctx.source:
        return {}
    routers: set[str] = set()
    calls: list[cst.Call] = []
    for n in walk(cls):
        if isinstance(n, cst.Assign) and _is_router_call(ctx, n.value):
            for t in n.targets:
                if isinstance(t.target, cst.Attribute) and isinstance(t.target.value, cst.Name) and t.target.value.value == "self":
                    routers.add(t.target.attr.value)
        elif isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "add_api_route":
            calls.append(n)
    out: dict[str, tuple[frozenset[str], Optional[str], cst.Decorator, str]] = {}
    for call in calls:
        receiver = call.func.value  # type: ignore[attr-defined]
        if not (isinstance(receiver, cst.Attribute) and dotted_name(receiver.value) == "self" and receiver.attr.value in routers):
            continue
        path = endpoint = None
        methods = frozenset({"GET"})
        for i, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword is not None else {0: "path", 1: "endpoint"}.get(i)
            if key == "path" and isinstance(arg.value, cst.SimpleString):
                path = str(arg.value.evaluated_value)
            elif key == "endpoint" and isinstance(arg.value, cst.Attribute) and dotted_name(arg.value.value) == "self":
                endpoint = arg.value.attr.value
            elif key == "methods" and isinstance(arg.value, (cst.List, cst.Tuple, cst.Set)):
                methods = frozenset(
                    str(el.value.evaluated_value).upper() for el in arg.value.elements if isinstance(el.value, cst.SimpleString)
                )
        if endpoint is not None and endpoint not in out:
            out[endpoint] = (methods, path, cst.Decorator(decorator=call), f"self.{receiver.attr.value}")
    return out


def local_route(func: cst.FunctionDef, routers: frozenset[str]) -> Optional[RouteInfo]:
    """The route of a handler decorated ``@<router>.<method>(...)`` with a router its enclosing function built."""
    if not routers:
        return None
    for dec in func.decorators:
        call = dec.decorator
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
            continue
        receiver = call.func.value
        attr = call.func.attr.value
        if attr not in ROUTE_DECORATORS or not (isinstance(receiver, cst.Name) and receiver.value in routers):
            continue
        path = None
        for i, arg in enumerate(call.args):
            if (arg.keyword is None and i == 0) or (arg.keyword is not None and arg.keyword.value == "path"):
                if isinstance(arg.value, cst.SimpleString):
                    path = str(arg.value.evaluated_value)
        methods = frozenset({"WEBSOCKET"} if attr == "websocket" else {"GET"} if attr == "api_route" else {attr.upper()})
        return RouteInfo(methods, path, dec, receiver.value, func, websocket=attr == "websocket")
    return None


def annotation_names(ctx: "FileContext", node: Optional[cst.BaseExpression], depth: int = 0) -> list[str]:
    """Qualified names an annotation or ``response_model=`` value names, through ``Optional``/``list``/
    ``Annotated`` (first item) and generic wrappers (``Page[ItemOut]``: both); strings are parsed."""
    if node is None or depth > 8:
        return []
    if isinstance(node, cst.SimpleString):
        try:
            parsed = cst.parse_expression(str(node.evaluated_value))
        except Exception:  # a string annotation that is not an expression
            return []
        return annotation_names(ctx, parsed, depth + 1)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return annotation_names(ctx, node.left, depth + 1) + annotation_names(ctx, node.right, depth + 1)
    if isinstance(node, cst.Subscript):
        head = ctx.qualified_name(node.value) or dotted_name(node.value) or ""
        items = [el.slice.value for el in node.slice if isinstance(el.slice, cst.Index)]
        if last_segment(head) == "Annotated":
            return annotation_names(ctx, items[0], depth + 1) if items else []
        out = [head] if head and not head.startswith(("typing.", "builtins.", "collections.")) and head not in ("list", "List", "Optional", "Union", "Sequence", "dict", "Dict") else []
        for item in items:
            out.extend(annotation_names(ctx, item, depth + 1))
        return out
    if isinstance(node, (cst.Name, cst.Attribute)):
        q = ctx.qualified_name(node) or dotted_name(node)
        return [q] if q and q != "None" else []
    return []


def decorator_keyword(route: RouteInfo, name: str) -> Optional[cst.Arg]:
    dec = route.decorator
    if dec is None or not isinstance(dec.decorator, cst.Call):
        return None
    return keyword_arg(dec.decorator, name)


def status_code(route: RouteInfo) -> Optional[int]:
    arg = decorator_keyword(route, "status_code")
    if arg is None:
        return None
    value = arg.value
    if isinstance(value, cst.Integer):
        return int(value.value)
    if isinstance(value, cst.Attribute):
        parts = value.attr.value.split("_")
        if len(parts) > 1 and parts[1].isdigit():
            return int(parts[1])
    return None


def is_schema(ctx: "FileContext", q: Optional[str]) -> bool:
    return bool(q) and is_pydantic_model(ctx.project, q) is True and not is_table_model(ctx.project, q)


def own_statements(func: cst.FunctionDef) -> Iterator[cst.CSTNode]:
    """Every node of a function body, nested functions and classes left out."""
    # (types, not ``isinstance``: libcst's node classes are ABCs, whose failing instance checks cost a call into
    # ``abc`` each; no libcst class derives from these three)
    nested = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
    stack: list[cst.CSTNode] = [func.body]
    pop, append = stack.pop, stack.append
    while stack:
        node = pop()
        yield node
        children = child_list(node)  # (``node.children`` rebuilds through a visitor: 4x slower)
        for child in reversed(children):
            kind = type(child)
            if kind is nested[0] or kind is nested[1] or kind is nested[2]:
                continue
            append(child)


# --- untyped bodies ----------------------------------------------------------------------------------------

_UNTYPED = frozenset({"dict", "Dict", "Any", "Mapping", "MutableMapping", "JSON", "Json", "object"})
_LISTS = frozenset({"list", "List", "Sequence"})
REQUEST_READS = ("json", "form")  # what ``request_reads`` reads a ``Request`` with


def untyped_annotation(ann: cst.BaseExpression) -> bool:
    """``dict``, ``Dict[str, Any]``, ``Any``, ``list[dict]``, ``Annotated[dict, Body()]``: no schema."""
    if isinstance(ann, (cst.Name, cst.Attribute)):
        return last_segment(dotted_name(ann)) in _UNTYPED
    if isinstance(ann, cst.Subscript):
        head = last_segment(dotted_name(ann.value))
        items = [el.slice.value for el in ann.slice if isinstance(el.slice, cst.Index)]
        if head in _UNTYPED:
            return True
        if head in _LISTS and len(items) == 1:
            return untyped_annotation(items[0])
        if head == "Annotated" and items:
            return untyped_annotation(items[0])
    return False


def untyped_annotation_tree(ann: ast.expr) -> bool:
    """``untyped_annotation`` on CPython's tree (BKL603's screen): the same names, heads and items."""
    if isinstance(ann, (ast.Name, ast.Attribute)):
        return (ann.id if isinstance(ann, ast.Name) else ann.attr) in _UNTYPED
    if isinstance(ann, ast.Subscript):
        spelled = spelled_name(ann.value)
        head = spelled[1] if spelled is not None else ""
        items = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if head in _UNTYPED:
            return True
        if head in _LISTS and len(items) == 1:
            return untyped_annotation_tree(items[0])
        if head == "Annotated" and items:
            return untyped_annotation_tree(items[0])
    return False


def request_reads(ctx: "FileContext", func: cst.FunctionDef) -> Iterator[tuple[cst.CSTNode, str, str]]:
    """``data = await request.json()`` / ``form = await request.form()`` on a ``Request`` parameter:
    (the read, the name it is bound to, ``request.json()``)."""
    requests = {
        p.name.value
        for p in [*func.params.params, *func.params.kwonly_params, *func.params.posonly_params]
        if p.annotation is not None and last_segment(ctx.qualified_name(p.annotation.annotation) or "") == "Request"
    }
    if not requests:
        return
    for n in own_statements(func):
        if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
            call = _read_call(n.value, requests)
            if call is not None:
                yield n.value, n.targets[0].target.value, call


def _read_call(value: cst.BaseExpression, requests: set[str]) -> Optional[str]:
    if isinstance(value, cst.Await):
        value = value.expression
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in REQUEST_READS
        and isinstance(value.func.value, cst.Name)
        and value.func.value.value in requests
    ):
        return f"{value.func.value.value}.{value.func.attr.value}()"
    return None
