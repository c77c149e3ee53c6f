"""Repository classes whose queries are written once, in a generic base, on ``self.model``, and services that
hold their repositories on ``self``.

``class ItemRepository(BaseRepository[Item]): model = Item`` (or ``model: type[Item] = Item``, or
``super().__init__(Item, session)``) with ``BaseRepository.get_by_id`` doing ``select(self.model).where(
self.model.id == id)``: the base's flow summary records that lookup on the base class itself (``self``
stands for the class), and this module specialises it per subclass, so that ``ItemRepository(db).get_by_id(
item_id)`` is a lookup of ``Item``. A service's ``self._items`` (kept by ``__init__`` from a parameter typed
``ItemRepository`` or built there) resolves to that class. Facts come from ``index/extractors/orm.py``
(``class_models``, ``self_types``); nothing is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .cst import definition_names_of
from .facts import orm_facts
from .models import core_table, is_table_model

if TYPE_CHECKING:
    import libcst as cst

    from ..engine.context import FileContext
    from .index import ProjectIndex


def _orm(project: "ProjectIndex", qualified: str) -> tuple[dict, str]:
    where = project.split(qualified)
    if where is None:
        return {}, qualified.rsplit(".", 1)[-1]
    return orm_facts(project.modules[where[0]]), where[1]


def repository_model(project: "ProjectIndex", cls: str) -> Optional[str]:
    """The table model a repository class works on: the first class of its MRO that names one (``model =
    Item``, ``super().__init__(Item, ...)``), else the first table model among the generic arguments of its
    bases (``BaseRepository[Item]``)."""

    def build() -> Optional[str]:
        mro = project.class_mro(cls)
        for name, facts in mro:
            if facts is None:
                continue
            orm, short = _orm(project, name)
            named = orm.get("class_models", {}).get(short)
            if named:
                found = project.get_class(named)
                if found is not None and is_table_model(project, found[0]):
                    return found[0]
        return generic_model(project, cls)

    return project.memo(("repositories.model", cls), build)


def generic_model(project: "ProjectIndex", cls: str) -> Optional[str]:
    """The first table model among the generic arguments of the bases of ``cls``'s MRO (``class
    ItemRepository(BaseRepository[Item])``: ``orm`` facts ``generic_args``); ``None`` without one."""
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        orm, short = _orm(project, name)
        for g in orm.get("generic_args", {}).get(short, ()):
            found = project.get_class(g)
            if found is not None and is_table_model(project, found[0]):
                return found[0]
    return None


def self_attribute_class(project: "ProjectIndex", cls: str, attr: str) -> Optional[str]:
    """The project class (not a table model) of ``self.<attr>`` in a method of ``cls``, as its ``__init__`` (or a
    base's) keeps it; an interface's sole implementation (``sole_implementation``) for the interface. A
    module-level instance kept there (``self.item_dao = item_dao``) is one of its class
    (``module_instance_class``)."""
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        orm, short = _orm(project, name)
        kind = orm.get("self_types", {}).get(short, {}).get(attr)
        if kind:
            found = project.get_class(kind)
            if found is None or is_table_model(project, found[0]):
                return None
            return sole_implementation(project, found[0]) or found[0]
        held = orm.get("self_instances", {}).get(short, {}).get(attr)
        if held:
            instance = module_instance_class(project, held)
            return (sole_implementation(project, instance) or instance) if instance else None
    return None


def member_class(project: "ProjectIndex", cls: str, attr: str) -> Optional[str]:
    """The project class (not a table model) of ``<x>.<attr>`` where ``x`` is an instance of ``cls``: a unit of work's
    repository (``uow.bookings`` with ``uow: IUnitOfWork``). What ``cls`` (or a base) builds for ``attr``
    (``orm`` facts ``members``: ``self.bookings = BookingRepository(...)`` in ``__aenter__``, a property building
    one); else, for an interface, what the project's subclasses of ``cls`` build for it when they all build the
    same class (the concrete unit of work); else the declared type (``bookings: IBookingRepository``, a
    property's annotation, ``__init__``'s ``self_types``), or its sole implementation. ``None`` when the
    implementations build different classes, or nothing is known."""
    return project.memo(("repositories.member_class", cls, attr), lambda: _member_class(project, cls, attr))


def _member_facts(project: "ProjectIndex", cls: str, attr: str) -> tuple[Optional[str], Optional[str]]:
    """(built, declared) for ``attr`` along ``cls``'s MRO: the first class that builds it, the first that declares it."""
    built = declared = None
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        orm, short = _orm(project, name)
        entry = orm.get("members", {}).get(short, {}).get(attr) or {}
        built = built or entry.get("builds")
        declared = declared or entry.get("type") or orm.get("self_types", {}).get(short, {}).get(attr)
    return built, declared


def _project_class(project: "ProjectIndex", name: Optional[str]) -> Optional[str]:
    found = project.get_class(name) if name else None
    if found is None or is_table_model(project, found[0]):
        return None
    return found[0]


def _member_class(project: "ProjectIndex", cls: str, attr: str) -> Optional[str]:
    built, declared = _member_facts(project, cls, attr)
    if built is not None:
        found = _project_class(project, built)
        return (sole_implementation(project, found) or found) if found else None
    if declared is None:
        return None
    from .auth import _test_module_name  # (late: ``auth`` reads this module through ``scoping``)

    canonical = project.canonical(cls)
    answers: set[Optional[str]] = set()
    for sub in _subclasses(project).get(canonical, ()):
        if sub == canonical or _test_module_name(sub.rpartition(".")[0]):
            continue  # (a test's fake unit of work builds its fakes: not what a request runs)
        made, _ = _member_facts(project, sub, attr)
        if made is not None:
            answers.add(_project_class(project, made))
    if len(answers) > 1:
        return None  # (two units of work that build different repositories: no single answer)
    if answers:
        found = next(iter(answers))
        return (sole_implementation(project, found) or found) if found else None
    found = _project_class(project, declared)
    return (sole_implementation(project, found) or found) if found else None


def module_instance_class(project: "ProjectIndex", qualified: str) -> Optional[str]:
    """The project class (not a table model) of a module-level instance (``item_dao = ItemDAO(Item)``,
    ``chat_repo = ChatRepo()``) named by its qualified name, through re-exports; ``None`` for anything else (a
    class, a function, a value that is no call of a project class)."""
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return None
    call = orm_facts(project.modules[found[0]]).get("calls", {}).get(found[1])
    if call is None or not call.get("func"):
        return None
    cls = project.get_class(call["func"])
    return cls[0] if cls is not None and not is_table_model(project, cls[0]) else None


_INTERFACE_BASES = frozenset({"typing.Protocol", "typing_extensions.Protocol", "abc.ABC", "Protocol", "ABC"})


def sole_implementation(project: "ProjectIndex", cls: str) -> Optional[str]:
    """The one project class that subclasses ``cls`` when ``cls`` is an interface (a ``Protocol`` or an ``ABC``
    the project declares: ``class IPetsRepository(Protocol)`` with ``class PetsRepository(IPetsRepository)``):
    a service typed with the interface (``repo: IPetsRepository``, ``pets: IPetsService = Depends(...)``) runs
    that class's methods. ``None`` when ``cls`` is no interface, or none or several classes implement it."""
    return project.memo(("repositories.sole_implementation", cls), lambda: _sole_implementation(project, cls))


def _sole_implementation(project: "ProjectIndex", cls: str) -> Optional[str]:
    found = project.get_class(cls)
    if found is None or not any(b in _INTERFACE_BASES for b in found[1].get("bases", ())):
        return None
    canonical = found[0]
    hits = [q for q in _subclasses(project).get(canonical, ()) if q != canonical]
    return hits[0] if len(hits) == 1 else None


def _subclasses(project: "ProjectIndex") -> dict[str, list[str]]:
    """Each name a project class's base is spelled as or resolves to -> the project classes with that base
    (each once), read in one pass over the classes for every interface asked about."""
    return project.memo("repositories.subclasses", lambda: _subclasses_of(project))  # type: ignore[no-any-return]


def _subclasses_of(project: "ProjectIndex") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    canonical = project.canonical
    for q, facts in project.iter_classes():
        names: set[str] = set()
        for b in facts.get("bases") or ():
            if b:
                names.add(b)
                names.add(canonical(b))
        for name in names:
            out.setdefault(name, []).append(q)
    return out


def enclosing_class(ctx: "FileContext", func: "cst.FunctionDef") -> Optional[str]:
    """The qualified name of the top-level class whose method ``func`` is, or ``None``."""
    name = definition_names_of(ctx).get(id(func))
    if name is None or "." not in name:
        return None
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    return f"{module}.{name.rsplit('.', 1)[0]}" if module else None


def specialised(
    project: "ProjectIndex", receiver: str, target: Optional[tuple[str, str, str, dict]]
) -> Optional[tuple[str, str, str, dict]]:
    """A method summary (``queries.method_summary``) found on a base of ``receiver``, with its lookups on the
    class itself (``self.model``: recorded on the defining class, not a table) made lookups of the
    receiver's model. The class returned is the receiver, so that ``self.<method>`` calls the summary
    makes resolve as they do at run time."""
    if target is None:
        return None
    mod, defining, name, summary = target
    fetches = summary.get("fetches")
    if not fetches or is_table_model(project, defining):
        return target
    model = repository_model(project, receiver)
    if model is None and is_table_model(project, receiver):
        # active record: a mixin's classmethod called on the model (``Item.one_by_id(session, id)``, whose
        # body is ``session.get(cls, id)``): ``cls`` is the model it is called on
        model = receiver
    if model is None:
        return target
    mine = {n for n, _ in project.class_mro(receiver)}
    changed = [dict(f, model=model) if project.canonical(f["model"]) in mine else f for f in fetches]
    if changed == fetches:
        return target
    return mod, receiver, name, dict(summary, fetches=changed)


def entity_table(project: "ProjectIndex", cls: Optional[str]) -> Optional[str]:
    """The table model whose rows the project hands around as domain entities of ``cls``: every repository class
    with ``cls`` among its bases' generic arguments (``class BookingRepository(BaseRepository[BookingEntity])``)
    names the same table model for its queries (``super().__init__(db, Booking, BookingEntity)``, ``model =
    Booking``). ``None`` when ``cls`` is a table model itself, no repository is generic over it, or they name
    different tables (or none)."""
    if not cls:
        return None
    return project.memo(("repositories.entity_table", cls), lambda: _entity_table(project, cls))


def _entity_table(project: "ProjectIndex", cls: str) -> Optional[str]:
    found = project.get_class(cls)
    if found is None or is_table_model(project, found[0]):
        return None
    tables: set[Optional[str]] = set()
    for q, _ in project.iter_classes():
        orm, short = _orm(project, q)
        args = orm.get("generic_args", {}).get(short, ())
        if not any(project.canonical(a) == found[0] for a in args):
            continue
        tables.add(repository_model(project, q))
    return next(iter(tables)) if len(tables) == 1 else None


def core_row_table(project: "ProjectIndex", cls: Optional[str]) -> Optional[str]:
    """The SQLAlchemy Core table whose rows the project hands around as objects of ``cls``: every project function
    or method annotated to return ``cls`` (``-> Optional[Pet]``, ``-> List[Pet]``) that looks a table up (``flow``
    index facts) looks up the same Core table (``select(pets).where(pets.c.id == pet_id)``, then ``Pet(**row)``).
    ``None`` when ``cls`` is a table model itself, no such function looks a Core table up, or they look up
    several tables."""
    if not cls:
        return None
    # (stored with the index: a run linting one file reads the map instead of every module's summaries)
    rows = project.memo(("repositories.core_rows", None), lambda: project.stored_memo("repositories.core_rows", lambda: _core_rows(project), load=dict))
    return rows.get(project.canonical(cls))


def _core_rows(project: "ProjectIndex") -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for mod, mfacts in project.iter_modules():
        extra = mfacts.get("extra", {})
        flow, orm = extra.get("flow", {}), extra.get("orm", {})
        if not flow:
            continue
        returned: list[tuple[Optional[str], dict]] = []
        for name, summary in flow.get("functions", {}).items():
            returned.append(((orm.get("functions", {}).get(name) or {}).get("returns"), summary))
        for name, summary in flow.get("methods", {}).items():
            owner, _, method = name.rpartition(".")
            returned.append((orm.get("method_returns", {}).get(owner, {}).get(method), summary))
        for made, summary in returned:
            if not made or not summary.get("fetches"):
                continue
            found = project.get_class(made)
            if found is None or is_table_model(project, found[0]):
                continue
            tables = {f.get("model") for f in summary["fetches"]}
            canonical = {project.canonical(t) for t in tables if t}
            if len(canonical) == 1 and core_table(project, next(iter(canonical))):
                seen.setdefault(found[0], set()).update(canonical)
            else:
                seen.setdefault(found[0], set()).add("")  # (several tables, or an ORM one: no single answer)
    return {cls: next(iter(tables)) for cls, tables in seen.items() if len(tables) == 1 and "" not in tables}
