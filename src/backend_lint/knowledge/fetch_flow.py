"""What family 2's screen reads on CPython's ``ast`` about a function's checks and fetches, in the vocabulary of
``knowledge.queries._Analyzer`` (its libcst data flow): facts, never messages.

``deciding_names``: the names a call may carry when ``_Analyzer`` takes it for a check of a fetched row (an
``authorization_check`` or a ``row_method_check``). A row of a table with no identity column that a project check
is handed (``queries.helper_checked_tables``) is reported only at such a check (``queries._helper_decided_row``):
a function that calls none reports nothing about those rows."""

from __future__ import annotations

import ast
from typing import Any, Optional

from .facts import orm_facts
from .imports import last_segment
from .queries import _rights_name, named_like_check
from .reexports import reexport_closure


class DecidingNames:
    """The project's own names of a call ``_Analyzer._authorization_helper`` or ``row_method_check`` may take
    for a check, beyond those named like one (``named_like_check``, any call): ``anywhere``, matched on any
    call's last name (the configured ``authorization-helpers``' last segments; the methods that compare a
    parameter with a row's owner or members, ``authorises``, and those that check access themselves, a flow
    summary's ``checked``: ``row.visible_to(user)``), and ``resolved``, matched on a call the analysis can
    resolve to a project function (a bare name, or an attribute of an imported name): the top-level
    functions that decide on their parameters (``flow`` facts ``deciders``), that check access themselves
    (``checked``), or are named for the caller's rights (``get_user_rights``), with every name a project
    module imports or binds one under (``reexport_closure``)."""

    __slots__ = ("anywhere", "resolved")

    def __init__(self, anywhere: frozenset[str], resolved: frozenset[str]) -> None:
        self.anywhere = anywhere
        self.resolved = resolved


def deciding_names(project: Any, settings: Any) -> DecidingNames:
    """The project's ``DecidingNames`` (per the configured authorisation helpers)."""

    def build() -> list[list[str]]:
        anywhere = {last_segment(c) for c in settings.authorization_helpers}
        resolved: set[str] = set()
        for _, mfacts in project.iter_modules():
            flow = mfacts.get("extra", {}).get("flow", {})
            resolved.update(flow.get("deciders", ()))
            resolved.update(n for n in orm_facts(mfacts).get("functions", {}) if named_like_check(n) or _rights_name(n))
            for name, summary in flow.get("functions", {}).items():
                if summary.get("checked"):
                    resolved.add(name)
            for name, summary in flow.get("methods", {}).items():
                if summary.get("checked"):
                    anywhere.add(name.rsplit(".", 1)[-1])
            for name, entry in orm_facts(mfacts).get("methods", {}).items():
                if entry.get("authorises"):
                    anywhere.add(name.rsplit(".", 1)[-1])
        return [sorted(anywhere), sorted(reexport_closure(project, resolved))]

    # (stored with the index, as lists: a run linting one file reads the names instead of every module's facts)
    def stored() -> DecidingNames:
        anywhere, resolved = project.stored_memo(f"fetch_flow.deciding_names:{settings.authorization_helpers!r}", build, load=list)
        return DecidingNames(frozenset(anywhere), frozenset(resolved))

    return project.memo(("fetch_flow.deciding_names", settings.authorization_helpers), stored)


def _imported_names(imports: Any) -> dict[str, set[str]]:
    """The names a module binds by an import (``imports``: its ``Import`` / ``ImportFrom`` nodes at any depth),
    each with the last segments of what it may import (``from .auth import check_access as allowed``:
    ``allowed`` -> ``check_access``; ``import app.auth as a``: ``a`` -> ``auth``; ``import app.auth``: ``app`` ->
    ``app``); a name bound by several imports keeps them all."""
    out: dict[str, set[str]] = {}
    for stmt in imports:
        if isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                out.setdefault(a.asname or a.name, set()).add(a.name)
        elif isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    out.setdefault(a.asname, set()).add(a.name.rsplit(".", 1)[-1])
                else:
                    head = a.name.split(".", 1)[0]
                    out.setdefault(head, set()).add(head)
    return out


def deciding_call_lines(calls: Any, imports: Any, names: DecidingNames) -> list[int]:
    """The lines (sorted) of the calls among ``calls`` that ``_Analyzer`` may take for a check (a superset):
    a call whose last name, or the name it imports, is named like a check or is one of ``names.anywhere``,
    or, called by a bare name or through an imported name (``auth.check(...)``), one of ``names.resolved``
    (``_Analyzer`` resolves such a call to a project function; a method of a local object it does not).
    ``imports``: the file's ``Import`` / ``ImportFrom`` nodes (``TreeFacts.nodes``), read only when needed."""
    imported: Optional[dict[str, set[str]]] = None
    out = []
    for call in calls:
        func = call.func
        if isinstance(func, ast.Attribute):
            leaf = func.attr
        elif isinstance(func, ast.Name):
            leaf = func.id
        else:
            continue  # (``_Analyzer`` names no such call: no check)
        if named_like_check(leaf) or leaf in names.anywhere:
            out.append(call.lineno)
            continue
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            continue
        if imported is None:
            imported = _imported_names(imports)
        targets = imported.get(root.id, ())
        if func is root:
            found = any(named_like_check(t) or t in names.resolved or t in names.anywhere for t in targets)
            found = found or leaf in names.resolved  # (a function of the module, or one it binds by assignment)
        else:
            found = bool(targets) and leaf in names.resolved
        if found:
            out.append(call.lineno)
    out.sort()
    return out


def resolvable_roots(tree: ast.Module, imports: Any = None) -> Optional[frozenset[str]]:
    """The names ``x`` through which ``_Analyzer`` may resolve ``x.f(...)`` to a module-level function of the
    project (``imports.ImportTable.qualified_name``: a name bound by an import anywhere in the file, or by a
    module-level statement: an assignment, possibly of a module, a definition), or ``None`` when a star import
    may bind any name. A method of a parameter, a local or ``self`` (``self.db.delete(row)``) it does not
    resolve to a module's function. ``imports``: the file's ``Import`` / ``ImportFrom`` nodes, when listed
    already (``TreeFacts.nodes``)."""
    out: set[str] = set()
    for node in (imports if imports is not None else ast.walk(tree)):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.name == "*":
                    return None
                out.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                out.add(a.asname or a.name.split(".", 1)[0])
    todo = list(tree.body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(stmt.name)
            continue
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(getattr(stmt, field, None) or ())
    return frozenset(out)
