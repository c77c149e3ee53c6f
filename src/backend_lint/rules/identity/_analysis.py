"""What the family-1 rules (BKL101, BKL102) share: the words a file must spell for client data to carry an
identity field (their text prefilter)."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ...knowledge.auth import configured_endpoint_names, configured_view_names, test_or_script_module
from ...knowledge.claims import admin_gated, may_be_route
from ...knowledge.reexports import reexport_closure
from ...knowledge.schemas import schema_fields
from ...knowledge.tree_facts import TreeFacts
from .._shared.identity_scope import route_handler, route_method
from .._shared.identity_text import spells_any


def _client_identity_words(project: Any, settings: Any) -> frozenset[str]:
    """What a file must spell for family 1 to find an identity field in client data: an identity field
    (``payload.owner_id``, ``data["owner_id"]``, a parameter ``owner_id``), or a project schema class that
    declares one (its fields spread into an ORM constructor), a ``X = Annotated[Schema, Body()]`` alias of
    it, and every name a project module re-exports those under. Stored per project and identity fields."""
    fields = tuple(settings.identity_fields)
    if project is None:
        return frozenset(fields)

    def build() -> frozenset[str]:
        wanted = frozenset(fields)
        # only a class that declares an identity field, or inherits from one that does, can carry one:
        # ``schema_fields`` (which reads the whole hierarchy) runs on those alone

        def declares(q: str) -> bool:
            return any(facts is not None and not wanted.isdisjoint(facts.get("fields", {})) for _, facts in project.class_mro(q))

        carriers: set[str] = set()
        for q, _ in project.iter_classes():
            if declares(q):
                found = schema_fields(project, q)
                if found and not wanted.isdisjoint(found):
                    carriers.add(q)
        if not carriers:
            return frozenset(fields)
        names = {q.rsplit(".", 1)[-1] for q in carriers}
        for _, mfacts in project.iter_modules():
            for alias, entry in mfacts.get("extra", {}).get("orm", {}).get("aliases", {}).items():
                found = project.get_class(entry.get("type")) if entry.get("type") else None
                if found is not None and found[0] in carriers:
                    names.add(alias)
        return frozenset(fields) | reexport_closure(project, names)

    return project.stored_memo(f"screens.client_identity:{fields!r}", build, load=frozenset)


def client_identity_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 1's text prefilter: the text spells an identity field or a class carrying one (a substring
    test: names, attributes, string keys and string annotations alike). No parse needed."""
    return spells_any(source, _client_identity_words(project, settings))


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def client_identity_route(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 1's screen: some route handler may read an identity field from client data. The rules report only
    in a route handler (``identity.route``), about what its own text reads: a parameter named like an identity
    field, ``payload.owner_id``, ``data["owner_id"]`` / ``data.get("owner_id")``, a body model declaring one
    spread or dumped (its class or alias spelled in the handler). So a handler counts when, between its first
    decorator and its last line, it spells a class word of ``_client_identity_words`` (or a name a module-level
    statement spelling a word binds: ``from .schemas import ItemCreate as Body``, to a fixpoint) anywhere, or
    an identity field as a parameter's name, a string, or an attribute read off one of its parameters (not as a
    bare local name, a keyword's name, nor an attribute of anything else: ``service.list(user_id=user.user_id)``
    reads nothing from the client). A route an admin
    dependency gates for certain (``claims.admin_gated``) makes no claim; test code and scripts make none.
    Where routes may be registered without a decorator (``add_api_route``, a Flask module, a configured
    endpoint or view), the answer is ``route_handler``'s."""
    if not route_handler(facts, project, settings):
        return False
    return facts.cached("identity.client_route", lambda: _client_route(facts, project, settings))


