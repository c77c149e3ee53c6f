"""The screen half families 1 and 2 share: which functions of a file can have the caller's identity in
scope, and whether one is a route handler (one ``ast`` pass, memoised on the file's ``TreeFacts``)."""

from __future__ import annotations

import ast
import hashlib
import re
from typing import Any, Optional

from ...knowledge.auth import AUTHORIZATION_PARAMS, REQUEST_CLASSES, principal_classes, caller_decorator_names, deciding_wrapper_names, configured_endpoint_names, configured_view_names, current_identity_names, interesting_names, principal_fed_names, principal_fed_parameters, router_auth_routes
from ...knowledge.index.extractors.orm import wrapped_route
from ...knowledge.fastapi import CLASSY_VERBS, ROUTE_DECORATORS
from ...knowledge.scoping import caller_values
from ...knowledge.flask import ROUTE_METHODS as FLASK_ROUTE_METHODS, view_class_names
from ...knowledge.fastapi import HTTP_METHODS
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.claims import dependency_may_carry
from ...knowledge.imports import last_segment
from ...knowledge.reexports import reexport_closure
from .screens import defaults, leaf_names, parameters


_DEPENDENCIES_KEYWORD = re.compile(r"\bdependencies\s*=")


def route_method(func: Any) -> bool:
    """A route handler by its decorator (``@<router>.<method>(...)``, or a wrapped route)."""
    return any(
        (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS) or wrapped_route(dec)
        for dec in func.decorator_list
    )


def classy_route_method(func: Any) -> bool:
    """A method decorated ``@get("/{id}", ...)`` with a bare route decorator (``classy_fastapi``'s, read in a
    file that imports it: ``knowledge.fastapi.classy_route``)."""
    return takes_self(func) and any(
        isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name) and dec.func.id in CLASSY_VERBS for dec in func.decorator_list
    )


def _flask_view(func: Any, view_classes: frozenset[str], url_rules: bool) -> bool:
    """A Flask view by its shape (``knowledge.flask.flask_view``, a superset): ``@<x>.route(...)`` /
    ``@<x>.get(...)``, an HTTP-method method in a file that spells a project view class, any function of a
    file that calls ``add_url_rule``."""
    if url_rules:
        return True
    if any(isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in FLASK_ROUTE_METHODS for dec in func.decorator_list):
        return True
    return bool(view_classes) and func.name in HTTP_METHODS and takes_self(func)


def takes_self(func: Any) -> bool:
    args = func.args.posonlyargs + func.args.args
    return bool(args) and args[0].arg == "self"


