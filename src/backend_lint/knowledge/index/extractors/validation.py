"""Facts for family 6 (request and response models are explicit and strict), under
``facts["extra"]["validation"]``.

- ``routes``: route-like functions (decorated by ``<receiver>.<http method>(...)``, at module level, in a
  class body for class-based views, or nested in a function that builds the router: ``router_call`` then
  names the class the local router was made from) with what they answer: ``model`` (the classes ``response_model=`` names,
  through ``Optional``/``list``/``Annotated`` and generic wrappers such as ``Page[ItemOut]``; ``"none"`` for
  ``response_model=None``; absent when not given), ``returns`` (the same for the return annotation),
  ``responses`` (the ``"model"`` entries of ``responses={...}``), ``path`` (or ``path_name``, the constant
  that holds it), ``status``, the function's ``name`` and ``params`` (per parameter with a type: the classes
  its annotation names and the calls that mark it, ``Depends``, ``Query``, ``Body``..., as the timezone facts
  spell them). Functions registered with ``<router>.add_api_route(path, endpoint, ...)`` count too: at module
  level, or in a function that builds the router, with the endpoint a module-level function or one nested
  in that function (the call's keywords are the route's).
- ``configs``: per module-level class that spells its pydantic config, ``{"extra": <source of the extra
  setting> | None, "str_max": bool, "v1": bool}``: ``model_config = ConfigDict(...)`` / ``{...}``, a nested
  ``class Config`` (``v1``) or class keywords (``class M(BaseModel, extra="forbid")``); ``str_max`` when a
  ``str_max_length`` / ``max_anystr_length`` bound covers every string field.
- ``transformed``: per module-level class, the fields its ``field_serializer`` / ``field_validator`` /
  ``validator`` methods name (``"*"`` for a ``model_serializer``), and the fields its methods fill with a
  masked value (``cls(api_key=secret.get_value(apply_mask=True))``): a secret-named field may be redacted there.
- ``router_responses``: the ``"model"`` classes of ``responses={...}`` given to ``APIRouter(...)`` /
  ``FastAPI(...)`` / ``include_router(...)`` calls at module level.

The test that the receiver is a router is made by the reader (``knowledge/validation.py``).
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, mentions, mentions_lowered, own_nodes, store, walk, walk_function
from .timezone import _type_names as _param_types  # (one reading of parameter annotations for both families)

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route"})
_TRANSPARENT = frozenset(
    {
        "typing.Optional", "typing.Union", "typing_extensions.Optional", "typing.List", "typing.Sequence",
        "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Iterable", "typing.Iterator",
        "typing.AsyncIterator", "collections.abc.Sequence", "collections.abc.Iterable", "builtins.list",
        "builtins.set", "builtins.tuple", "builtins.frozenset", "list", "set", "tuple", "frozenset", "Optional",
        "Union", "List", "Sequence", "typing.Annotated", "typing_extensions.Annotated", "Annotated",
        "typing.Dict", "builtins.dict", "dict", "Dict", "typing.Mapping",
    }
)
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated", "Annotated"})


def type_names(node: Optional[ast.AST], resolve: Resolve, depth: int = 0) -> list[str]:
    """Classes an annotation names: through ``Optional``/``Union``/``list``/``Annotated`` (its first item) and
    generic wrappers (``Page[ItemOut]`` names ``Page`` and ``ItemOut``); string annotations are parsed."""
    if node is None or depth > 8:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return type_names(node.left, resolve, depth + 1) + type_names(node.right, resolve, depth + 1)
    if isinstance(node, ast.Subscript):
        head = resolve(node.value) or ""
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in _ANNOTATED:
            return type_names(elts[0], resolve, depth + 1) if elts else []
        out: list[str] = [] if head in _TRANSPARENT or head.startswith("typing.") else [head]
        for e in elts:
            out.extend(type_names(e, resolve, depth + 1))
        return [o for o in out if o]
    if isinstance(node, (ast.Name, ast.Attribute)):
        q = resolve(node)
        return [q] if q and q != "None" else []
    return []


def _responses(value: ast.AST, resolve: Resolve) -> list[str]:
    out: list[str] = []
    if isinstance(value, ast.Dict):
        for entry in value.values:
            if isinstance(entry, ast.Dict):
                for k, v in zip(entry.keys, entry.values):
                    if isinstance(k, ast.Constant) and k.value == "model":
                        out.extend(type_names(v, resolve))
    return out


def _route(fn: ast.AST, resolve: Resolve) -> Optional[dict[str, Any]]:
    assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
    for dec in fn.decorator_list:
        if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_METHODS):
            continue
        entry: dict[str, Any] = {"line": fn.lineno, "receiver": resolve(dec.func.value), "method": dec.func.attr, "name": fn.name}
        path = dec.args[0] if dec.args else next((kw.value for kw in dec.keywords if kw.arg == "path"), None)
        return _described(entry, fn, path, dec.keywords, resolve)
    return None


def _described(entry: dict[str, Any], fn: ast.AST, path: Optional[ast.AST], keywords: list[ast.keyword], resolve: Resolve) -> dict[str, Any]:
    """The route's path, what its keywords (a decorator's or an ``add_api_route`` call's) and the return
    annotation of its function say it answers."""
    if isinstance(path, ast.Constant) and isinstance(path.value, str):
        entry["path"] = path.value
    elif isinstance(path, (ast.Name, ast.Attribute)):
        entry["path_name"] = ast.unparse(path)  # ``LOGIN``, ``routes.TOKEN``: a constant named like it
    for kw in keywords:
        if kw.arg == "path":
            continue
        elif kw.arg == "response_model":
            if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                entry["model"] = "none"
            else:
                entry["model"] = type_names(kw.value, resolve)
        elif kw.arg == "status_code":
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int):
                entry["status"] = kw.value.value
            elif isinstance(kw.value, ast.Attribute):
                digits = "".join(ch for ch in kw.value.attr.split("_")[1:2] if ch.isdigit())
                if digits:
                    entry["status"] = int(digits)
        elif kw.arg == "responses":
            found = _responses(kw.value, resolve)
            if found:
                entry["responses"] = found
    returns = type_names(getattr(fn, "returns", None), resolve)
    if returns:
        entry["returns"] = returns
    params = _params(fn, resolve)
    if params:
        entry["params"] = params
    return entry


def _params(fn: ast.AST, resolve: Resolve) -> list[dict[str, Any]]:
    """Per parameter with a type: its ``name``, the classes its annotation names (``types``) and the calls
    that mark it (``markers``: ``Annotated`` metadata and the default; a default that is a name is given
    as ``"=<qualified name>"``, ``"=?"`` when it is none of the module's)."""
    args: ast.arguments = fn.args  # type: ignore[attr-defined]
    positional = args.posonlyargs + args.args
    defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = []
    for arg, default in list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults)):
        markers: list[str] = []
        types = _param_types(arg.annotation, resolve, markers)
        if isinstance(default, ast.Call):
            markers.append(resolve(default.func) or "")
        elif isinstance(default, (ast.Name, ast.Attribute)):
            # ``user: User = current_user`` with ``current_user = Depends(...)``, or a ``Depends`` the
            # enclosing function was given: the reader follows the name, ``"?"`` when it cannot be followed
            markers.append("=" + (resolve(default) or "?"))
        if types:
            out.append({"name": arg.arg, "types": types, "markers": markers})
    return out