def _client_route(facts: TreeFacts, project: Any, settings: Any) -> bool:
    source = facts.source
    if project is None or "add_api_route" in source or "flask" in source or "add_url_rule" in source:
        return True
    if not facts.names.isdisjoint(configured_endpoint_names(project) | configured_view_names(project)):
        return True
    path = getattr(project, "linted_path", None)
    if path and test_or_script_module(path, project.root):
        return False  # (``IdentityStack`` calls no ``on_function`` there)
    routes = [func for func in facts.functions if route_method(func) or may_be_route(func)]
    if not routes:
        return True  # (a route by another reading: not decided here)
    info = project.module_info(path) if path else None
    module = info[0] if info is not None else None
    fields = frozenset(settings.identity_fields)
    words = set(_client_identity_words(project, settings))
    lines = source.splitlines(keepends=True)
    _module_bindings(facts.tree, lines, words)
    classes = [w for w in words if w not in fields]
    top = {id(stmt) for stmt in facts.tree.body}
    for func in routes:
        first = min([func.lineno] + [d.lineno for d in func.decorator_list])
        text = "".join(lines[first - 1:func.end_lineno or func.lineno])
        if not any(w in text for w in words):
            continue
        if not any(w in text for w in classes) and not _field_read(func, fields):
            continue
        if id(func) in top and admin_gated(func, module, project, settings):
            continue
        return True
    return False


def _field_read(func: Any, fields: frozenset[str]) -> bool:
    """An identity field as a parameter's name, a string, or an attribute read off one of the handler's own
    parameters (``payload.owner_id``), anywhere in ``func`` (decorators, signature, body, nested functions):
    ``client_identity`` matches those exactly (``p.name in fields``; ``data["<field>"]`` / ``data.get("<field>")``;
    ``<name>.<field>`` with ``<name>`` a body parameter), and reads no other attribute (``current_user.user_id``,
    ``row.owner_id``)."""
    a = func.args
    params = {arg.arg for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if arg is not None}
    for node in ast.walk(func):
        kind = type(node)
        if kind is ast.Attribute:
            if node.attr in fields and type(node.value) is ast.Name and node.value.id in params:
                return True
        elif kind is ast.arg:
            if node.arg in fields:
                return True
        elif kind is ast.Constant and isinstance(node.value, str) and node.value in fields:
            return True
    return False


def _module_bindings(tree: ast.Module, lines: list[str], words: set[str]) -> None:
    """Add to ``words`` the names the module's own statements (not function definitions) bind to what spells
    one of ``words``, to a fixpoint: an import's names that spell one (``ItemCreate as Body``), the targets of
    an assignment and the name of a class whose text spells one (``Payload = Annotated[ItemCreate, Body()]``);
    the bodies of top-level ``if`` / ``try`` / ``with`` / loops are read statement by statement."""
    units: list[tuple[str, Any]] = []

    def add(stmt: Any) -> None:
        if isinstance(stmt, _DEFINITIONS):
            return
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)) or type(stmt).__name__ in ("TryStar", "Match"):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for inner in getattr(stmt, field, None) or ():
                    add(inner)
            for case in getattr(stmt, "cases", None) or ():
                for inner in case.body:
                    add(inner)
            if isinstance(stmt, ast.ExceptHandler):
                return
            return
        if isinstance(stmt, ast.ExceptHandler):
            for inner in stmt.body:
                add(inner)
            return
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())])
        units.append(("".join(lines[first - 1:stmt.end_lineno or stmt.lineno]), stmt))

    for stmt in tree.body:
        add(stmt)
    grew = True
    while grew and units:
        grew = False
        rest = []
        for text, stmt in units:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                bound = {a.asname or a.name.split(".", 1)[0] for a in stmt.names if any(w in a.name for w in words)}
                if len(bound) < len(stmt.names):
                    rest.append((text, stmt))  # (its other names may spell a word the fixpoint adds)
            elif any(w in text for w in words):
                bound = _bound_names(stmt)
            else:
                rest.append((text, stmt))
                continue
            if not bound <= words:
                words |= bound
                grew = True
        units = rest


def _bound_names(stmt: Any) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(node.name)
    return out