def _identity_carriers(facts: TreeFacts, project: Any, settings: Any) -> tuple[tuple[Any, ...], bool]:
    """(the functions that can carry the principal or an identity value, a function is a route handler).

    Mirrors ``knowledge.auth._function_identity``: a function that is not a route handler and whose
    enclosing function has nothing in scope gets an identity only through a parameter named like a
    principal or an identity field, a parameter with a call as default (``Depends(...)``), or one whose
    annotation names an auth alias, ``Depends``/``Security`` or a principal class. Route handlers are
    the decorated ones (``@<router>.<method>(...)``) and those given to ``add_api_route``. A route that
    is a method (``self`` first) of a class-based view carries too: ``self.user`` may be the principal
    in every method of its class. The carriers are listed per function (a nested function sees what its
    enclosing function has in scope: the enclosing one is the carrier), for family 2's screen."""

    def build() -> tuple[tuple[Any, ...], bool]:
        wanted = interesting_names(project, settings)
        if project is not None:
            # and the names modules import them under (``from .security import SignedIn as Me``): the index's
            # parameter facts follow the import, so ``me: Me`` is the auth alias (``_Dependencies`` classifies it)
            # (stored with the index, keyed by the names themselves: a run linting one file reads the closure
            # instead of walking every module's imports)
            wanted = project.memo(("identity_scope.wanted", wanted), lambda base=wanted: _stored_closure(project, base))
        plain = set(settings.principal_parameters) | set(settings.identity_fields) | current_identity_names(settings) | set(caller_values(project, settings))
        fed = _FedParameters(facts, project, settings)
        # ``request.user`` set by an authentication middleware (``knowledge.auth.request_user_principals``)
        requests = REQUEST_CLASSES if ".user" in facts.source else frozenset()
        handing = caller_decorator_names(project)  # ``@require_auth(...)`` hands the view the caller
        # a class-based view registered under an authenticating route class (``knowledge.auth.view_classes``):
        # its methods read the caller off ``self.request``
        views = any(v in facts.source for v in configured_view_names(project))
        # a service or validation class FastAPI builds with the request (``self.request = request``): its methods
        # read the authentication middleware's ``request.user`` off ``self.request`` (``auth._request_user_helper``)
        held = bool(requests) and "self.request" in facts.source
        # functions registered from configuration lists under an authenticating route class: routes whose
        # request carries the caller (``knowledge.auth.configured_endpoint_names``)
        endpoints = configured_endpoint_names(project)
        # a router included with ``dependencies=[Depends(auth)]`` elsewhere: its routes are authenticated with no
        # principal parameter (``knowledge.auth.Identity.router_auth``), and family 2 claims their keyed lookups
        included = router_auth_routes(project)
        # Flask views (``knowledge.flask``): authenticated by a decorator, the caller a global
        flask = "flask" in facts.source
        # the wrapper of a Flask decorator that decides on the view's key with the global caller
        # (``knowledge.auth._deciding_wrapper_identity``): read as an authenticated view
        deciding = deciding_wrapper_names(project) & facts.names if flask else frozenset()
        view_classes = frozenset(view_class_names(project)) & facts.names if flask else frozenset()
        url_rules = flask and "add_url_rule" in facts.names
        depends = _Dependencies(facts, project, settings, wanted)
        # ``dependencies=[...]`` of a route's decorator or of its router built in this module (``auth.
        # _decorator_dependencies``), or handed to the router's method by a wrapper (the index's ``registers``)
        listed = "dependencies" in facts.source
        keyword = listed and _DEPENDENCIES_KEYWORD.search(facts.source) is not None
        carriers: list[Any] = []
        route = False
        classy = "classy_fastapi" in facts.source
        for func in facts.functions:
            carries = False
            if flask and _flask_view(func, view_classes, url_rules):
                carries = route = True
            if deciding and func.name in deciding and func.args.kwarg is not None:
                carries = route = True
            if (views or held) and takes_self(func):
                carries = True  # a method of a class-based view: the caller is read off ``self.request``
            elif handing and any(n in handing for d in func.decorator_list for n in leaf_names(d.func if isinstance(d, ast.Call) else d)):
                carries = True
            elif _parameters_carry(func, plain, wanted, requests, depends, fed.of(func)):
                carries = True
            if endpoints and func.name in endpoints:
                carries = route = True
            if route_method(func) or (classy and classy_route_method(func)):
                route = True
                if takes_self(func) or included or keyword or (listed and any(wrapped_route(d) for d in func.decorator_list)):
                    # a class-based view's route: ``self.user`` may be the principal; a route whose router
                    # authenticates it (``dependencies=[...]`` here or in an ``include_router`` call)
                    carries = True
            if carries:
                carriers.append(func)
        if not route and "add_api_route" in facts.names:
            route = True
        return tuple(carriers), route

    return facts.cached("identity", build)


def _stored_closure(project: Any, names: frozenset[str]) -> frozenset[str]:
    """``reexport_closure`` of ``names``, stored with the index under a digest of the names."""
    digest = hashlib.sha256("\0".join(sorted(names)).encode()).hexdigest()[:24]
    return project.stored_memo(f"identity_scope.wanted:{digest}", lambda: reexport_closure(project, names), load=frozenset)


