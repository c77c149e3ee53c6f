"""Flask vocabulary for families 1 and 2: views, the decorators that authenticate them, and the request's caller.

A *Flask view* is
- a function decorated ``@<app or blueprint>.route(rule, methods=[...])`` or ``.get/post/put/patch/delete(rule)``
  where the receiver holds a ``Flask`` / ``Blueprint`` (flask, flask-smorest, APIFlask) or a project subclass,
  made in the module or imported from another project module;
- a function registered with ``<x>.add_url_rule(rule, endpoint, view_func=fn)`` in its module;
- a method named after an HTTP method (``get``, ``post``, ...) of a class deriving from ``flask.views.MethodView`` /
  ``View`` or a Flask-RESTful / Flask-RESTX ``Resource`` (directly or through project bases): Flask-RESTful's
  ``api.add_resource(Cls, rule)`` and ``bp.add_url_rule(rule, view_func=Cls.as_view(...))`` register every such
  method, and the class's ``method_decorators`` / ``decorators`` lists wrap each of them.
Every parameter of a view is a value of the URL rule (``<int:id>``): the client's key.

A view is *authenticated* when one of its decorators is Flask-Login's ``login_required``, flask-jwt-extended's
``jwt_required()``, Flask-Security's ``auth_required`` / ``login_required``, an ``HTTPAuth`` object's
``login_required``, or a project decorator (or decorator factory, also through a module-level alias of the
factory's result: ``with_user = only_for(("user",))``) whose wrapper authenticates (index fact ``flask_auth``:
it calls ``verify_jwt_in_request()`` / ``get_jwt_identity()`` / a ``verify``/``decode`` of a token or session,
reads ``current_user.is_authenticated``, or tests an attribute of ``flask.g`` and exits). A decorator named for
administrators (``admin``, ``superuser``) or given such a role (``@roles_required("admin")``,
``@requires(Permissions.server_administrator)``) makes the view admin-only.

The *caller* of an authenticated view is a global: Flask-Login's / flask-jwt-extended's / Flask-Security's
``current_user``, an attribute of ``flask.g`` that an authenticating decorator or ``before_request`` hook binds to
a value it computed (``g.user = user``, ``g.auth_user = APIKey.verify_token(token)``), and a local bound to
``get_current_user()`` (the principal) or ``get_jwt_identity()`` (the caller's id).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..ground.lazy import lazy_import

from .cst import definition_names_of, iter_children
from .facts import orm_facts
from .flask_blueprints import unregistered_blueprints
from .fastapi import HTTP_METHODS, RouteInfo
from .imports import dotted_name, last_segment
from .repositories import enclosing_class, module_instance_class, self_attribute_class

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

cst = lazy_import("libcst")

FLASK_ROUTERS = frozenset(
    {
        "flask.Flask",
        "flask.app.Flask",
        "flask.Blueprint",
        "flask.blueprints.Blueprint",
        "flask_smorest.Blueprint",
        "flask_smorest.blueprint.Blueprint",
        "apiflask.APIFlask",
        "apiflask.APIBlueprint",
    }
)
VIEW_CLASSES = frozenset(
    {
        "flask.views.MethodView",
        "flask.views.View",
        "flask.MethodView",
        "flask_restful.Resource",
        "flask_restx.Resource",
        "flask_restplus.Resource",
        "flask_smorest.MethodView",
    }
)
ROUTE_METHODS = frozenset(("route",) + HTTP_METHODS[:5])
LIBRARY_AUTH_DECORATORS = frozenset(
    {
        "flask_login.login_required",
        "flask_login.fresh_login_required",
        "flask_login.utils.login_required",
        "flask_login.utils.fresh_login_required",
        "flask_jwt_extended.jwt_required",
        "flask_jwt_extended.view_decorators.jwt_required",
        "flask_security.auth_required",
        "flask_security.login_required",
        "flask_security.decorators.auth_required",
        "flask_security.decorators.login_required",
        "flask_praetorian.auth_required",
    }
)
GLOBAL_PRINCIPALS = frozenset(
    {
        "flask_login.current_user",
        "flask_login.utils.current_user",
        "flask_jwt_extended.current_user",
        "flask_jwt_extended.utils.current_user",
        "flask_security.current_user",
    }
)
PRINCIPAL_GETTERS = frozenset({"flask_jwt_extended.get_current_user", "flask_jwt_extended.utils.get_current_user", "flask_praetorian.current_user"})
IDENTITY_GETTERS = frozenset({"flask_jwt_extended.get_jwt_identity", "flask_jwt_extended.utils.get_jwt_identity"})
FLASK_G = frozenset({"flask.g", "flask.globals.g"})
# the principal of an authenticated view whose module spells no global that holds the caller
CALLER = "<flask caller>"
# the words of a file that may hold a Flask view (family 1 and 2 screens)
SCREEN_WORDS = ("flask",)
_ADMIN_NAME = re.compile(r"admin|superuser|moderat", re.I)


@dataclass
class FlaskView:
    route: RouteInfo
    decorators: tuple[Any, ...]  # decorator expressions (the function's own and its class's ``method_decorators``)
    # the ``decorators`` / ``method_decorators`` of the class's project bases, resolved where they are written:
    # (qualified name, called)
    inherited: tuple[tuple[str, bool], ...] = ()
    # properties of the class (or its project bases) that hold the caller's values (``caller_attributes``)
    caller_attributes: tuple[str, ...] = ()
    # why the ``dispatch_request`` of the class or of a project base authenticates every request
    # (``dispatch_authentication``), or ``None``
    dispatched: Optional[str] = None


def flask_request_name(ctx: "FileContext") -> Optional[str]:
    """How the module spells Flask's global ``request`` (``request``, ``flask.request``, an alias), or ``None``
    when it does not import it."""
    return ctx.cached(
        "flask.request_name",
        lambda: ctx.imports.local_name_for("flask.request") or ctx.imports.local_name_for("flask.globals.request"),
    )


def flask_module(ctx: "FileContext") -> bool:
    return "flask" in ctx.source


def flask_view(ctx: "FileContext", func: cst.FunctionDef) -> Optional[FlaskView]:
    """The Flask view this function is, or ``None``."""
    if not flask_module(ctx) and "add_url_rule" not in ctx.source and ctx.project is None:
        return None
    return ctx.cached(("flask.view", id(func)), lambda: _flask_view(ctx, func))


def flask_view_helper(ctx: "FileContext", func: cst.FunctionDef) -> Optional[FlaskView]:
    """A method of a Flask view class (or of its project base) that the class's own authenticated views call on
    ``self`` (vantage6's ``self.get_single_run(id)`` in ``Run.get`` under ``@only_for(...)``): it runs in the
    view's request, so the view's caller (``current_user``, ``g.user``) is its caller too, and what the view
    hands it is what the client sent. Read as a view whose decorators are those of the first such calling view
    (its parameters the client's values), or ``None``. HTTP-method methods themselves are views
    (``flask_view``); a method only the class's anonymous views call is no such helper."""
    if ctx.project is None or not flask_module(ctx):
        return None
    return ctx.cached(("flask.view_helper", id(func)), lambda: _flask_view_helper(ctx, func))


def _flask_view_helper(ctx: "FileContext", func: cst.FunctionDef) -> Optional[FlaskView]:
    name = definition_names_of(ctx).get(id(func))
    if name is None or name.count(".") != 1:
        return None
    cls_name, _, method = name.partition(".")
    if method in HTTP_METHODS or method.startswith("__"):
        return None
    classes = {s.name.value: s for s in ctx.module.body if isinstance(s, cst.ClassDef)}
    if cls_name not in classes or not _view_class(ctx, classes[cls_name]):
        return None
    project = ctx.project
    owner = f"{ctx.module_name}.{cls_name}"
    for other_name, other in classes.items():
        if other_name != cls_name and not any(n == owner for n, _f in project.class_mro(f"{ctx.module_name}.{other_name}")):
            continue  # (the class itself or one deriving from it)
        body = other.body.body if isinstance(other.body, cst.IndentedBlock) else ()
        for stmt in body:
            if not isinstance(stmt, cst.FunctionDef) or stmt.name.value not in HTTP_METHODS:
                continue
            if not _calls_self_method(stmt, method):
                continue
            view = flask_view(ctx, stmt)
            if view is None or flask_caller(ctx, stmt, view).authenticated is None:
                continue
            route = RouteInfo(view.route.methods, _rule_of_params(func), None, "?", func)
            return FlaskView(route, view.decorators, view.inherited, view.caller_attributes, view.dispatched)
    return None


def _calls_self_method(func: cst.FunctionDef, method: str) -> bool:
    stack: list[Any] = [func.body]
    while stack:
        node = stack.pop()
        if (
            isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method
            and isinstance(node.func.value, cst.Name) and node.func.value.value == "self"
        ):
            return True
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(iter_children(node))
    return False


def _module_routers(ctx: "FileContext") -> frozenset[str]:
    def build() -> frozenset[str]:
        out: set[str] = set()
        for stmt in ctx.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
                    if makes_flask_router(ctx.project, ctx.qualified_name(small.value.func)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        out.update(t.value for t in targets if isinstance(t, cst.Name))
        return frozenset(out)

    return ctx.cached("flask.routers", build)


def makes_flask_router(project: Optional["ProjectIndex"], q: Optional[str]) -> bool:
    """Calling ``q`` makes a Flask app or blueprint: one of ``FLASK_ROUTERS`` or a project subclass."""
    if not q:
        return False
    if q in FLASK_ROUTERS:
        return True
    if project is None:
        return False
    cls = project.get_class(q)
    return cls is not None and any(name in FLASK_ROUTERS for name, _facts in project.class_mro(cls[0]))


def _is_router(ctx: "FileContext", expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name) and expr.value in _module_routers(ctx):
        return True
    project = ctx.project
    q = ctx.qualified_name(expr)
    if project is None or not q:
        return False
    found = project.resolve_symbol(q)
    if found is None or found[2] != "assignments":
        return False
    return makes_flask_router(project, project.modules[found[0]]["assignments"][found[1]].get("call"))


def _unregistered_receiver(ctx: "FileContext", expr: cst.BaseExpression) -> bool:
    """The route decorator's receiver is a blueprint the project never registers (``flask_blueprints``)."""
    dead = unregistered_blueprints(ctx.project)
    if not dead:
        return False
    if isinstance(expr, cst.Name) and expr.value in _module_routers(ctx):
        try:
            return f"{ctx.module_name}.{expr.value}" in dead
        except Exception:  # a file outside the index's roots
            return False
    return (ctx.qualified_name(expr) or "") in dead


def _string(call: cst.Call, position: int, keywords: tuple[str, ...]) -> Optional[str]:
    for i, arg in enumerate(call.args):
        if (arg.keyword is None and arg.star == "" and i == position) or (arg.keyword is not None and arg.keyword.value in keywords):
            return arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None  # type: ignore[return-value]
    return None


def _methods(call: cst.Call, default: str) -> frozenset[str]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "methods" and isinstance(arg.value, (cst.List, cst.Tuple, cst.Set)):
            return frozenset(str(el.value.evaluated_value).upper() for el in arg.value.elements if isinstance(el.value, cst.SimpleString))
    return frozenset({default})


def _rule_of_params(func: cst.FunctionDef) -> str:
    """A rule naming every parameter of the view (Flask hands the view the rule's values as keywords)."""
    names = [p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params) if p.name.value not in ("self", "cls")]
    return "/" + "/".join(f"<{n}>" for n in names)


def _flask_view(ctx: "FileContext", func: cst.FunctionDef) -> Optional[FlaskView]:
    first: Optional[tuple[frozenset[str], Optional[str], cst.Call]] = None
    for dec in func.decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        attr = call.func.attr.value
        if attr not in ROUTE_METHODS or not _is_router(ctx, call.func.value):
            continue
        if _unregistered_receiver(ctx, call.func.value):
            continue  # a blueprint nothing registers: this rule serves no request
        methods = _methods(call, "GET") if attr == "route" else frozenset({attr.upper()})
        rule = _string(call, 0, ("rule",))
        if first is None:
            first = (methods, rule, call)
        elif rule is not None and first[1] is not None and rule.count("<") > first[1].count("<"):
            # stacked rules (``/user/create`` and ``/user/edit/<int:user_id>``): the view's parameters are the
            # variables of any of them (a rule without one hands the default), so the rule naming the most
            first = (first[0], rule, first[2])
    if first is not None:
        methods, rule, call = first
        route = RouteInfo(methods, rule if rule is not None else _rule_of_params(func), None, dotted_name(call.func.value) or "?", func)  # type: ignore[attr-defined]
        return FlaskView(route, tuple(d.decorator for d in func.decorators))
    name = definition_names_of(ctx).get(id(func))
    if name is None:
        return None
    if "." not in name:
        registered = _url_rules(ctx).get(name)
        if registered is None:
            return None
        methods, rule = registered
        route = RouteInfo(methods, rule if rule is not None else _rule_of_params(func), None, "?", func)
        return FlaskView(route, tuple(d.decorator for d in func.decorators))
    cls_name, _, method = name.partition(".")
    if method not in HTTP_METHODS or "." in cls_name or ctx.project is None:
        return None
    cls_node = next((s for s in ctx.module.body if isinstance(s, cst.ClassDef) and s.name.value == cls_name), None)
    if cls_node is None or not _view_class(ctx, cls_node):
        return None
    route = RouteInfo(frozenset({method.upper()}), _rule_of_params(func), None, "?", func)
    q = f"{ctx.module_name}.{cls_name}"
    inherited = _inherited_decorators(ctx.project, q)
    held = caller_attributes(ctx.project, q)
    dispatched = dispatch_authentication(ctx.project, q)
    return FlaskView(route, tuple(d.decorator for d in func.decorators) + _class_decorators(cls_node), inherited, held, dispatched)


def dispatch_authentication(project: Optional["ProjectIndex"], q: str) -> Optional[str]:
    """Why the view class ``q`` authenticates every request in ``dispatch_request`` (its own or a project
    base's: annot's ``AuthorizedBaseRoute.dispatch_request`` calling ``jwt_required()(lambda: None)()`` before
    ``super().dispatch_request(...)``; index fact ``dispatch``), or ``None``. The nearest override decides; one
    that does not authenticate still lets a base's run when it hands the request on with ``super()``."""
    if project is None:
        return None
    for name, facts in project.class_mro(q):
        if not facts or "dispatch_request" not in facts.get("methods", ()):
            continue
        where = project.split(name)
        if where is None:
            return None
        entry = (orm_facts(project.modules[where[0]]).get("methods", {}).get(f"{where[1]}.dispatch_request") or {}).get("dispatch")
        if entry is None:
            return None
        if entry.get("auth"):
            return f"`{last_segment(name)}.dispatch_request` {entry['auth']}"
        if not entry.get("super"):
            return None
    return None


def _inherited_decorators(project: "ProjectIndex", q: str) -> tuple[tuple[str, bool], ...]:
    """The ``decorators = [login_required]`` / ``method_decorators`` lists of the project bases of the view class
    ``q`` (redash's ``BaseResource``), each decorator resolved in its base's module: (qualified name, called).
    The class's own list is read from its tree (``_class_decorators``)."""
    out: list[tuple[str, bool]] = []
    for name, facts in project.class_mro(q)[1:]:
        if not facts:
            continue
        where = project.split(name)
        if where is None:
            continue
        imports = project.modules[where[0]].get("imports", {})
        for attr in ("decorators", "method_decorators"):
            value = facts.get("fields", {}).get(attr, {}).get("value")
            if not value:
                continue
            try:
                node = ast.parse(value, mode="eval").body
            except SyntaxError:
                continue
            elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
            for el in elements:
                called = isinstance(el, ast.Call)
                target = el.func if called else el
                spelled = ast.unparse(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
                if not spelled:
                    continue
                head, _, rest = spelled.partition(".")
                resolved = imports.get(head)
                out.append(((f"{resolved}.{rest}" if rest else resolved) if resolved else f"{where[0]}.{spelled}", called))
        if out:
            break  # the nearest base that sets the list: Python's attribute lookup
    return tuple(out)


_PROXIES = frozenset({"werkzeug.local.LocalProxy", "werkzeug.LocalProxy"})
_NOT_CALLER_PROXIES = frozenset({"current_app", "request", "session", "g"})


def caller_attributes(project: Optional["ProjectIndex"], q: str) -> tuple[str, ...]:
    """Properties of the view class ``q`` or of its project bases that return the caller or a value of the
    caller's (index fact ``property``: ``return current_user._get_current_object()``, ``return g.user``,
    ``return current_user.org``, or a project ``LocalProxy`` named ``current_<x>``, redash's ``current_org``):
    ``self.<name>`` in the class's methods holds the caller's value (redash's ``self.current_user`` /
    ``self.current_org``)."""
    if project is None:
        return ()
    g_attrs = principal_g_attributes(project)
    out: list[str] = []
    for name, facts in project.class_mro(q):
        if not facts:
            continue
        where = project.split(name)
        if where is None:
            continue
        methods = orm_facts(project.modules[where[0]]).get("methods", {})
        for method in facts.get("methods", ()):
            held = (methods.get(f"{where[1]}.{method}") or {}).get("property")
            if held and method not in out and _caller_value(project, held, g_attrs):
                out.append(method)
    return tuple(out)


def _caller_value(project: "ProjectIndex", dotted: str, g_attrs: frozenset[str]) -> bool:
    if any(dotted == p or dotted.startswith(p + ".") for p in GLOBAL_PRINCIPALS):
        return True
    for g in FLASK_G:
        if dotted.startswith(g + "."):
            return dotted[len(g) + 1 :].split(".")[0] in g_attrs
    found = project.resolve_symbol(dotted)
    if found is None or found[2] != "assignments":
        return False
    name = found[1]
    call = project.modules[found[0]]["assignments"][found[1]].get("call")
    return call in _PROXIES and name.startswith("current_") and name not in _NOT_CALLER_PROXIES


def _view_class(ctx: "FileContext", cls: cst.ClassDef) -> bool:
    project = ctx.project
    if project is None:
        return False
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return False
    if not module:
        return False
    return any(name in VIEW_CLASSES for name, _facts in project.class_mro(f"{module}.{cls.name.value}"))


def _class_decorators(cls: cst.ClassDef) -> tuple[Any, ...]:
    """Flask-RESTful's ``method_decorators = [...]`` (or ``{"get": [...]}``) and ``View.decorators = [...]``."""
    out: list[Any] = []
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign) or not any(isinstance(t.target, cst.Name) and t.target.value in ("method_decorators", "decorators") for t in small.targets):
                continue
            value = small.value
            if isinstance(value, (cst.List, cst.Tuple)):
                out.extend(el.value for el in value.elements)
            elif isinstance(value, cst.Dict):
                for el in value.elements:
                    if isinstance(el, cst.DictElement) and isinstance(el.value, (cst.List, cst.Tuple)):
                        out.extend(e.value for e in el.value.elements)
    return tuple(out)


def _url_rules(ctx: "FileContext") -> dict[str, tuple[frozenset[str], Optional[str]]]:
    """Functions of the module registered with ``<x>.add_url_rule(rule, endpoint, view_func=fn, methods=[...])``."""

    def build() -> dict[str, tuple[frozenset[str], Optional[str]]]:
        out: dict[str, tuple[frozenset[str], Optional[str]]] = {}
        if "add_url_rule" not in ctx.source:
            return out
        stack: list[Any] = [ctx.module]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_url_rule":
                view = None
                for i, arg in enumerate(node.args):
                    if (arg.keyword is None and arg.star == "" and i == 2) or (arg.keyword is not None and arg.keyword.value == "view_func"):
                        view = arg.value
                if isinstance(view, cst.Name):
                    out.setdefault(view.value, (_methods(node, "GET"), _string(node, 0, ("rule",))))
            stack.extend(iter_children(node))
        return out

    return ctx.cached("flask.url_rules", build)


# --- authentication ---------------------------------------------------------------------------------------


def _function_flask_auth(project: "ProjectIndex", q: str) -> Optional[dict[str, Any]]:
    found = project.project_function(q)
    if found is None:
        return None
    return (orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("flask_auth")


def authenticating_decorator(project: Optional["ProjectIndex"], q: Optional[str], called: bool) -> Optional[str]:
    """Why the decorator named ``q`` (``called``: written ``@q(...)``) authenticates the request, or ``None``."""
    if not q:
        return None
    if q in LIBRARY_AUTH_DECORATORS:
        return f"`{q}`"
    if project is None:
        return None
    facts = _function_flask_auth(project, q)
    if facts is not None and facts.get("wraps") and bool(facts.get("factory")) == called:
        return f"`{last_segment(q)}` {facts.get('why')}"
    if called:
        return None
    found = project.resolve_symbol(q)
    if found is None or found[2] != "assignments":
        return None
    call = project.modules[found[0]]["assignments"][found[1]].get("call")
    facts = _function_flask_auth(project, call) if call else None
    if facts is not None and facts.get("wraps") and facts.get("factory"):
        return f"`{last_segment(q)}` (made by `{last_segment(call)}()`, which {facts.get('why')})"  # ``with_user = only_for(("user",))``
    return None


def principal_g_attributes(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """The attributes of ``flask.g`` that an authenticating decorator or ``before_request`` hook binds."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for _mod, facts in project.iter_modules():
            for fn in orm_facts(facts).get("functions", {}).values():
                found = fn.get("flask_auth")
                if found is not None:
                    out.update(found.get("g", ()))
        return sorted(out)

    return frozenset(project.stored_memo("flask.principal_g", build, load=list))


def _decorator_parts(expr: Any) -> tuple[Any, bool, Any]:
    call = expr if isinstance(expr, cst.Call) else None
    if call is not None and isinstance(call.func, cst.Call):
        call = call.func  # ``jwt_required()(view)`` written as a list element: the factory's call
    target = call.func if call is not None else expr
    return target, call is not None, call


@dataclass
class FlaskCaller:
    authenticated: Optional[str]  # why, or None
    admin: bool
    principals: dict[str, Optional[str]]
    identity_params: dict[str, str]
    # the view's parameters an authenticating decorator fills itself after deciding on them
    # (``kwargs.update({"caseid": caseid})`` once the caller's access to the case is checked): not the client's
    injected: frozenset[str] = frozenset()
    # the only authentication is optional (``jwt_required(optional=True)``): anonymous callers are served too, so
    # the caller answers for the checks the body makes (BKL202) but claims no row it loads unchecked (no BKL201)
    optional: bool = False
    # the assignments (node ids) that bind a local to the library's caller or its id (``identity =
    # get_jwt_identity()``, ``me = get_current_user()``): what they bind is the caller's, not what an unknown call
    # evaluates to (``Identity.decoding``)
    binding: frozenset[int] = frozenset()


def flask_caller(ctx: "FileContext", func: cst.FunctionDef, view: FlaskView) -> FlaskCaller:
    """Who calls the view: whether a decorator authenticates it, whether it admits administrators only, and
    the globals and locals that hold the caller in its body (read only when it is authenticated)."""
    from .auth import privileged_arguments, role_alternatives  # (auth imports this module)

    project = ctx.project
    why = None
    optional: Optional[str] = None
    admin = False
    injected: set[str] = set()
    for expr in view.decorators:
        target, called, call = _decorator_parts(expr)
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        q = ctx.qualified_name(target) or dotted_name(target)
        name = last_segment(q) or ""
        if _ADMIN_NAME.search(name):
            admin = True
        if call is not None:
            sources = [ctx.module.code_for_node(a.value) for a in call.args if not a.star]
            if sources and any(_ADMIN_NAME.search(s) for s in sources):
                # several positional roles of a ``*roles`` factory are alternatives (``role_alternatives``);
                # keyword values (``no_cid_required=True``) are read each on its own, as before
                positional = [ctx.module.code_for_node(a.value) for a in call.args if not a.star and a.keyword is None]
                if len(positional) > 1 and role_alternatives(project, q):
                    keywords = {a.keyword.value: ctx.module.code_for_node(a.value) for a in call.args if not a.star and a.keyword is not None}
                    admin = admin or privileged_arguments(positional, keywords, alternatives=True)
                elif privileged_arguments(sources, None):
                    admin = True
        if call is not None and any(
            a.keyword is not None and a.keyword.value == "optional" and not (isinstance(a.value, cst.Name) and a.value.value == "False") for a in call.args
        ):
            # ``jwt_required(optional=True)``: anyone passes; a caller who sent a token is still the library's
            # ``current_user`` for the checks the body makes (``recipe.checkAuthorized()``)
            if optional is None and authenticating_decorator(project, q, called) is not None:
                optional = f"`{last_segment(q)}(optional=True)`"
            continue
        found = authenticating_decorator(project, q, called)
        if found is not None and project is not None:
            injected |= set(decorator_injects(project, q))
        if found is None and isinstance(target, cst.Attribute) and target.attr.value == "login_required":
            found = f"`{dotted_name(target)}`"  # an ``HTTPAuth`` object's decorator
        if found is not None and why is None:
            why = found
    for q, called in view.inherited:
        if _ADMIN_NAME.search(last_segment(q) or ""):
            admin = True
        found = authenticating_decorator(project, q, called)
        if found is not None and why is None:
            why = found
    if why is None and view.dispatched is not None:
        why = view.dispatched
    principals: dict[str, Optional[str]] = {}
    identity: dict[str, str] = {}
    binding: set[int] = set()
    optional_only = why is None and optional is not None
    if optional_only:
        why = optional
    if why is None:
        return FlaskCaller(None, admin, principals, identity)
    g_attrs = principal_g_attributes(project)
    field = "user_id" if "user_id" in ctx.settings.identity_fields else (ctx.settings.identity_fields[0] if ctx.settings.identity_fields else "user_id")
    stack: list[Any] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value not in principals and ctx.qualified_name(node) in GLOBAL_PRINCIPALS:
                principals[node.value] = None
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.attr.value in g_attrs:
            if ctx.qualified_name(node.value) in FLASK_G:
                principals.setdefault(f"{node.value.value}.{node.attr.value}", None)
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) and isinstance(node.value, cst.Call):
            got = ctx.qualified_name(node.value.func)
            kind = caller_getter(ctx, func, node.value.func) if got not in PRINCIPAL_GETTERS and got not in IDENTITY_GETTERS else None
            if got in PRINCIPAL_GETTERS or kind == "principal":
                principals.setdefault(node.targets[0].target.value, None)
            elif got in IDENTITY_GETTERS or kind == "identity":
                identity.setdefault(node.targets[0].target.value, field)
            if got in PRINCIPAL_GETTERS or got in IDENTITY_GETTERS:
                binding.add(id(node))  # (the library's getters only: a project helper's call is read as before)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(iter_children(node))
    # the caller is there whether the view reads it or not (as an auth dependency's parameter is): the module's
    # spellings of the globals stand for it after the body's own; with none, a name no code spells (no fix
    # writes it: ``client_identity``)
    for q in sorted(GLOBAL_PRINCIPALS):
        local = ctx.imports.local_name_for(q)
        if local:
            principals.setdefault(local, None)
    for attr in view.caller_attributes:
        principals.setdefault(f"self.{attr}", None)  # ``self.current_user`` / ``self.current_org`` of the base
    g_name = ctx.imports.local_name_for("flask.g") or ctx.imports.local_name_for("flask.globals.g")
    if g_name:
        for attr in sorted(g_attrs):
            principals.setdefault(f"{g_name}.{attr}", None)
    if not principals and not identity:
        principals[CALLER] = None
    return FlaskCaller(why, admin, principals, identity, frozenset(injected), optional_only, frozenset(binding))


def caller_getter(ctx: "FileContext", func: cst.FunctionDef, callee: cst.BaseExpression) -> Optional[str]:
    """What a project function or method called in a view returns of the authenticated caller (index fact
    ``caller_return``): ``"identity"`` (annot's ``self.user_service.get_logged_in_user_id()`` returning
    ``int(get_jwt_identity())``), ``"principal"`` (a helper returning ``current_user``), or ``None``. The callee
    is a module's function, a method of a module-level instance (``user_service.get_id()``), or a method of what
    the view's class holds (``self.user_service``, a class attribute of a project base, ``repositories.
    self_attribute_class``) or of the class itself (``self.get_user_id()``)."""
    project = ctx.project
    if project is None or not isinstance(callee, (cst.Name, cst.Attribute)):
        return None
    q = ctx.qualified_name(callee)
    found = project.project_function(q) if q else None
    if found is not None:
        return (orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("caller_return")
    if not isinstance(callee, cst.Attribute):
        return None
    method = callee.attr.value
    owner: Optional[str] = None
    base = callee.value
    if isinstance(base, cst.Name) and base.value == "self":
        owner = enclosing_class(ctx, func)
    elif isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name) and base.value.value == "self":
        cls = enclosing_class(ctx, func)
        owner = self_attribute_class(project, cls, base.attr.value) if cls is not None else None
    elif isinstance(base, cst.Name):
        held = ctx.qualified_name(base)
        owner = module_instance_class(project, held) if held else None
    if owner is None:
        return None
    for name, facts in project.class_mro(owner):
        if not facts or method not in facts.get("methods", ()):
            continue
        where = project.split(name)
        if where is None:
            return None
        return (orm_facts(project.modules[where[0]]).get("methods", {}).get(f"{where[1]}.{method}") or {}).get("caller_return")
    return None


def decorator_injects(project: "ProjectIndex", q: Optional[str]) -> list[str]:
    """The keyword arguments an authenticating project decorator hands the view (index fact ``flask_auth``'s
    ``injects``), also through a module-level alias of a factory's result."""
    if not q:
        return []
    facts = _function_flask_auth(project, q)
    if facts is None:
        found = project.resolve_symbol(q)
        if found is not None and found[2] == "assignments":
            call = project.modules[found[0]]["assignments"][found[1]].get("call")
            facts = _function_flask_auth(project, call) if call else None
    return list((facts or {}).get("injects", ()))


# --- screens (``ast``) ------------------------------------------------------------------------------------


def view_class_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Bare names of the project's Flask view classes (a class deriving from one of ``VIEW_CLASSES``): a method
    of one is a view (the screens of families 1 and 2)."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out = set()
        for q, _facts in project.iter_classes():
            if any(name in VIEW_CLASSES for name, _f in project.class_mro(q)):
                out.add(q.rsplit(".", 1)[-1])
        return sorted(out)

    return frozenset(project.stored_memo("flask.view_classes", build, load=list))


def view_class_methods(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Qualified ``module.Class.method`` of the HTTP-method methods of the project's Flask view classes: request
    handlers for ``knowledge.auth.claim_reach``."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out = set()
        for q, facts in project.iter_classes():
            if any(name in VIEW_CLASSES for name, _f in project.class_mro(q)):
                mod, _, cls = q.rpartition(".")
                methods = orm_facts(project.modules[mod]).get("methods", {}) if mod in project.modules else {}
                for m in HTTP_METHODS:
                    if f"{cls}.{m}" in methods:
                        out.add(f"{q}.{m}")
        return sorted(out)

    return frozenset(project.stored_memo("flask.view_methods", build, load=list))