def _added_route(call: ast.Call, functions: dict[str, ast.AST], resolve: Resolve, router_call: Optional[str]) -> Optional[dict[str, Any]]:
    """The route a ``<receiver>.add_api_route(path, endpoint, methods=[...], ...)`` call registers, when the
    endpoint is one of ``functions``; with ``router_call`` when the receiver is a router the enclosing
    function built, else the resolved receiver."""
    given: dict[str, ast.AST] = {("path", "endpoint")[i]: a for i, a in enumerate(call.args[:2])}
    given.update((kw.arg, kw.value) for kw in call.keywords if kw.arg in ("path", "endpoint", "methods"))
    endpoint = given.get("endpoint")
    fn = functions.get(endpoint.id) if isinstance(endpoint, ast.Name) else None
    if fn is None:
        return None
    verbs = given.get("methods")
    verb = "get"
    if isinstance(verbs, (ast.List, ast.Tuple, ast.Set)) and verbs.elts and isinstance(verbs.elts[0], ast.Constant):
        verb = str(verbs.elts[0].value).lower()
    receiver = call.func.value  # type: ignore[attr-defined]
    entry: dict[str, Any] = {"line": fn.lineno, "receiver": None if router_call else resolve(receiver), "method": verb, "name": fn.name}  # type: ignore[attr-defined]
    if router_call:
        entry["router_call"] = router_call
    return _described(entry, fn, given.get("path"), call.keywords, resolve)