def _parameters_carry(
    func: Any, plain: set[str], wanted: frozenset[str], requests: frozenset[str], depends: "_Dependencies", fed: Any = frozenset()
) -> bool:
    """A parameter of ``func`` may carry the principal or an identity value (``auth._function_identity`` through
    ``auth._may_carry_identity``, or one its callers hand the principal's id, ``fed``): named like one, typed by
    a principal class, an auth alias or a request (read for ``request.user``), or given by a dependency (a call
    as its default, ``Annotated[..., Depends(...)]``) that ``depends`` cannot rule out."""
    dependency = any(isinstance(d, ast.Call) for d in defaults(func))
    for p in parameters(func):
        if p.arg in plain or p.arg in fed:
            return True
        if p.annotation is not None:
            for n in leaf_names(p.annotation):
                if n in requests or (n in wanted and n not in depends.weak):
                    return True
                if n in depends.weak:
                    dependency = True
    return dependency and depends.may_carry(func)


class _FedParameters:
    """The parameters of a function its callers hand the principal's id (``auth.principal_fed_here``: only a
    function of the module's own body, looked up by its module and name); every such parameter name of the
    project (``auth.principal_fed_names``) where the file's module is not known."""

    def __init__(self, facts: TreeFacts, project: Any, settings: Any) -> None:
        self.facts, self.project, self.settings = facts, project, settings
        self._module: Any = False
        self._top: Optional[dict[int, str]] = None

    def of(self, func: Any) -> Any:
        if self.project is None:
            return frozenset()
        if self._module is False:
            path = getattr(self.project, "linted_path", None)
            info = self.project.module_info(path) if path else None
            self._module = info[0] if info is not None else None
        if not self._module:
            return principal_fed_names(self.project, self.settings)
        if self._top is None:
            self._top = {id(stmt): stmt.name for stmt in self.facts.tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
            # a method of a top-level class (``ApprovalService.approve``, called on the class or on a typed
            # dependency): ``principal_fed_here`` looks it up as ``<module>.<Class>.<method>``
            for stmt in self.facts.tree.body:
                if isinstance(stmt, ast.ClassDef):
                    for item in stmt.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            self._top[id(item)] = f"{stmt.name}.{item.name}"
        local = self._top.get(id(func))
        if local is None:
            return frozenset()  # (a nested function, one inside a top-level block: ``principal_fed_here``)
        return principal_fed_parameters(self.project, self.settings).get(f"{self._module}.{local}", ())


class _Dependencies:
    """Which dependencies of a function may carry the caller (``knowledge.claims.dependency_may_carry``): a
    function with a request parameter or an ``authorization`` one (a credential decoded in the body) keeps any
    dependency, as does a function not at the top level of a module the index knows."""

    def __init__(self, facts: TreeFacts, project: Any, settings: Any, wanted: frozenset[str]) -> None:
        strong = {last_segment(q) for q in principal_classes(project, settings)} | {last_segment(e) for e in settings.auth_dependencies}
        # ``Depends`` / ``Security`` and the aliases of ``Annotated[..., Depends(...)]``: a dependency, classified below
        self.weak = frozenset(wanted - strong)
        self.strong = frozenset(strong)
        self.facts, self.project, self.settings = facts, project, settings
        self._module: Any = False

    def module(self) -> Optional[str]:
        if self._module is False:
            path = getattr(self.project, "linted_path", None)
            info = self.project.module_info(path) if path else None
            self._module = info[0] if info is not None else None
        return self._module

    def may_carry(self, func: Any) -> bool:
        if self.project is None:
            return True
        for p in parameters(func):
            if p.arg.lower() in AUTHORIZATION_PARAMS:
                return True
            if p.annotation is not None and any(n in REQUEST_CLASSES for n in leaf_names(p.annotation)):
                return True
        if func not in self.facts.tree.body:
            return True  # (a method, a nested function, one inside a top-level block: not read here)
        return dependency_may_carry(func, self.module(), self.project, self.settings, self.weak, self.strong)


def identity_carriers(facts: TreeFacts, project: Any, settings: Any) -> tuple[Any, ...]:
    """Family 2: the functions that can have a principal or an identity value in scope (each with the
    functions nested in it); a class-based view's route method stands for its whole class."""
    return _identity_carriers(facts, project, settings)[0]


def identity_in_scope(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 2: some function can have a principal or an identity value in scope."""
    return bool(_identity_carriers(facts, project, settings)[0])


def route_handler(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 1: some function is a route handler (its identity may also come from ``dependencies=``)."""
    return _identity_carriers(facts, project, settings)[1]
