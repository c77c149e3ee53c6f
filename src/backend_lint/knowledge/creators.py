"""Which models the project constrains by a creator column (``created_by_id``, ``creator_id``), model by model.

A creator column records who made a row; whether the rows are private to their maker is shown by the project
reading the column as a scope *for that model*: a query predicate on ``M.created_by_id``, a comparison
``row.created_by_id != current_user.id`` of a row of ``M``, a helper handed ``row.created_by_id`` and the
caller. A project that compares ``Answer.created_by_id`` with the caller says nothing of the ``Campus`` rows its
admins wrote, which carry the same audit column (``knowledge.models.creator_recorded_only``).

``creator_constrained_models(project)`` answers ``{column: models}``, ``models`` the canonical table models
(with their bases and the table models built on them) whose ``column`` some function constrains, or ``None``
when a function constrains ``column`` on a row whose model cannot be told: then every model holding the
column counts as constrained (the coarse reading, by the column's name).

Where the model of a constrained row is read from, in order:
- the ``scoping`` index facts' entry (``direct`` / ``calls``): the model the lookup names, the repository a
  service's ``self.<repo>`` is of, or the one table model holding the column whose name ends the row's local
  (``current_answer`` -> ``Answer``);
- the ``flow`` facts' per-module counts of ``Model.<column>`` in comparisons and ``filter_by`` keywords;
- else the function's own row models (its lookups, the classes it hands to calls, the model of a CRUD
  instance it calls, ``crud.comment.get(...)`` with ``comment = CRUDComment(Comment)``): those that hold the
  column (each of them, when several do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .auth.dependencies import _settings_key
from .models import _CREATOR_COLUMN, _snake, is_table_model, model_columns, referenced_model, relationships, scoping_evidence
from .repositories import module_instance_class, repository_model, self_attribute_class
from .scoping import _local_model, context_caller, dependency_caller, is_caller, role_permission, table_columns

if TYPE_CHECKING:
    from .index import ProjectIndex


def creator_constrained_models(project: "ProjectIndex") -> dict[str, Optional[frozenset[str]]]:
    """``{column: models or None}`` for the project's creator columns (``_CREATOR_COLUMN``); a column nothing
    constrains is absent."""
    return project.memo("creators.constrained", lambda: _constrained(project))


def constrained_for(project: "ProjectIndex", qualified: str, column: str) -> bool:
    """Whether the project constrains ``column`` for the model ``qualified`` (or for the base or mixin declaring
    the column, or for a table holding it from the same declaration), or constrains it somewhere on a row
    whose model it cannot tell."""
    found = creator_constrained_models(project)
    if column not in found:
        return False
    models = found[column]
    if models is None:
        return True
    if qualified in models:
        return True
    declared = model_columns(project, qualified).get(column)
    return declared is not None and declared.owner in models


def _constrained(project: "ProjectIndex") -> dict[str, Optional[frozenset[str]]]:
    tables, all_holders = table_columns(project)
    holders = {c: held for c, held in all_holders.items() if _CREATOR_COLUMN.match(c)}
    wanted = set(holders)
    if not wanted:
        return {}
    out: dict[str, Optional[set[str]]] = {}

    def canonical(name: Any) -> list[str]:
        return _canonical_models(project, tables, name)

    def mark(column: str, models: list[str]) -> None:
        if column not in wanted:
            return
        if not models:
            out[column] = None  # (a row whose model is not told: every holder counts)
            return
        if column in out and out[column] is None:
            return
        per = out.setdefault(column, set())
        assert per is not None
        for m in models:
            per.add(m)
            declared = model_columns(project, m).get(column)
            if declared is not None and declared.owner:
                per.add(declared.owner)  # (the base or mixin declaring it: every table holding it from there)

    for mod, facts in project.iter_modules():
        extra = facts.get("extra", {})
        flow = extra.get("flow", {})
        scoping = extra.get("scoping", {}).get("functions", {})
        # the module's predicates on a named role's branch (``role_only``): no constraint (``role_permission``)
        role_preds: dict[tuple[str, str], set[int]] = {}
        for per in scoping.values():
            for d in per.get("direct", ()):
                if d.get("role_only") and d.get("how") == "predicate" and isinstance(d.get("model"), str):
                    role_preds.setdefault((d["model"], d["column"]), set()).add(d["line"])
        for model, per in flow.get("scoping", {}).items():
            for column, count in per.items():
                if column in wanted and isinstance(count, int) and count <= len(role_preds.get((model, column), ())):
                    continue
                if column in wanted:
                    got = [m for m in canonical(model) if column in tables.get(m, ())]
                    if got:
                        mark(column, got)
        told: dict[str, set[str]] = {}  # function -> columns whose rows' models were told by the scoping facts
        for fname, per in scoping.items():
            for kind in ("direct", "calls"):
                for d in per.get(kind, ()):
                    column = d.get("column")
                    if column not in wanted:
                        continue
                    if role_permission(d):
                        told.setdefault(fname, set()).add(column)  # (a permission inside the tenant: no constraint)
                        continue
                    got = _entry_models(project, tables, holders, mod, fname, d, column, canonical)
                    if got:
                        mark(column, got)
                        told.setdefault(fname, set()).add(column)
        for group in ("functions", "methods"):
            for fname, summary in flow.get(group, {}).items():
                used = (set(summary.get("preds", ())) | set(summary.get("compared", ()))) & wanted
                used -= told.get(fname, set())
                for column in used:
                    mark(column, _function_models(project, tables, mod, fname, summary, column, canonical))
        for fname, per in scoping.items():
            for kind in ("direct", "calls"):
                for d in per.get(kind, ()):
                    column = d.get("column")
                    if column in wanted and column not in told.get(fname, set()) and fname not in flow.get("functions", {}) and fname not in flow.get("methods", {}):
                        mark(column, [])
    return {c: (frozenset(v) if v is not None else None) for c, v in out.items()}


def _canonical_models(project: "ProjectIndex", tables: dict[str, frozenset[str]], name: Any) -> list[str]:
    """The table models a fact's model name (or names) stands for: the class it resolves to, else the one table
    model so named (``_local_model``)."""
    names = [name] if isinstance(name, str) else list(name or ())
    got: list[str] = []
    for n in names:
        found = project.get_class(n) if n else None
        q = found[0] if found is not None else _local_model(tables, n)
        if q is not None and q not in got:
            got.append(q)
    return got


def caller_constrained(project: "ProjectIndex", settings: Any, qualified: str, column: str) -> bool:
    """Whether the project reads ``column`` as a scope for the model ``qualified`` (or the base or mixin declaring
    it): a query predicate on ``M.<column>`` anywhere (the ``flow`` facts' scoping counts, whatever it is compared
    with), or a ``scoping`` fact (a comparison, predicate or check handed the caller) of the column against the
    caller on a row of ``M`` or on a row whose model cannot be told. A comparison of the column with another
    column of the row (``opportunity.created_by_id != opportunity.assigned_to_id``) is none."""
    declared = model_columns(project, qualified).get(column)
    owners = {qualified} | ({declared.owner} if declared is not None and declared.owner else set())
    evidence = scoping_evidence(project)
    if any(evidence.get(m, {}).get(column, 0) for m in owners):
        return True
    # a predicate on the relationship the column keys (``Note.author == user`` for ``Note.user_id``) scopes it too
    rels = _column_relationships(project, qualified, column)
    if rels and project.memo(("creators.relationship_predicated", qualified, column), lambda: _relationship_predicated(project, rels, owners)):
        return True
    key = _settings_key(settings) if settings is not None else None
    if _listed_through_caller(project, settings, qualified, column, owners, key):
        return True
    found = project.memo(("creators.caller_constrained", column, key), lambda: _caller_constrained(project, settings, column))
    return bool(found & owners)


def _relationship_predicated(project: "ProjectIndex", rels: list[str], owners: set[str]) -> bool:
    """Some function's predicates name one of the relationships ``rels`` while it reads rows of the model
    (``db.query(Note).filter(Note.author == user)``: the ``flow`` summaries' ``preds``)."""
    for _, facts in project.iter_modules():
        flow = facts.get("extra", {}).get("flow", {})
        for group in ("functions", "methods"):
            for summary in flow.get(group, {}).values():
                if set(summary.get("preds", ())) & set(rels) and function_row_models(project, summary) & owners:
                    return True
    return False


def _listed_through_caller(project: "ProjectIndex", settings: Any, qualified: str, column: str, owners: set[str], key: Any) -> bool:
    """A function lists the rows through the caller's relationship to the model (``return user.notes``, the
    ``scoping`` facts' ``listings``) whose foreign key is ``column``: the one column of the model referencing
    the caller's model (``Note.user_id``)."""
    target = referenced_model(project, qualified, column)
    if target is None:
        return False
    rels = {r for r, t in relationships(project, target).items() if t in owners}
    if not rels or _other_references(project, qualified, column, target):
        return False
    listed = project.memo(("creators.caller_listed", key), lambda: _caller_listed(project, settings))
    return bool(rels & listed)


def _caller_listed(project: "ProjectIndex", settings: Any) -> frozenset[str]:
    out: set[str] = set()
    for _, facts in project.iter_modules():
        for pairs in facts.get("extra", {}).get("scoping", {}).get("listings", {}).values():
            for who, attr in pairs:
                if is_caller(who, settings):
                    out.add(attr)
    return frozenset(out)


def _other_references(project: "ProjectIndex", qualified: str, column: str, target: str) -> list[str]:
    return [c for c in model_columns(project, qualified) if c != column and c.endswith("_id") and referenced_model(project, qualified, c) == target]


def _column_relationships(project: "ProjectIndex", qualified: str, column: str) -> list[str]:
    """The model's relationships that follow ``column``: those to the model the column references, when no other
    column of the model references it (else only ``<rel>_id`` = ``column``: ``Note.author`` for the one user
    column ``Note.user_id``; ``Task.assignee`` for ``assignee_id`` beside ``creator_id``)."""
    target = referenced_model(project, qualified, column)
    if target is None:
        return []
    rels = [r for r, t in relationships(project, qualified).items() if t == target]
    if not rels:
        return []
    others = _other_references(project, qualified, column, target)
    return rels if not others else [r for r in rels if r + "_id" == column]


def _caller_constrained(project: "ProjectIndex", settings: Any, column: str) -> frozenset[str]:
    """The models whose ``column`` some ``scoping`` fact compares with the caller (``_entry_models``, else
    ``_loose_models``)."""
    tables, all_holders = table_columns(project)
    holders = {column: all_holders.get(column, [])}
    out: set[str] = set()

    def canonical(name: Any) -> list[str]:
        return _canonical_models(project, tables, name)

    for mod, facts in project.iter_modules():
        scoping = facts.get("extra", {}).get("scoping", {}).get("functions", {})
        for fname, per in scoping.items():
            for kind in ("direct", "calls"):
                for d in per.get(kind, ()):
                    if d.get("column") != column or role_permission(d):
                        continue
                    who = d.get("who", "")
                    if not (is_caller(who, settings) or (kind == "direct" and (dependency_caller(d, settings) or context_caller(project, settings, d)))):
                        continue
                    # a model the entry names; else every reading of the row's model at once (a ``comment`` local
                    # named like ``Comment`` in a function that loads a ``ProjectComment``): any counts
                    got = [m for m in canonical(d.get("model")) if column in tables.get(m, ())]
                    if not got:  # (a row the entry names no model of)
                        got = _entry_models(project, tables, holders, mod, fname, d, column, canonical) + _loose_models(
                            project, tables, holders[column], mod, fname, d, column,
                        )
                    for m in got:
                        out.add(m)
                        declared = model_columns(project, m).get(column)
                        if declared is not None and declared.owner:
                            out.add(declared.owner)
    return frozenset(out)


def _loose_models(
    project: "ProjectIndex", tables: dict[str, frozenset[str]], held: list[str], mod: str, fname: str, d: dict[str, Any], column: str,
) -> list[str]:
    """The table models a ``scoping`` entry's row may be of besides ``_entry_models``' answer: every table model
    holding the column whose class name is the model name the entry gives (``endpoints.employees.Employee``) or
    ends with the last word of the row's local (``task`` -> ``ScheduledTask``), and every model holding it
    among the rows the function holds (its lookups, the lookups of the functions it calls)."""
    names = [d.get("model")] if isinstance(d.get("model"), str) else list(d.get("model") or ())
    got = [q for q in held if any(n and q.rsplit(".", 1)[-1] == n.rsplit(".", 1)[-1] for n in names)]
    row = d.get("row", "")
    if row:
        last = row.split("_")[-1]
        got += [q for q in held if _snake(q.rsplit(".", 1)[-1]).split("_")[-1] == last]
    facts = project.modules.get(mod) if hasattr(project.modules, "get") else project.modules[mod]
    flow = (facts or {}).get("extra", {}).get("flow", {})
    summary = flow.get("functions", {}).get(fname) or flow.get("methods", {}).get(fname)
    if summary:
        got += sorted(m for m in function_row_models(project, summary) if column in tables.get(m, ()))
    return got


def _entry_models(
    project: "ProjectIndex", tables: dict[str, frozenset[str]], holders: dict[str, list[str]], mod: str, fname: str,
    d: dict[str, Any], column: str, canonical: Any,
) -> list[str]:
    """The table models a ``scoping`` entry's row is of (holding ``column``), or none when it cannot be told."""
    got = [m for m in canonical(d.get("model")) if column in tables.get(m, ())]
    if got:
        return got
    if d.get("repo"):
        cls, _, _ = fname.rpartition(".")
        held = self_attribute_class(project, f"{mod}.{cls}", d["repo"]) if cls else None
        model = repository_model(project, held) if held is not None else None
        return [model] if model is not None and column in tables.get(model, ()) else []
    row = d.get("row", "")
    if row:
        return _named_by_local(holders.get(column, []), row)
    return []


def _named_by_local(held: list[str], row: str) -> list[str]:
    """The one table model holding the column whose snake-case name ends the local holding the row
    (``answer``, ``current_answer``, ``db_answer`` -> ``Answer``; ``question_set`` -> ``QuestionSet``)."""
    words = row.split("_")
    named = [q for q in held if _ends_with(words, _snake(q.rsplit(".", 1)[-1]).split("_"))]
    if len(named) > 1:  # the longest name wins (``question_set`` is a ``QuestionSet``, not a ``Set``)
        longest = max(len(_snake(q.rsplit(".", 1)[-1]).split("_")) for q in named)
        named = [q for q in named if len(_snake(q.rsplit(".", 1)[-1]).split("_")) == longest]
    return named if len(named) == 1 else []


def _ends_with(words: list[str], tail: list[str]) -> bool:
    return len(tail) <= len(words) and words[len(words) - len(tail):] == tail


def _function_models(
    project: "ProjectIndex", tables: dict[str, frozenset[str]], mod: str, fname: str, summary: dict, column: str, canonical: Any,
) -> list[str]:
    """The function's own row models holding ``column`` (``function_row_models``), every one of them: the row it
    constrains is one of these (``opportunity.created_by_id`` in a function that also loads a ``Pipeline``), not
    any model of the project carrying the column (an email template's audit column); none when it holds none."""
    return sorted(m for m in function_row_models(project, summary, canonical) if column in tables.get(m, ()))


def function_row_models(project: "ProjectIndex", summary: dict, canonical: Any = None) -> set[str]:
    """The table models whose rows a function may hold, read off its ``flow`` summary: its own lookups, the
    classes it hands to calls (``IdNotFoundException(Comment, reply_id)``), the model of a CRUD / repository
    instance it calls (``crud.comment.get(...)`` with ``comment = CRUDComment(Comment)``), and the lookups of
    the project functions it calls (``db_info = get_client_info_by_id(db, info_id)`` whose body is
    ``session.get(ClientInfo, info_id)``)."""
    if canonical is None:
        def canonical(name: Any) -> list[str]:
            found = project.get_class(name) if isinstance(name, str) and name else None
            return [found[0]] if found is not None else []
    found: set[str] = set()
    for f in summary.get("fetches", ()):
        found.update(canonical(f.get("model")))
    for c in summary.get("calls", ()):
        for _, model in c.get("models", ()):
            found.update(canonical(model))
        target = c.get("target", "")
        if not target or target.startswith("self"):
            continue
        callee = project.project_function(target)
        if callee is not None:
            facts = project.modules.get(callee[0]) if hasattr(project.modules, "get") else project.modules[callee[0]]
            sub = ((facts or {}).get("extra", {}).get("flow", {}).get("functions", {}) or {}).get(callee[1]) or {}
            for f in sub.get("fetches", ()):
                found.update(canonical(f.get("model")))
            continue
        head, _, _ = target.rpartition(".")
        if head:
            instance = module_instance_class(project, head)
            model = repository_model(project, instance) if instance is not None else None
            if model is not None:
                found.add(model)
    return {m for m in found if is_table_model(project, m)}


def function_row_model(project: "ProjectIndex", mod: str, fname: str, column: str) -> Optional[str]:
    """The one table model holding ``column`` among the rows the function ``mod.fname`` (``Class.method`` for a
    method) may hold (``function_row_models``): what a row local compared in it is, when its name does not say."""
    facts = project.modules.get(mod) if hasattr(project.modules, "get") else project.modules[mod]
    flow = (facts or {}).get("extra", {}).get("flow", {})
    summary = flow.get("functions", {}).get(fname) or flow.get("methods", {}).get(fname)
    if not summary:
        return None
    holding = sorted(m for m in function_row_models(project, summary) if column in model_columns(project, m))
    return holding[0] if len(holding) == 1 else None