def _is_add_route(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_api_route"


def _registered_routes(cls: ast.ClassDef, resolve: Resolve) -> list[dict[str, Any]]:
    """Methods a class registers on its own router: ``self.router = APIRouter()`` then
    ``self.router.add_api_route("/items", self.list_items, methods=["GET"], response_model=ItemOut)``
    (agenta's controllers); each with ``router_call``, the class the router was made from."""
    if not mentions("add_api_route"):
        return []
    assigns: list[ast.Assign] = []
    calls: list[ast.Call] = []
    for node in walk(cls):
        kind = node.__class__
        if kind is ast.Assign and isinstance(node.value, ast.Call):
            assigns.append(node)
        elif kind is ast.Call and isinstance(node.func, ast.Attribute) and node.func.attr == "add_api_route":
            calls.append(node)
    if not calls:  # no registration: nothing to resolve
        return []
    routers: dict[str, str] = {}
    for node in assigns:  # in ``ast.walk``'s order: a later binding of an attribute wins
        call = resolve(node.value.func)  # type: ignore[attr-defined]
        for t in node.targets:
            if call and isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                routers[t.attr] = call
    methods = {m.name: m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    out: list[dict[str, Any]] = []
    for call in calls:
        receiver = call.func.value  # type: ignore[attr-defined]
        if not (isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and receiver.value.id == "self"):
            continue
        if receiver.attr not in routers:
            continue
        args = {0: "path", 1: "endpoint"}
        given = {args[i]: a for i, a in enumerate(call.args[:2])}
        given.update((kw.arg, kw.value) for kw in call.keywords if kw.arg in ("path", "endpoint", "methods"))
        endpoint = given.get("endpoint")
        if not (isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, ast.Name) and endpoint.value.id == "self"):
            continue
        fn = methods.get(endpoint.attr)
        if fn is None:
            continue
        verbs = given.get("methods")
        verb = "get"
        if isinstance(verbs, (ast.List, ast.Tuple, ast.Set)) and verbs.elts and isinstance(verbs.elts[0], ast.Constant):
            verb = str(verbs.elts[0].value).lower()
        entry: dict[str, Any] = {"line": fn.lineno, "receiver": None, "method": verb, "name": fn.name, "router_call": routers[receiver.attr]}
        out.append(_described(entry, fn, given.get("path"), call.keywords, resolve))
    return out


def _config(cls: ast.ClassDef) -> Optional[dict[str, Any]]:
    extra: Optional[str] = None
    str_max = v1 = False
    spelled = False
    for kw in cls.keywords:
        if kw.arg == "extra":
            extra, spelled = ast.unparse(kw.value), True
        elif kw.arg == "str_max_length":
            str_max = spelled = True
    for item in cls.body:
        if isinstance(item, (ast.Assign, ast.AnnAssign)) and item.value is not None:
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            if not any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                continue
            spelled = True
            value = item.value
            if isinstance(value, ast.Call):
                for kw in value.keywords:
                    if kw.arg == "extra":
                        extra = ast.unparse(kw.value)
                    elif kw.arg == "str_max_length":
                        str_max = True
            elif isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values):
                    if isinstance(k, ast.Constant) and k.value == "extra":
                        extra = ast.unparse(v)
                    elif isinstance(k, ast.Constant) and k.value == "str_max_length":
                        str_max = True
        elif isinstance(item, ast.ClassDef) and item.name == "Config":
            spelled = v1 = True
            for sub in item.body:
                if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    names = {t.id for t in targets if isinstance(t, ast.Name)}
                    if "extra" in names:
                        extra = ast.unparse(sub.value)
                    if names & {"max_anystr_length", "str_max_length"}:
                        str_max = True
    if not spelled:
        return None
    return {"extra": extra, "str_max": str_max, "v1": v1}


def _local_routes(fn: ast.AST, resolve: Resolve, module_functions: dict[str, ast.AST], depth: int = 0) -> list[dict[str, Any]]:
    """Routes of the routers a function builds (``router = APIRouter(); @router.get(...)`` in its body, or
    ``router.add_api_route(path, endpoint)`` with a nested or module-level endpoint), in nested functions at
    any depth; each with ``router_call``, the class the router was made from."""
    out: list[dict[str, Any]] = []
    if depth > 4:
        return out
    nodes, inner = own_nodes(fn)  # (shared with the flow extractor)
    if not inner and not mentions("add_api_route"):
        return out  # no nested function, no registration: no local route
    assigns: list[ast.Assign] = []
    added: list[ast.Call] = []
    for node in nodes:
        kind = node.__class__
        if kind is ast.Assign and isinstance(node.value, ast.Call):
            assigns.append(node)
        elif kind is ast.Call and _is_add_route(node):
            added.append(node)  # type: ignore[arg-type]
    if not inner and not added:  # no nested function, no registration: no local route (nothing to resolve)
        return out
    routers: dict[str, str] = {}
    for node in assigns:  # in the walk's order: a later binding of a name wins
        call = resolve(node.value.func)  # type: ignore[attr-defined]
        if call:
            routers.update((t.id, call) for t in node.targets if isinstance(t, ast.Name))
    for sub in inner:
        route = _route(sub, resolve)
        if route is not None and isinstance(route.get("receiver"), str) and route["receiver"] in routers:
            route["router_call"] = routers[route["receiver"]]
            out.append(route)
        out.extend(_local_routes(sub, resolve, module_functions, depth + 1))
    if added:
        functions = {**module_functions, **{f.name: f for f in inner}}  # type: ignore[attr-defined]
        for call in added:
            receiver = call.func.value  # type: ignore[attr-defined]
            local = routers.get(receiver.id) if isinstance(receiver, ast.Name) else None
            route = _added_route(call, functions, resolve, local)
            if route is not None:
                out.append(route)
    return out


