"""Typed views of the per-family facts the index extractors store under ``facts["extra"][<family>]``.

The stored format is unchanged (plain JSON-able dicts, written by ``index/extractors/<family>.py``); these
``TypedDict`` shapes name its keys once, and the accessors replace the untyped
``facts.get("extra", {}).get("<family>", {})`` reads. Every accessor takes one module's facts (what
``ProjectIndex.modules[name]`` gives) and returns the family's dict, or an empty one when the extractor
stored nothing for the module (``alembic_facts`` gives ``None``: a module is a revision or it is not).

Libcst-free and import-light: the index and the screens read these too.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypedDict


class DependencyEntry(TypedDict, total=False):
    """An ``Annotated[T, Depends(f)]`` alias or a function parameter, as ``extractors/orm.py`` resolves it."""

    name: str
    type: Optional[str]
    marker: Optional[str]
    dependency: Optional[str]
    kwargs: dict[str, Any]


class FunctionEntry(TypedDict, total=False):
    returns: Optional[str]
    params: list[DependencyEntry]


class CallEntry(TypedDict, total=False):
    """A module-level ``name = f(...)``."""

    func: Optional[str]
    kwargs: dict[str, Any]
    args: list[Any]


class OrmFacts(TypedDict, total=False):
    """Families 1 and 2 (``extractors/orm.py``)."""

    declared_attrs: dict[str, list[str]]
    relationships: dict[str, dict[str, str]]
    loader_criteria: list[str]
    aliases: dict[str, DependencyEntry]
    functions: dict[str, FunctionEntry]
    calls: dict[str, CallEntry]
    method_returns: dict[str, dict[str, str]]
    generic_args: dict[str, list[str]]
    route_prefixes: list[str]
    class_models: dict[str, str]
    self_types: dict[str, dict[str, str]]
    # what ``__init__`` keeps on ``self`` from a module-level name (``self.item_dao = item_dao``): qualified names
    self_instances: dict[str, dict[str, str]]
    appliers: dict[str, dict[str, Any]]
    # routes registered from lists of configuration objects (``knowledge.fastapi.config_routes``)
    route_classes: dict[str, dict[str, Any]]
    module_calls: list[dict[str, Any]]
    # dotted names mentioned outside any function body (``queries.given_values``)
    module_refs: list[str]
    # request handlers a later ``def`` of the same name replaced (``name@line``): still registered routes
    shadowed_routes: dict[str, FunctionEntry]


class TimeAlias(TypedDict, total=False):
    """``Timestamp = Annotated[datetime, ...]`` (``base``) or ``TZ = DateTime(timezone=True)`` (``column``)."""

    base: Optional[str]
    column: Optional[str]


class TimezoneFacts(TypedDict, total=False):
    """Family 3 (``extractors/timezone.py``)."""

    maps: list[dict[str, Any]]
    aliases: dict[str, TimeAlias]
    routes: list[dict[str, Any]]
    fastapi: bool


class UpdatesFacts(TypedDict, total=False):
    """Family 5 (``extractors/updates.py``)."""

    handler_callees: list[str]


class AlembicFacts(TypedDict, total=False):
    """Family 4 (``extractors/alembic.py``): a revision module's place in the migration graph."""

    revision: Optional[str]
    revision_line: int
    down_revision: list[str]
    down_static: bool
    branch_labels: Optional[list[str]]
    branch_labels_static: bool
    depends_on: Optional[list[str]]
    has_downgrade: bool


def _extra(facts: Mapping[str, Any], family: str) -> Any:
    return facts.get("extra", {}).get(family, {}) or {}


def alias_entry(project: Any, qualified: Optional[str]) -> Optional[dict[str, Any]]:
    """The ``orm`` facts of the module-level name ``qualified`` when it is an alias (``CurrentUser =
    Annotated[User, Depends(get_current_user)]``, ``DependsJwtAuth = Depends(HTTPBearer())``): its ``type``,
    ``marker``, ``dependency``, ``called``...; ``None`` for anything else or a name the project does not define.
    ``project`` is a ``ProjectIndex``."""
    found = project.resolve_symbol(qualified) if qualified else None
    if found is None or found[2] != "assignments":
        return None
    return orm_facts(project.modules[found[0]]).get("aliases", {}).get(found[1])


def scalar_alias_type(project: Any, qualified: Optional[str]) -> Optional[str]:
    """``str`` for a module-level ``ID = Annotated[str, AfterValidator(...)]`` (``qualified`` its dotted name):
    the first argument of a project ``Annotated`` alias with no dependency marker, as it is spelled (a plain
    or dotted name); ``None`` for anything else. ``project`` is a ``ProjectIndex``."""
    import ast  # (stdlib; only when a parameter's type is a project name)

    found = project.resolve_symbol(qualified) if qualified else None
    if found is None or found[2] != "assignments" or alias_entry(project, qualified) is not None:
        return None
    value = (project.modules[found[0]].get("assignments", {}).get(found[1]) or {}).get("value")
    if not isinstance(value, str) or "Annotated" not in value:
        return None
    try:
        node = ast.parse(value, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Tuple) or not node.slice.elts:
        return None
    head = node.value
    if not ((isinstance(head, ast.Name) and head.id == "Annotated") or (isinstance(head, ast.Attribute) and head.attr == "Annotated")):
        return None
    first = node.slice.elts[0]
    return ast.unparse(first) if isinstance(first, (ast.Name, ast.Attribute)) else None


def orm_facts(facts: Mapping[str, Any]) -> OrmFacts:
    return _extra(facts, "orm")


def method_home(project: Any, cls: str, method: str) -> Optional[tuple[str, Optional[str], str]]:
    """(module, class, ``Class.method``) of the project class in ``cls``'s bases (itself first) that defines
    ``method`` (summarised or not); ``None`` when no project class of the chain defines it (a library base's).
    ``project`` is a ``ProjectIndex``."""
    for name, facts in project.class_mro(cls):
        if facts is None or method not in facts.get("methods", ()):
            continue
        where = project.split(name)
        return (where[0], name, f"{where[1]}.{method}") if where is not None else None
    return None


def method_return_at(project: Any, home: Optional[tuple[str, Optional[str], str]]) -> Optional[str]:
    """What the method ``method_home`` found is annotated to return (``orm`` facts ``method_returns``: the type
    it names, ``-> Item``, ``-> AppResult[Item]``); ``None`` without an annotation or a home."""
    if home is None or home[1] is None:
        return None
    mod, _, key = home
    short, _, method = key.rpartition(".")
    return orm_facts(project.modules[mod]).get("method_returns", {}).get(short, {}).get(method)


def method_return(project: Any, cls: Optional[str], method: str) -> Optional[str]:
    """What ``method`` of the project class ``cls`` is annotated to return, read on the nearest class of
    ``cls``'s bases (itself first) that defines the method (``method_home``): an override without an annotation
    returns ``None``, not what the base it overrides promised. ``None`` too when no project class of the chain
    defines it (a library base's). (Readers that want every method of a class or a module,
    ``repositories._core_rows``, ``queries.summaries._core_entities_of``, read ``method_returns`` whole.)"""
    return method_return_at(project, method_home(project, cls, method)) if cls else None


def timezone_facts(facts: Mapping[str, Any]) -> TimezoneFacts:
    return _extra(facts, "timezone")


def updates_facts(facts: Mapping[str, Any]) -> UpdatesFacts:
    return _extra(facts, "updates")


def alembic_facts(facts: Mapping[str, Any]) -> Optional[AlembicFacts]:
    return facts.get("extra", {}).get("alembic")
