"""The rules' side of "who is asking": the ``Identity`` of the enclosing functions during one traversal.

``knowledge/auth/`` answers which names carry the principal into one function (``function_identity``) and
``knowledge/queries/`` which names a function derives from its fetches; this mixin stacks the answers so that
a nested function sees its closure's principal (families 1 and 2).
"""

from __future__ import annotations

from ...ground.lazy import lazy_import

from ...knowledge.auth import Identity, class_principals, function_identity, no_claim_reason, test_or_script_module
from ...knowledge.models import project_identity_fields
from ...knowledge.queries import function_queries

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class IdentityStack:
    """Mixin for rules: keeps the ``Identity`` of the enclosing functions during the traversal, so that a
    nested function sees its closure's principal. ``self.on_function(node, identity)`` is called on entry."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self.__dict__.setdefault("_identity_stack", [])
        parent = stack[-1] if stack else None
        enclosing = parent[1] if parent else None
        self.ctx.imports.add_function_imports(node)  # type: ignore[attr-defined]
        ident = function_identity(self.ctx, node, enclosing)  # type: ignore[attr-defined]
        classes = self.__dict__.get("_class_stack")
        if parent is None and stack and classes and _takes_self(node):
            # a method of a class-based view: ``self.user`` from ``user = Depends(current_user)``
            principals, admin = class_principals(self.ctx, classes[-1])  # type: ignore[attr-defined]
            if admin:
                ident.admin = True
            elif principals:
                for name, type_q in principals.items():
                    ident.principals.setdefault(name, type_q)
        if parent is not None and enclosing is not None and enclosing.in_scope and not ident.closure_derived:
            parent_queries = function_queries(self.ctx, parent[0], enclosing)  # type: ignore[attr-defined]
            params = {p.name for p in ident.params}
            ident.closure_derived = (enclosing.closure_derived | parent_queries.derived_names) - params
            if enclosing.route is None and ident.route is None:
                outer = {p.name for p in enclosing.params if p.name not in ("self", "cls")} | enclosing.closure_trusted
                ident.closure_trusted = outer - params - enclosing.names()
        stack.append((node, ident))
        if not _test_or_script(self.ctx):  # type: ignore[attr-defined]
            self.on_function(node, ident)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self.__dict__.get("_identity_stack")
        if stack:
            stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # methods of a class nested in a function do not see the function's parameters
        self.__dict__.setdefault("_identity_stack", []).append(None)
        self.__dict__.setdefault("_class_stack", []).append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        stack = self.__dict__.get("_identity_stack")
        if stack:
            stack.pop()
        classes = self.__dict__.get("_class_stack")
        if classes:
            classes.pop()

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:  # pragma: no cover - overridden
        pass


def _test_or_script(ctx) -> bool:
    """Test modules and scripts make no request-flow claim (``knowledge.auth.test_or_script_module``)."""
    root = ctx.project.root if ctx.project is not None else None
    return ctx.cached("identity.test_or_script", lambda: test_or_script_module(ctx.path, root))


def _takes_self(node: cst.FunctionDef) -> bool:
    params = node.params.posonly_params or node.params.params
    return bool(params) and params[0].name.value == "self"


def identity_project_facts(project, settings) -> None:
    """``RuleSpec.project_facts`` of families 1 and 2: the project-wide facts a file's first function makes
    every process derive (which functions make no identity claim, ``auth.no_claim_reason``'s call reach, and
    the project's identity fields), derived by a pool's parent once before it forks its workers."""
    no_claim_reason(project, settings, "")
    project_identity_fields(project, settings)