_TRANSFORMERS = frozenset({"field_serializer", "field_validator", "validator", "model_serializer", "root_validator", "model_validator"})


_MASK_WORDS = ("mask", "redact", "obfuscat", "censor")


def _masks(node: ast.AST) -> bool:
    """The expression masks a value: ``mask_key(k)``, ``redact(...)``, ``secret.get_value(apply_mask=True)``."""
    for sub in walk(node):
        if isinstance(sub, ast.keyword) and sub.arg and "mask" in sub.arg:
            if isinstance(sub.value, ast.Constant) and sub.value.value is True:
                return True
        elif isinstance(sub, ast.Call):
            func = sub.func
            name = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")).lower()
            if any(w in name for w in _MASK_WORDS):
                return True
    return False


def _mask_spelled(sub: Any) -> bool:
    """``sub`` is a node ``_masks`` answers yes for: a ``mask...=True`` keyword or a masking call."""
    kind = sub.__class__
    if kind is ast.keyword:
        return bool(sub.arg) and "mask" in sub.arg and isinstance(sub.value, ast.Constant) and sub.value.value is True
    if kind is ast.Call:
        func = sub.func
        name = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")).lower()
        return any(w in name for w in _MASK_WORDS)
    return False


def _masked_keywords(fn: ast.AST) -> list[str]:
    """Fields a method (``from_model``...) fills with a masked value: ``api_key=mask(k)``, or
    ``api_key=key`` after ``key = secret.get_value(apply_mask=True)``."""
    if not mentions_lowered(*_MASK_WORDS):  # (``mask`` also covers the keywords: a word in the text)
        return []
    nodes = walk_function(fn)
    if not any(_mask_spelled(sub) for sub in nodes):  # nothing masks here (``_masks`` would say no to all)
        return []
    masked_names: set[str] = set()
    calls: list[ast.Call] = []
    for sub in nodes:
        if isinstance(sub, ast.Assign) and _masks(sub.value):
            masked_names.update(t.id for t in sub.targets if isinstance(t, ast.Name))
        elif isinstance(sub, ast.Call) and sub.keywords:
            calls.append(sub)
    out = []
    for call in calls:
        for kw in call.keywords:
            if kw.arg and ((isinstance(kw.value, ast.Name) and kw.value.id in masked_names) or _masks(kw.value)):
                out.append(kw.arg)
    return out


def _transformed(cls: ast.ClassDef) -> list[str]:
    out: list[str] = []
    for item in cls.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        out.extend(_masked_keywords(item))
        for dec in item.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in _TRANSFORMERS:
                continue
            if name in ("model_serializer", "root_validator", "model_validator"):
                out.append("*")
            elif isinstance(dec, ast.Call):
                # ``field_validator("*")`` checks every field's input (polar's NUL check): it redacts nothing
                out.extend(a.value for a in dec.args if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value != "*")
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    routes: list[dict[str, Any]] = []
    configs: dict[str, Any] = {}
    transformed: dict[str, list[str]] = {}
    router_responses: list[str] = []
    module_functions = {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for stmt in tree.body:
        functions: list[ast.AST] = []
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            config = _config(stmt)
            if config is not None:
                configs[stmt.name] = config
            changed = _transformed(stmt)
            if changed:
                transformed[stmt.name] = changed
            functions.extend(s for s in stmt.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
            routes.extend(_registered_routes(stmt, resolve))
        elif isinstance(stmt, ast.Expr) and _is_add_route(stmt.value):
            route = _added_route(stmt.value, module_functions, resolve, None)  # type: ignore[arg-type]
            if route is not None:
                routes.append(route)
        elif isinstance(stmt, (ast.Assign, ast.Expr)) and isinstance(stmt.value, ast.Call):
            for kw in stmt.value.keywords:
                if kw.arg == "responses":
                    router_responses.extend(_responses(kw.value, resolve))
        for fn in functions:
            route = _route(fn, resolve)
            if route is not None:
                routes.append(route)
            routes.extend(_local_routes(fn, resolve, module_functions))
    store(facts, "validation", {}, routes=routes, configs=configs, transformed=transformed, router_responses=router_responses)
