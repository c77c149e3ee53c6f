"""What the family-2 rules (BKL201, BKL202) share: the names through which a file can reach an owned model
(their text prefilter), and their common ``ast`` screen."""

from __future__ import annotations

from typing import Any, Optional

from ...knowledge.models import is_owned, is_table_model
from ...knowledge.reexports import reexport_closure
from ...knowledge.tree_facts import TreeFacts
from .._shared.identity_scope import identity_in_scope


# Module-level calls that bind another name to a model itself (not a repository built for it)
_ALIAS_CALLS = frozenset({"sqlalchemy.orm.aliased", "sqlalchemy.orm.util.aliased"})


def _owned_words(project: Any, settings: Any) -> frozenset[str]:
    """Names through which a file can reach an owned ORM model (``knowledge.queries``: a query's entity is
    ``model_of`` a name or an attribute, or the model a project function or repository method returns):
    the owned models' names, the project functions and methods returning one, and every name a project
    module re-exports them under. ``"*"`` when repositories take owned models as generic arguments or
    constructor arguments (``CRUDBase[Item]``, ``CRUDItem(Item)`` in another module): then any method name
    may fetch rows, and the screen lets every file through (``Alias = aliased(Item)`` only adds ``Alias``). Stored per project and per the settings that
    decide ownership."""

    def build() -> frozenset[str]:
        owned: set[str] = set()
        for q, _ in project.iter_classes():
            if is_table_model(project, q) and is_owned(project, settings, q):
                owned.add(q)
        if not owned:
            return frozenset()

        def is_owned_class(name: Optional[str]) -> bool:
            found = project.get_class(name) if name else None
            return found is not None and found[0] in owned

        words = {q.rsplit(".", 1)[-1] for q in owned}
        for _, mfacts in project.iter_modules():
            orm = mfacts.get("extra", {}).get("orm", {})
            for generic in orm.get("generic_args", {}).values():
                if any(is_owned_class(g) for g in generic):
                    return frozenset({"*"})
            for bound, call in orm.get("calls", {}).items():
                if any(is_owned_class(a) for a in call.get("args", ())):
                    if call.get("func") in _ALIAS_CALLS:
                        words.add(bound)  # ``Alias = aliased(Item)``: a second name for the model, no repository
                        continue
                    return frozenset({"*"})
            for name, fn in orm.get("functions", {}).items():
                if fn.get("returns") and project.canonical(fn["returns"]) in owned:
                    words.add(name)
            for methods in orm.get("method_returns", {}).values():
                words.update(m for m, r in methods.items() if is_owned_class(r))
        words |= _fetching_helpers(project, is_owned_class)
        return reexport_closure(project, words)

    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.stored_memo(f"screens.owned:{key!r}", build, load=frozenset)


def _fetching_helpers(project: Any, is_owned_class: Any) -> set[str]:
    """Names of project functions and methods whose summary (``flow`` index facts) looks a row of an owned
    model up by a parameter, and of those that hand a parameter on to one of them (two steps): a route file
    that calls one can reach an owned row without naming the model."""
    found: set[str] = set()
    summaries: list[tuple[str, dict]] = []
    for _, mfacts in project.iter_modules():
        flow = mfacts.get("extra", {}).get("flow", {})
        for kind in ("functions", "methods"):
            for name, summary in flow.get(kind, {}).items():
                short = name.rsplit(".", 1)[-1]
                summaries.append((short, summary))
                if any(is_owned_class(f["model"]) for f in summary.get("fetches", ())):
                    found.add(short)
    for _ in range(2):
        more = {
            short
            for short, summary in summaries
            if short not in found and any(c["target"].rsplit(".", 1)[-1] in found for c in summary.get("calls", ()))
        }
        if not more:
            break
        found |= more
    return found


def owned_model_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 2's text prefilter: the text contains one of ``_owned_words`` (a superset of the names test
    below: no parse needed, so a file no rule of the family can fire on is not even ``ast``-parsed)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    words = _owned_words(project, settings)
    return "*" in words or any(w in source for w in words)


def owned_model_reachable(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 2 can fire only where a query or a fetch can be about an owned model: the file names one of
    ``_owned_words`` (an alias of it inside the file names it too, on its right-hand side)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    words = _owned_words(project, settings)
    return "*" in words or not words.isdisjoint(facts.names)


def isolation_may_fire(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Families 2's screen: an owned model within reach and an identity in scope."""
    return owned_model_reachable(facts, project, settings) and identity_in_scope(facts, project, settings)
