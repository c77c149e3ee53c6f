"""ORM models, their columns and owners, and pydantic / SQLModel schemas and their fields, across modules.

Everything here reads the project index (``ProjectIndex``): classes with their resolved bases, fields and
keywords, plus the ``orm`` extractor's facts (``declared_attr`` columns, relationships, global loader
criteria). Nothing is imported. A class whose hierarchy leaves the project for an unknown package gives
``None`` ("cannot know") where a yes/no would be a guess.

Stable API (other families import it):

- ``schema_fields(project, qualified_class) -> dict[name, FieldInfo]`` with inherited fields (a subclass
  wins), ``FieldInfo(name, annotation, optional, required, nullable, default, owner, line)``: a view of
  ``schemas.schema_info`` (shared with family 5) without relationships and ``Final`` attributes;
  ``optional`` means "may be left out and is then ``None``" (a nullable annotation or a ``None`` default,
  and not required).
- ``is_pydantic_model(project, q)`` (``True``/``False``/``None`` when unknown), ``is_table_model``,
  ``model_columns``, ``relationships``, ``identity_columns``, ``is_owned``, ``globally_scoped``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..ground.config import DEFAULT_IDENTITY_FIELDS, analysis_key
from .index.extract import ast_dotted
from .schemas import annotation_admits_none, parse_expr, schema_info
from .facts import orm_facts
from .tree_facts import walk as ast_walk

if TYPE_CHECKING:  # pragma: no cover
    from ..ground.config import Settings
    from .index import ProjectIndex

PYDANTIC_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.v1.BaseModel",
        "pydantic.v1.main.BaseModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    }
)
SQLMODEL_BASES = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
# A class deriving directly from one of these is the declarative *base*, not a table.
DECLARATIVE_BASE_CLASSES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
    }
)
# Calls whose result is a declarative base (subclasses are tables).
DECLARATIVE_BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
COLUMN_CALLS = frozenset({"Column", "mapped_column", "column_property", "deferred", "composite"})
RELATIONSHIP_CALLS = frozenset({"relationship", "Relationship", "relation", "backref", "association_proxy"})
# Classes that are known not to be pydantic models (so that "unknown" is not returned for them).
_KNOWN_PLAIN = frozenset({"builtins.object", "object", "typing.Generic", "typing.Protocol", "abc.ABC", "enum.Enum", "builtins.str", "str", "int"})


@dataclass(frozen=True)
class FieldInfo:
    name: str
    annotation: str
    optional: bool  # may be left out and is then None
    required: bool  # no default: the client must send it
    nullable: bool  # the annotation admits None
    default: Optional[str]  # source of the default, "<factory>" for default_factory, None when required
    owner: str  # qualified name of the class that declares it
    line: int


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    owner: str
    line: int


def _last(q: Optional[str]) -> str:
    return q.rsplit(".", 1)[-1] if q else ""


def _is_classvar(annotation: Optional[str]) -> bool:
    node = parse_expr(annotation)
    if isinstance(node, ast.Subscript):
        node = node.value
    return _last(ast_dotted(node)) in ("ClassVar", "Final") if node is not None else False


# --- classes ----------------------------------------------------------------------------------------------

def _extra(project: "ProjectIndex", qualified: str) -> dict[str, Any]:
    split = project.split(qualified)
    if split is None:
        return {}
    return orm_facts(project.modules[split[0]])


def is_pydantic_model(project: Optional["ProjectIndex"], qualified: Optional[str]) -> Optional[bool]:
    """True for a pydantic / SQLModel model (table or not); None when the hierarchy leaves the project."""
    if project is None or not qualified:
        return None
    return project.memo(("models.pydantic", qualified), lambda: _is_pydantic(project, qualified))


def _is_pydantic(project: "ProjectIndex", qualified: str) -> Optional[bool]:
    if qualified in PYDANTIC_BASES:
        return True
    mro = project.class_mro(qualified)
    if not mro or mro[0][1] is None:
        return None
    unknown = False
    for name, facts in mro[1:]:
        if name in PYDANTIC_BASES:
            return True
        if facts is None and name not in _KNOWN_PLAIN and not name.startswith(("typing.", "builtins.", "enum.", "abc.", "sqlalchemy.")):
            if _declarative_marker(project, name) is not None:
                continue  # ``declarative_base()`` / ``db.Model``: ORM, not pydantic
            unknown = True
    return None if unknown else False


def _declarative_marker(project: "ProjectIndex", name: str, _depth: int = 0) -> Optional[str]:
    """``"class"`` for DeclarativeBase itself, ``"base"`` for a declarative base object (subclasses are
    tables), ``None`` otherwise. A module-level alias of one (``Model = db.Model``) is one."""
    if name in DECLARATIVE_BASE_CLASSES:
        return "class"
    found = project.resolve_symbol(name)
    if found is not None and found[2] == "assignments":
        mod, attr, _ = found
        entry = project.modules[mod]["assignments"][attr]
        call = entry.get("call") or ""
        if call in DECLARATIVE_BASE_FACTORIES or _last(call) in ("declarative_base", "generate_base"):
            return "base"
        value = entry.get("value")
        if not call and _depth < 4 and isinstance(value, str) and _UNION_PART.match(value):
            target = project.name_in_module(mod, value)
            if target and target != name:
                return _declarative_marker(project, target, _depth + 1)
        return None
    # Flask-SQLAlchemy: ``db.Model`` where ``db = SQLAlchemy()``
    if name.endswith(".Model"):
        owner = project.resolve_symbol(name[: -len(".Model")])
        if owner is not None and owner[2] == "assignments":
            call = project.modules[owner[0]]["assignments"][owner[1]].get("call") or ""
            if _last(call) == "SQLAlchemy":
                return "base"
    return None


def is_table_model(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """An ORM-mapped class: SQLModel ``table=True``, or a (non-abstract) subclass of a declarative base."""
    if project is None or not qualified:
        return False
    return project.memo(("models.table", qualified), lambda: _is_table(project, qualified))


_UNION_PART = re.compile(r"^[A-Za-z_][\w.]*$")


def table_union_alias(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """A module-level alias naming only ORM table classes (``Commentable = Collection | Article | Edit``, also
    ``Union[...]`` / ``Optional[...]`` of them): a parameter so typed is handed a row."""
    if project is None or not qualified:
        return False
    return project.memo(("models.table_union", qualified), lambda: _table_union(project, qualified))


def _table_union(project: "ProjectIndex", qualified: str) -> bool:
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return False
    mod, name, _ = found
    value = (project.modules[mod].get("assignments", {}).get(name) or {}).get("value") or ""
    text = value.strip().strip("()")
    for wrapper in ("typing.Union[", "Union[", "typing.Optional[", "Optional["):
        if text.startswith(wrapper) and text.endswith("]"):
            text = text[len(wrapper) : -1]
            break
    parts = [p.strip() for p in re.split(r"[|,]", text)]
    parts = [p for p in parts if p and p != "None"]
    if len(parts) < 2 and not value.strip().startswith(("Union[", "typing.Union[", "Optional[", "typing.Optional[")):
        return False  # (a plain ``Alias = Model`` is resolved as the class itself)
    if not parts or not all(_UNION_PART.match(p) for p in parts):
        return False
    for part in parts:
        target = project.canonical(f"{mod}.{part}")
        if not is_table_model(project, target):
            return False
    return True


def _is_table(project: "ProjectIndex", qualified: str) -> bool:
    found = project.get_class(qualified)
    if found is None:
        return False
    canonical, facts = found
    if facts.get("keywords", {}).get("table") == "True":
        return True
    own = facts.get("fields", {})
    abstract = own.get("__abstract__")
    if abstract is not None and abstract.get("value") == "True":
        return False
    if any("as_declarative" in (d or "") for d in facts.get("decorators", [])):
        return False  # the decorated class is the base itself
    mro = project.class_mro(canonical)
    direct = set(facts.get("bases", []))
    for name, base_facts in mro[1:]:
        marker = _declarative_marker(project, name)
        if marker == "class":
            # ``class Base(DeclarativeBase)`` is the base; its subclasses are tables
            return name not in direct
        if marker == "base":
            return True
        if base_facts is not None and any("as_declarative" in (d or "") for d in base_facts.get("decorators", [])):
            return True
    return _declares_table(project, canonical, facts, mro)


def _declares_table(project: "ProjectIndex", canonical: str, facts: dict[str, Any], mro: list) -> bool:
    """A class that names its table (``__tablename__``) and declares ``Column(...)`` / ``mapped_column(...)``
    attributes is mapped whatever its base: the base may be made by a project function the index cannot read
    (``Model = create_model(db)``) or come from a library. Not a pydantic / SQLModel class (a SQLModel class
    is a table only with ``table=True``), not abstract (checked by the caller)."""
    own = facts.get("fields", {})
    if "__tablename__" not in own:
        return False
    if not any(_last((f or {}).get("call")) in ("Column", "mapped_column") for f in own.values()):
        return False
    if any(name in SQLMODEL_BASES for name, _ in mro):
        return False
    return is_pydantic_model(project, canonical) is not True


def _field_is_relationship(project: "ProjectIndex", owner: str, name: str, field: dict[str, Any]) -> bool:
    if _last(field.get("call")) in RELATIONSHIP_CALLS:
        return True
    rels = _extra(project, owner).get("relationships", {}).get(_last(owner), {})
    return name in rels


def model_columns(project: Optional["ProjectIndex"], qualified: Optional[str]) -> dict[str, ColumnInfo]:
    """Columns of an ORM model, declared on it, its mixins and its base classes (across modules)."""
    if project is None or not qualified:
        return {}
    return project.memo(("models.columns", qualified), lambda: _columns(project, qualified))


def _columns(project: "ProjectIndex", qualified: str) -> dict[str, ColumnInfo]:
    found = project.get_class(qualified)
    if found is None or not is_table_model(project, qualified):
        return {}
    canonical, facts = found
    sqlmodel_table = facts.get("keywords", {}).get("table") == "True"
    out: dict[str, ColumnInfo] = {}
    for owner, owner_facts in reversed(project.class_mro(canonical)):
        if owner_facts is None:
            continue
        owner_is_pydantic = sqlmodel_table and is_pydantic_model(project, owner) is not False
        for name, field in owner_facts.get("fields", {}).items():
            if name.startswith("__") or _is_classvar(field.get("annotation")):
                continue
            if _field_is_relationship(project, owner, name, field):
                continue
            call = _last(field.get("call"))
            annotation = field.get("annotation") or ""
            is_column = call in COLUMN_CALLS or annotation.startswith(("Mapped[", "orm.Mapped[", "sa.orm.Mapped["))
            if not is_column and owner_is_pydantic and field.get("annotation") is not None and not name.startswith("_"):
                is_column = name not in ("model_config",)
            if not is_column and call == "Field" and sqlmodel_table:
                is_column = True
            if is_column:
                out[name] = ColumnInfo(name, owner, field.get("line", 0))
        for name in _extra(project, owner).get("declared_attrs", {}).get(_last(owner), []):
            if not name.startswith("__"):
                out[name] = ColumnInfo(name, owner, owner_facts.get("line", 0))
    return out


def relationships(project: Optional["ProjectIndex"], qualified: Optional[str]) -> dict[str, Optional[str]]:
    """Relationship attributes of a model -> the target model's canonical name (``None`` when unknown)."""
    if project is None or not qualified:
        return {}
    return project.memo(("models.relationships", qualified), lambda: _relationships(project, qualified))


def _relationships(project: "ProjectIndex", qualified: str) -> dict[str, Optional[str]]:
    found = project.get_class(qualified)
    if found is None:
        return {}
    out: dict[str, Optional[str]] = {}
    for owner, owner_facts in reversed(project.class_mro(found[0])):
        if owner_facts is None:
            continue
        for name, target in _extra(project, owner).get("relationships", {}).get(_last(owner), {}).items():
            out[name] = model_by_name(project, target)
    return out


def model_by_name(project: "ProjectIndex", name: Optional[str]) -> Optional[str]:
    """A model's canonical name from a dotted name or a bare registry name (``"User"``)."""
    if not name:
        return None
    found = project.get_class(name)
    if found is not None:
        return found[0]
    bare = _last(name)
    hits = tables_by_class_name(project).get(bare, ())
    return hits[0] if len(hits) == 1 else None


def tables_by_class_name(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    """Class name -> the table models of that name (a bare registry name: ``"User"``). Stored with the index: a
    run linting one file reads the names instead of every class's facts."""
    return project.stored_memo("models.by_bare_name", lambda: _bare_names(project), load=_tuples_by_key)  # type: ignore[no-any-return]


def _tuples_by_key(raw: dict) -> dict[str, tuple[str, ...]]:
    """A stored ``{name: [...]}`` read back as ``{name: (...)}``."""
    return {k: tuple(v) for k, v in raw.items()}


def _bare_names(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for q, _ in project.iter_classes():
        if is_table_model(project, q):
            out.setdefault(_last(q), []).append(q)
    return {k: tuple(v) for k, v in out.items()}


def identity_fields(settings: Optional["Settings"]) -> tuple[str, ...]:
    if settings is None:
        return DEFAULT_IDENTITY_FIELDS
    return settings.identity_fields


def identity_columns(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> tuple[str, ...]:
    """The model's columns that say who owns a row, in the configured order, then its owner references
    (``created_by_user_id``: see ``owner_reference``)."""
    cols = model_columns(project, qualified)
    configured = tuple(f for f in identity_fields(settings) if f in cols)
    if project is None or not qualified:
        return configured
    configured = tuple(f for f in configured if not names_other_table(project, settings, qualified, f))
    configured = tuple(f for f in configured if not external_account_key(project, settings, qualified, f))
    if configured:
        audit = audit_columns(project, settings)
        if audit:
            configured = tuple(f for f in configured if (cols[f].owner, f) not in audit)
    inferred = tuple(c for c in cols if c not in configured and owner_reference(project, qualified, c))
    from .scoping import inferred_columns  # (reads this module's facts about tables)

    used = tuple(c for c in inferred_columns(project, settings, qualified) if c in cols and c not in configured and c not in inferred)
    return configured + inferred + used


# a base or mixin whose identity column is an audit field: held by at least this many table models, and by
# at least this share of all the project's table models
_AUDIT_MIN_MODELS = 3
_AUDIT_MIN_SHARE = 0.5


def audit_columns(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> frozenset[tuple[str, str]]:
    """``{(base, column)}``: identity columns declared on a base class or mixin that is no table itself
    (the declarative ``Base``, an ``AuditMixin``) and inherited by (nearly) every table model of the project
    (``_AUDIT_MIN_MODELS``, ``_AUDIT_MIN_SHARE``), which the project never constrains anywhere: no query
    predicate, ``filter_by`` keyword or comparison on the column in any function (the ``flow`` and
    ``scoping`` index facts), only writes (``created_by_id=user_id``). Such a column records who touched
    the row, it does not say who owns it (RULES.md: "``workspace_id`` for a model whose ``created_by_id`` is
    an audit field"): a model holding it through that base is not owned by it. A model that declares the
    column itself, or another identity column (``UserListPreset.user_id``), keeps it."""
    if project is None:
        return frozenset()
    return project.memo(
        ("models.audit_columns", identity_fields(settings)),
        lambda: project.stored_memo(
            f"models.audit_columns:{analysis_key(settings)}", lambda: _audit_columns(project, settings),
            load=lambda raw: frozenset(tuple(pair) for pair in raw),
        ),
    )


def _audit_columns(project: "ProjectIndex", settings: Optional["Settings"]) -> frozenset[tuple[str, str]]:
    fields = set(identity_fields(settings))
    tables = [q for q, _ in project.iter_classes() if is_table_model(project, q)]
    if len(tables) < _AUDIT_MIN_MODELS:
        return frozenset()
    held: dict[tuple[str, str], int] = {}
    for q in tables:
        for name, info in model_columns(project, q).items():
            if name in fields and info.owner != q:
                held[(info.owner, name)] = held.get((info.owner, name), 0) + 1
    shared = {
        key for key, n in held.items()
        if n >= _AUDIT_MIN_MODELS and n >= _AUDIT_MIN_SHARE * len(tables) and not is_table_model(project, key[0])
    }
    if not shared:
        return frozenset()
    constrained = _constrained_columns(project)
    return frozenset(key for key in shared if key[1] not in constrained)


def _constrained_columns(project: "ProjectIndex") -> set[str]:
    """Column names the project uses in a query predicate or a comparison anywhere (coarse: any model)."""
    out: set[str] = set()
    for _, facts in project.iter_modules():
        extra = facts.get("extra", {})
        flow = extra.get("flow", {})
        for per in flow.get("scoping", {}).values():
            out.update(per)
        for group in ("functions", "methods"):
            for summary in flow.get(group, {}).values():
                out.update(summary.get("preds", ()))
                out.update(summary.get("compared", ()))
        for per in extra.get("scoping", {}).get("functions", {}).values():
            for d in per.get("direct", ()):
                out.add(d["column"])
            for c in per.get("calls", ()):
                if c.get("column"):
                    out.add(c["column"])
    return out


_CREATOR_COLUMN = re.compile(r"^(created_by|creator)(_user|_account)?(_id)?$")


def creator_recorded_only(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> bool:
    """The model's only owner columns record who *made* the row (``created_by_id``, ``created_by_user_id``,
    ``creator_id``), each may be empty (``nullable``: rows exist that nobody made, seeded or imported), and the
    project never constrains that column: no query predicate, ``filter_by`` keyword or comparison on it in any
    function (``_constrained_columns``, by name). A creator column is written once, at creation; whether the
    rows are private to their creator is shown by the project reading it as a scope. Without that, the rows are shared records (reference data: templates, classifications,
    evidence types; a team's rows), and a load of one by its id claims nothing of its creator (family 2's
    BKL201). A model the project compares by its creator anywhere keeps it (a saved filter read as
    ``SavedFilter.created_by == current_user.id``); the name ``user_id`` / ``owner_id`` says owner by itself."""
    if project is None or not qualified:
        return False
    cols = identity_columns(project, settings, qualified)
    if not cols or not all(_CREATOR_COLUMN.match(c) for c in cols):
        return False
    if not all(_may_be_empty(project, qualified, c) for c in cols):
        return False  # every row names its maker: the author's own row (``Memo.created_by_id: Mapped[int]``)
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    if settings is not None and _matches_config(canonical, settings.owned_models):
        return False
    # model by model (``knowledge.creators``): a project comparing ``Answer.created_by_id`` with the caller says
    # nothing of the ``Campus`` rows carrying the same audit column; a constraint on a row whose model is not
    # told (a library CRUD call's keyword, ``crud.get(db, id=key, created_by_user_id=me["id"])``) counts for
    # every model holding the column
    from .creators import constrained_for

    return not any(constrained_for(project, canonical, c) for c in cols)


# person columns whose name does not say owner by itself: who made, wrote or is linked to the row
_RECORDED_PERSON_COLUMNS = frozenset({"user_id", "author_id", "creator_id", "created_by_id"})


def party_outlived_only(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> bool:
    """Every owner column of the model names a person whose row the model's rows outlive: a foreign key declared
    ``ondelete="SET NULL"`` (``Quote.user_id = Column(ForeignKey("users.id", ondelete="SET NULL"),
    nullable=True)``, ``Announcement.author_id``), a person column whose name does not say owner
    (``_RECORDED_PERSON_COLUMNS``, a creator column, an owner reference such as ``created_by_user_id``), and
    the project never reads that column as a scope for that model: no query predicate on ``M.<column>``
    anywhere (the ``flow`` facts' scoping counts) and no comparison or check of a row of ``M`` (or of a row
    whose model cannot be told) against the caller (``creators.caller_constrained``). When the person is
    deleted the rows stay, ownerless, for everyone else: the column records who made or is linked to a shared
    row (a CRM's quotes, a company's announcements, an employee directory's account link), it does not say
    whose the row is. ``owner_id`` and configured identity fields and owned models are kept, and a model the
    project scopes by the column anywhere keeps it (``Employee.user_id == current_user.id``)."""
    found = outlived_person_columns(project, settings, qualified)
    if found is None:
        return False
    from .creators import caller_constrained

    return not any(caller_constrained(project, settings, found[0], c) for c in found[1])


def outlived_person_columns(
    project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str],
) -> Optional[tuple[str, tuple[str, ...]]]:
    """``(canonical model, owner columns)`` when every owner column of the model is a person column whose name
    does not say owner, declared ``ondelete="SET NULL"`` (``party_outlived_only`` before it reads the project's
    comparisons); ``None`` otherwise, and for configured owned models."""
    if project is None or not qualified:
        return None
    cols = identity_columns(project, settings, qualified)
    if not cols:
        return None
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    if settings is not None and _matches_config(canonical, settings.owned_models):
        return None
    for c in cols:
        if not (c in _RECORDED_PERSON_COLUMNS or _CREATOR_COLUMN.match(c) or owner_reference(project, canonical, c)):
            return None
        if not _released_on_delete(project, canonical, c):
            return None
    return canonical, tuple(cols)


def _released_on_delete(project: "ProjectIndex", qualified: str, column: str) -> bool:
    """The column is a foreign key declared ``ondelete="SET NULL"`` (``ForeignKey("users.id", ondelete="SET
    NULL")``, SQLModel's ``Field(foreign_key="users.id", ondelete="SET NULL")``): the referenced row may be
    deleted while this one stays."""
    declared = _declared_field(project, qualified, column)
    if declared is None:
        return False
    value = parse_expr(declared[1].get("value"))
    if value is None:
        return False
    for node in ast_walk(value):
        if not isinstance(node, ast.Call):
            continue
        keyed = _last(ast_dotted(node.func)) == "ForeignKey" or any(kw.arg == "foreign_key" for kw in node.keywords)
        if not keyed:
            continue
        for kw in node.keywords:
            if kw.arg == "ondelete" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                if " ".join(kw.value.value.upper().split()) == "SET NULL":
                    return True
    return False


def column_may_be_null(project: "ProjectIndex", qualified: str, column: str) -> bool:
    """The column of the model ``qualified`` admits NULL (``_may_be_empty``): a row's value of it may be ``None``."""
    return _may_be_empty(project, qualified, column)


def _may_be_empty(project: "ProjectIndex", qualified: str, column: str) -> bool:
    """The column admits NULL: ``nullable=True``, an annotation admitting ``None``, or SQLAlchemy's default for a
    ``Column(...)`` / ``db.Column(...)`` declared with no annotation and no ``nullable`` (nullable unless a
    primary key)."""
    declared = _declared_field(project, qualified, column)
    if declared is None:
        return False
    traits = column_traits(project, qualified, column)
    if traits is None or traits.primary_key:
        return False
    if traits.nullable:
        return True
    raw = declared[1]
    value = parse_expr(raw.get("value"))
    if raw.get("annotation") or value is None:
        return False
    for node in ast_walk(value):
        if isinstance(node, ast.Call) and any(kw.arg == "nullable" for kw in node.keywords):
            return False  # (``nullable=False``, or a value that is no constant)
    return isinstance(value, ast.Call) and _last(ast_dotted(value.func)) == "Column"


# ``<owner words>_<user|account>_id``: ``created_by_user_id``, ``owner_user_id``, ``author_account_id``
_OWNER_PREFIX_WORDS = frozenset({"created", "by", "owner", "owned", "author", "creator"})
_OWNER_TARGET_WORDS = ("user", "account")


def owner_reference(project: Optional["ProjectIndex"], qualified: Optional[str], column: str) -> bool:
    """A foreign-key column named only by owner words before the referenced user / account table
    (``created_by_user_id = mapped_column(ForeignKey("user.id"))``): it says who owns the row as plainly as
    ``user_id`` does. Names are matched whole, word by word: ``on_behalf_of_user_id``, ``assigned_user_id``
    or ``reviewer_user_id`` are not owner references, and a column that is not a foreign key is never one."""
    if not column.endswith("_id"):
        return False
    words = column[: -len("_id")].split("_")
    if len(words) < 2 or words[-1] not in _OWNER_TARGET_WORDS or not set(words[:-1]) <= _OWNER_PREFIX_WORDS:
        return False
    if words[:-1] == ["by"]:
        return False
    traits = column_traits(project, qualified, column)
    return traits is not None and bool(traits.foreign_key)


# Words of a model that stands for a party, one who can own rows (a word of its class name starts with one)
_PARTY_WORDS = (
    "user", "account", "member", "org", "tenant", "workspace", "team", "owner", "customer", "person", "people",
    "profile", "company", "client", "group", "staff", "employee", "admin", "principal", "identity", "login",
    "subscriber", "household", "creator", "party",
)
# Default identity fields whose name says the row's owner is a party whatever the table is called
# (``user_id`` referencing a ``gardener`` login table): only ``author_id`` and ``account_id`` may name a
# catalogue's or a ledger's row
_PARTY_COLUMNS = frozenset({"user_id", "owner_id", "creator_id", "created_by_id", "tenant_id", "organization_id", "organisation_id", "org_id", "workspace_id"})
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def names_other_table(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str], column: str) -> bool:
    """A default identity field whose name may mean another thing than a party (``author_id``, ``account_id``;
    not ``user_id``, ``owner_id``, ``organization_id``, ...) that references a project table which is no
    party: a catalogue's ``Book.author_id`` holding an ``Author`` row's id (``ForeignKey("authors.id")``, or no
    foreign key and one table model named by the column, ``authors`` / ``Author``). Such a column says which
    row of that table the row belongs to, not who owns it. The referenced model is a party when a word of its
    class name says so (``user``, ``account``, ``org...``, ``tenant``, ``workspace``, ``team``, ``member``,
    ``customer``, ``profile``, ``company``, ...: a ledger's ``ChartOfAccounts`` stays one), it has a password
    column (a login table), it is owned itself (an identity field of its own: ownership through a parent
    row), or it is, or is related by inheritance to, the principal's class. Unknown targets (no readable
    foreign key, no table of that name, several) keep the column an identity column. Configured identity
    fields are kept whatever they reference."""
    if project is None or not qualified or column not in DEFAULT_IDENTITY_FIELDS:
        return False
    if column not in _TENANT_FIELDS and core_table(project, qualified):
        return project.memo(("models.core_other_table", qualified, column), lambda: _core_names_other_table(project, settings, qualified, column))
    if column in _PARTY_COLUMNS:
        return False
    return project.memo(
        ("models.names_other_table", qualified, column, identity_fields(settings)),
        lambda: _names_other_table(project, settings, qualified, column),
    )


def _names_other_table(project: "ProjectIndex", settings: Optional["Settings"], qualified: str, column: str) -> bool:
    found = project.get_class(qualified)
    if found is None:
        return False
    target = referenced_model(project, found[0], column)
    if target is None or target == found[0]:
        return False
    return not _party_model(project, settings, target)


def external_account_key(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str], column: str) -> bool:
    """A default identity field whose name may mean another thing than a party (``account_id``, ``author_id``;
    ``names_other_table``) holding another system's identifier: a string column with no foreign key and no
    project table named by it (``SocialConnector.account_id: Mapped[str]``, a social platform's page id), on a
    table whose foreign key reaches a project table with an identity column of its own (``brand_id`` ->
    ``Brand``, owned by ``workspace_id``), and which the project never compares with the caller or a value read
    off the caller (``scoping`` facts ``direct``). Such a column names an account elsewhere, not who owns the row:
    the row is owned through the parent its foreign key reaches. Configured identity fields are kept."""
    if project is None or not qualified or column not in DEFAULT_IDENTITY_FIELDS or column in _PARTY_COLUMNS:
        return False
    found = project.get_class(qualified)
    if found is None:
        return False
    principals = tuple(settings.principal_parameters) if settings is not None else ()
    return project.memo(
        ("models.external_account_key", found[0], column, identity_fields(settings), principals),
        lambda: _external_account_key(project, settings, found[0], column),
    )


_STRING_TYPES = frozenset({"str", "String", "Text", "Unicode", "UnicodeText", "VARCHAR", "CHAR", "NVARCHAR"})


def _string_column(project: "ProjectIndex", qualified: str, column: str) -> bool:
    """The column's annotation or its SQL type says text (``Mapped[str]``, ``Optional[str]``, ``String(255)``)."""
    declared = _declared_field(project, qualified, column)
    if declared is None:
        return False
    raw = declared[1]
    annotation = parse_expr(raw.get("annotation"))
    names: set[str] = set()
    if annotation is not None:
        names |= {_last(ast_dotted(n)) for n in ast_walk(annotation) if isinstance(n, (ast.Name, ast.Attribute))}
        names -= {"Mapped", "Optional", "Union", "None", "Annotated"}
        if names:
            return names <= _STRING_TYPES
    value = parse_expr(raw.get("value"))
    if isinstance(value, ast.Call) and value.args:
        first = value.args[0]
        head = first.func if isinstance(first, ast.Call) else first
        return _last(ast_dotted(head)) in _STRING_TYPES
    return False


def _external_account_key(project: "ProjectIndex", settings: Optional["Settings"], qualified: str, column: str) -> bool:
    traits = column_traits(project, qualified, column)
    if traits is None or traits.foreign_key is not False or traits.primary_key:
        return False
    if referenced_model(project, qualified, column) is not None or not _string_column(project, qualified, column):
        return False
    fields = set(identity_fields(settings))
    parent = False
    for other in model_columns(project, qualified):
        other_traits = column_traits(project, qualified, other) if other != column else None
        if other_traits is None or not other_traits.foreign_key:
            continue
        target = referenced_model(project, qualified, other)
        if target is not None and target != qualified and fields & set(model_columns(project, target)):
            parent = True
            break
    if not parent:
        return False
    from .scoping import caller_compared_columns  # (reads this module's facts about tables)

    return (qualified, column) not in caller_compared_columns(project, settings)


# default identity fields that name a tenant (a workspace's, an organisation's row), not a person
_TENANT_FIELDS = frozenset({"tenant_id", "organization_id", "organisation_id", "org_id", "workspace_id"})
_USER_TABLE_WORDS = ("user", "account", "login")


def core_table(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """A SQLAlchemy Core ``Table(...)`` the index reads as a table model (``extractors.orm.core_tables``)."""
    if project is None or not qualified:
        return False
    found = project.get_class(qualified)
    return found is not None and bool(found[1].get("core_table"))


def _core_names_other_table(project: "ProjectIndex", settings: Optional["Settings"], qualified: str, column: str) -> bool:
    """A Core table's person column (``owner_id``, ``user_id``, ...) whose foreign key points at a table that is
    no user table: ``pets.owner_id`` referencing ``people.id`` (the beneficiary a pet belongs to) says whose
    pet it is, not which user owns the row. The foreign key decides, not the name: the referenced table is a
    user table when its name says so (``users``, ``accounts``, ``logins``) or it has a password column (the
    principal's class is not asked: it is read from these facts). A Core table spells its references, so a
    person column with no foreign key (``Column("owner_id", UUID)``, holding a person's or a pet's id) is no
    identity column either, nor is one of an association table (every column a foreign key:
    ``article_author(article_id, user_id)`` links an article to its authors); a foreign key to a table the
    index does not know keeps it one."""
    traits = column_traits(project, qualified, column)
    if traits is None:
        return False
    if not traits.foreign_key:
        return True  # (a Core table spells its references: a bare ``owner_id`` says nothing of a user)
    columns = model_columns(project, qualified)
    if len(columns) >= 2 and all((column_traits(project, qualified, c) or ColumnTraits(False, False, False, False)).foreign_key for c in columns):
        return True  # an association table (``article_author(article_id, user_id)``): it links rows, nobody owns a link
    target = referenced_model(project, qualified, column)
    if target is None or target == qualified:
        return False
    return not _user_table(project, target)


def _user_table(project: "ProjectIndex", target: str) -> bool:
    if any(w.startswith(_USER_TABLE_WORDS) for w in table_words(project, target)):
        return True
    return any("password" in c.lower() for c in model_columns(project, target))


def table_words(project: "ProjectIndex", qualified: str) -> list[str]:
    """The lowered words of a model's class name and of its literal ``__tablename__`` (a Core table's name):
    ``OrganisationInvitationKey`` -> organisation, invitation, key; ``"user_accounts"`` -> user, accounts."""
    found = project.get_class(qualified)
    names = [_last(qualified)]
    raw = found[1].get("fields", {}).get("__tablename__") if found is not None else None
    node = parse_expr(raw.get("value")) if raw else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        names.append(node.value)
    return [w.lower() for name in names for w in _CAMEL.findall(name)]


def _declared_field(project: Optional["ProjectIndex"], qualified: Optional[str], column: str) -> Optional[tuple[str, dict[str, Any]]]:
    """The class of the model's MRO that declares a column, with the index's facts of the declaration, or ``None``."""
    if project is None or not qualified:
        return None
    info = model_columns(project, qualified).get(column)
    if info is None:
        return None
    owner = project.get_class(info.owner)
    raw = owner[1].get("fields", {}).get(column) if owner is not None else None
    return (info.owner, raw) if raw is not None else None


def referenced_model(project: Optional["ProjectIndex"], qualified: Optional[str], column: str) -> Optional[str]:
    """The project table model a column references: its foreign key's table (``ForeignKey("authors.id")``,
    ``ForeignKey(Author.id)``, SQLModel's ``foreign_key="authors.id"``), or, for a ``*_id`` column with no
    foreign key, the one table model named by the column (``author_id`` -> table ``authors`` / ``author``, or
    class ``Author``). ``None`` when unknown or ambiguous."""
    declared = _declared_field(project, qualified, column)
    if declared is None:
        return None
    declaring, raw = declared
    value = parse_expr(raw.get("value"))
    reference: Optional[ast.expr] = None
    has_key = False
    if value is not None:
        for node in ast_walk(value):
            if isinstance(node, ast.Call):
                if _last(ast_dotted(node.func)) == "ForeignKey":
                    has_key = True
                    reference = node.args[0] if node.args else None
                elif _last(ast_dotted(node.func)) == "ForeignKeyConstraint":
                    return None
                for kw in node.keywords:
                    if kw.arg == "foreign_key":
                        has_key = True
                        reference = kw.value
    tables = _stored_tables_by_name(project)
    if has_key:
        if isinstance(reference, ast.Constant) and isinstance(reference.value, str):
            parts = reference.value.split(".")
            hits = tables.get(parts[-2] if len(parts) >= 2 else parts[0], ())
            return hits[0] if len(hits) == 1 else None
        dotted = ast_dotted(reference) if reference is not None else None
        if dotted and "." in dotted:
            split = project.split(declaring)
            target = project.name_in_module(split[0], dotted.rsplit(".", 1)[0]) if split else None
            cls = project.get_class(target) if target else None
            return cls[0] if cls is not None and is_table_model(project, cls[0]) else None
        return None
    if not column.endswith("_id"):
        return None
    return _table_named(project, column[: -len("_id")])


def table_named_by_key(project: Optional["ProjectIndex"], key: str) -> Optional[str]:
    """The one table model a key's name names (``folder_id`` / ``folder_uuid`` -> table ``folders`` or
    ``folder``, or class ``Folder``), as for a reference column with no foreign key; ``None`` when none or
    several do."""
    stem, _, suffix = key.rpartition("_")
    if project is None or not stem or suffix not in ("id", "uuid"):
        return None
    return _table_named(project, stem)


def _table_named(project: "ProjectIndex", prefix: str) -> Optional[str]:
    tables = _stored_tables_by_name(project)
    prefix = prefix.lower()
    hits = set(tables.get(prefix, ())) | set(tables.get(prefix + "s", ())) | set(tables.get(prefix + "es", ()))
    return next(iter(hits)) if len(hits) == 1 else None


def reference_path(project: Optional["ProjectIndex"], child: Optional[str], target: str, depth: int = 3) -> Optional[tuple[str, ...]]:
    """The foreign-key columns that lead from a row of ``child`` to its row of ``target`` (``Card`` to ``Board``:
    ``("column_id", "board_id")``, through ``Column``), at most ``depth`` tables away; the shortest, first by
    column name. ``None`` when no such chain of references is declared (or ``child`` is ``target``)."""
    if project is None or not child or child == target:
        return None
    return project.memo(("models.reference_path", child, target, depth), lambda: _reference_path(project, child, target, depth))


def _reference_path(project: "ProjectIndex", child: str, target: str, depth: int) -> Optional[tuple[str, ...]]:
    frontier: list[tuple[str, tuple[str, ...]]] = [(child, ())]
    seen = {child}
    for _ in range(depth):
        following: list[tuple[str, tuple[str, ...]]] = []
        for model, path in frontier:
            for column in sorted(model_columns(project, model)):
                if column.endswith("_uuid"):
                    ref = _uuid_reference(project, model, column)
                elif column.endswith("_id"):
                    ref = referenced_model(project, model, column)
                else:
                    continue
                if ref != target and _polymorphic_reference(project, model, column, target):
                    return path + (column,)
                if ref is None or ref in seen:
                    continue
                if ref == target:
                    return path + (column,)
                seen.add(ref)
                following.append((ref, path + (column,)))
        frontier = following
    return None


def _uuid_reference(project: "ProjectIndex", model: str, column: str) -> Optional[str]:
    """``project_uuid``: a ``*_uuid`` column with no foreign key names the one table model it references, as a
    ``*_id`` column does (``referenced_model``); a declared foreign key decides as there."""
    declared = referenced_model(project, model, column)
    if declared is not None:
        return declared
    return _table_named(project, column[: -len("_uuid")])


def _polymorphic_reference(project: "ProjectIndex", model: str, column: str, target: str) -> bool:
    """``project_uuid`` beside ``project_type`` with no foreign key: a reference to one of several tables whose
    names end in the prefix (``projects``, ``indoor_projects``): it may name a row of ``target`` when the target's
    table is one of them."""
    prefix, _, _ = column.rpartition("_")
    if not prefix or f"{prefix}_type" not in model_columns(project, model):
        return False
    declared = _declared_field(project, model, column)
    if declared is None or "ForeignKey" in str(declared[1].get("value") or "") or "foreign_key" in str(declared[1].get("value") or ""):
        return False
    tables = _stored_tables_by_name(project)
    names = [n for n, hits in tables.items() if target in hits]
    return any(n in (f"{prefix}s", f"{prefix}es") or n.endswith((f"_{prefix}s", f"_{prefix}es")) for n in names)


def _snake(name: str) -> str:
    return "_".join(w.lower() for w in _CAMEL.findall(name))


def _stored_tables_by_name(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    """``_tables_by_name``, stored with the index (a run linting one file reads it instead of every class)."""
    return project.memo(
        "models.tables_by_name",
        lambda: project.stored_memo("models.tables_by_name", lambda: _tables_by_name(project), load=_tuples_by_key),
    )


def _tables_by_name(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    """Table name -> table models: ``__tablename__`` when a literal, else the class name (SQLModel's default
    lower case, and snake case); the snake-case class name is a name of the model too."""
    out: dict[str, list[str]] = {}
    for q, facts in project.iter_classes():
        if not is_table_model(project, q):
            continue
        names = {_snake(_last(q)), _last(q).lower()}
        raw = facts.get("fields", {}).get("__tablename__")
        node = parse_expr(raw.get("value")) if raw else None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value.lower())
        for name in names:
            if q not in out.setdefault(name, []):
                out[name].append(q)
    return {k: tuple(v) for k, v in out.items()}


def _party_model(project: "ProjectIndex", settings: Optional["Settings"], target: str) -> bool:
    words = _CAMEL.findall(_last(target))
    if any(w.lower().startswith(_PARTY_WORDS) for w in words):
        return True
    columns = model_columns(project, target)
    if any("password" in c.lower() for c in columns):
        return True
    if any(f in columns for f in identity_fields(settings)):
        return True
    if settings is None:
        return True  # (no principal to compare with: keep the column)
    from .auth import principal_classes  # (auth reads this module)

    related = {name for name, _ in project.class_mro(target)}
    for principal in principal_classes(project, settings):
        if principal in related or target in {name for name, _ in project.class_mro(principal)}:
            return True
    return False


# how ``knowledge.scoping`` says why a child table is scoped by its reference to a parent a membership scopes
MEMBERSHIP_CHILD = "membership child"


def project_identity_fields(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> tuple[str, ...]:
    """The configured identity fields, then the owner references (``owner_reference``) that the project's
    table models declare: the names a predicate, a keyword filter or a comparison on them scopes by."""
    fields = identity_fields(settings)
    if project is None:
        return fields
    key = ("models.project_identity_fields", fields)

    def build() -> tuple[str, ...]:
        return fields + tuple(sorted(_owner_references(project, settings) | _used_columns(project, settings, fields)))

    # (stored with the index: a run linting one file reads the names instead of every table's columns)
    return project.memo(key, lambda: project.stored_memo(f"models.project_identity_fields:{analysis_key(settings)}", build, load=tuple))


def _used_columns(project: "ProjectIndex", settings: Optional["Settings"], fields: tuple[str, ...]) -> set[str]:
    """The scoping columns the project uses that are no identity field (``knowledge.scoping``)."""
    from .scoping import inferred_scoping  # (scoping reads this module)

    # (a child's reference to its group-scoped parent, ``DeviceAttribute.device_id``, names a row, not who asks)
    return {c for per in inferred_scoping(project, settings).values() for c, why in per.items() if c not in fields and not why.startswith(MEMBERSHIP_CHILD)}


def _owner_references(project: "ProjectIndex", settings: Optional["Settings"]) -> set[str]:
    configured = set(identity_fields(settings))
    out: set[str] = set()
    for q, _ in project.iter_classes():
        if not is_table_model(project, q):
            continue
        for column in model_columns(project, q):
            if column not in configured and column not in out and column.endswith("_id") and owner_reference(project, q, column):
                out.add(column)
    return out


def _matches_config(canonical: str, names: Iterable[str]) -> bool:
    for n in names:
        if n == canonical or canonical.endswith("." + n) or _last(canonical) == n:
            return True
    return False


def is_owned(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> bool:
    """An ORM table with an identity column (itself or through a mixin or base), or forced by config."""
    if project is None or not qualified:
        return False
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    if settings is not None:
        if _matches_config(canonical, settings.not_owned_models):
            return False
        if _matches_config(canonical, settings.owned_models):
            return True
    if found is None:
        return False
    if not identity_columns(project, settings, canonical):
        return False
    return not catalogue_model(project, settings, canonical)


# --- column traits: catalogues and membership tables ---------------------------------------------------------

@dataclass(frozen=True)
class ColumnTraits:
    nullable: bool  # the annotation admits None or ``nullable=True`` (unknown -> False)
    foreign_key: Optional[bool]  # ``foreign_key=`` / ``ForeignKey(...)``; None when the column is not readable
    unique: bool  # ``unique=True`` on the column itself
    primary_key: bool


def column_traits(project: Optional["ProjectIndex"], qualified: Optional[str], column: str) -> Optional[ColumnTraits]:
    """What a column's declaration says (``Field(...)`` / ``Column(...)`` / ``mapped_column(...)`` and the
    annotation), or ``None`` when it is not declared as a readable field (``declared_attr``, unknown base)."""
    declared = _declared_field(project, qualified, column)
    if declared is None:
        return None
    declaring, raw = declared
    value = parse_expr(raw.get("value"))
    keywords: dict[str, Any] = {}
    foreign_key = False
    if value is not None:
        for node in ast_walk(value):
            if isinstance(node, ast.Call):
                if _last(ast_dotted(node.func)) in ("ForeignKey", "ForeignKeyConstraint"):
                    foreign_key = True
                for kw in node.keywords:
                    if kw.arg == "foreign_key":
                        foreign_key = True
                    elif kw.arg in ("unique", "primary_key", "nullable") and isinstance(kw.value, ast.Constant):
                        keywords.setdefault(kw.arg, kw.value.value)
    annotation = parse_expr(raw.get("annotation"))
    if isinstance(annotation, ast.Subscript) and _last(ast_dotted(annotation.value)) == "Mapped":
        annotation = annotation.slice
    nullable = keywords.get("nullable")
    if nullable is None:
        nullable = annotation_admits_none(annotation)
    return ColumnTraits(bool(nullable), foreign_key, keywords.get("unique") is True, keywords.get("primary_key") is True)


def _table_constraints(project: "ProjectIndex", qualified: str) -> list[tuple[str, ...]]:
    """Column tuples of ``UniqueConstraint(...)`` / ``PrimaryKeyConstraint(...)`` in ``__table_args__`` (on the
    class or a base), plus the composite primary key of columns declared ``primary_key=True``."""
    out: list[tuple[str, ...]] = []
    for _, facts in project.class_mro(qualified):
        if facts is None:
            continue
        raw = facts.get("fields", {}).get("__table_args__")
        node = parse_expr(raw.get("value")) if raw else None
        if node is None:
            continue
        for call in ast_walk(node):
            if isinstance(call, ast.Call) and _last(ast_dotted(call.func)) in ("UniqueConstraint", "PrimaryKeyConstraint"):
                cols = tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
                if cols:
                    out.append(cols)
    keys = []
    for name in model_columns(project, qualified):
        traits = column_traits(project, qualified, name)
        if traits is not None and traits.primary_key:
            keys.append(name)
    if len(keys) > 1:
        out.append(tuple(keys))
    return out


_IDENTIFIER_WORDS = ("id", "ids", "uuid", "key", "slug", "name", "email", "token", "hash", "code", "number", "path", "url")


def identifying_column(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str], column: str) -> bool:
    """A column whose value addresses rows (a *key* in the sense of families 1-2): the primary key, a unique
    column or one in a unique / primary-key constraint, a foreign key, or a column named like an identifier
    (``id``, ``*_id``, ``uuid``, ``slug``, ``name``, ``email``, ``*_key``, ...). A column the model declares
    that is none of these (``lang``, ``status``, ``created_at``) is an attribute: a value compared with it
    filters a listing, it does not address a row. So is the other part of a composite key that includes
    an identity column (``(user_id, time_frame)``: a time frame picks one row per owner, across owners).
    Unknown columns and models count as identifying."""
    if column.lower().rsplit("_", 1)[-1] in _IDENTIFIER_WORDS:
        return True
    traits = column_traits(project, qualified, column)
    if traits is None or traits.unique or traits.foreign_key is not False:
        return True
    owners = set(identity_columns(project, settings, qualified))
    if traits.primary_key:
        keys = {c for c in model_columns(project, qualified) if getattr(column_traits(project, qualified, c), "primary_key", False)}
        return not (len(keys) > 1 and keys & owners)
    return any(column in cols and not owners & set(cols) for cols in _table_constraints(project, qualified or ""))


def catalogue_model(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> bool:
    """A shared catalogue that merely *may* be scoped: every identity column is optional (nullable) and
    points to no table (no foreign key), and the rows carry a globally unique natural key (a single-column
    ``unique=True`` / ``UniqueConstraint("name")`` other than the primary key). A role catalogue with
    ``name`` unique and an empty-by-default ``workspace_id`` is read by everyone; its rows are not owned."""
    if project is None or not qualified:
        return False
    return project.memo(("models.catalogue", qualified, identity_fields(settings)), lambda: _catalogue(project, settings, qualified))


def _catalogue(project: "ProjectIndex", settings: Optional["Settings"], qualified: str) -> bool:
    owners = identity_columns(project, settings, qualified)
    if not owners:
        return False
    for col in owners:
        traits = column_traits(project, qualified, col)
        if traits is None or not traits.nullable or traits.foreign_key is not False or traits.primary_key:
            return False
    for name in model_columns(project, qualified):
        if name in owners:
            continue
        traits = column_traits(project, qualified, name)
        if traits is not None and traits.unique and not traits.primary_key:
            return True
    for cols in _table_constraints(project, qualified):
        if len(cols) == 1 and cols[0] not in owners:
            return True
    return False


def membership_partners(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> frozenset[str]:
    """For a membership (link) table, the columns that name the group: those that share a composite unique or
    primary key with an identity column (``UniqueConstraint("team_id", "user_id")`` -> ``{"team_id"}``). The
    identity column of such a row says who the member is; reading by the group lists its roster."""
    if project is None or not qualified:
        return frozenset()
    return project.memo(("models.partners", qualified, identity_fields(settings)), lambda: _partners(project, settings, qualified))


def _partners(project: "ProjectIndex", settings: Optional["Settings"], qualified: str) -> frozenset[str]:
    owners = set(identity_columns(project, settings, qualified))
    if not owners:
        return frozenset()
    columns = model_columns(project, qualified)
    out: set[str] = set()
    for cols in _table_constraints(project, qualified):
        if len(cols) < 2 or not owners & set(cols) or any(c not in columns for c in cols):
            continue
        others = [c for c in cols if c not in owners]
        # a link row is made of references only: ``(team_id, user_id)``, not ``(user_id, name)``
        if all(_is_reference(project, qualified, c) for c in others):
            out |= set(others)
    return frozenset(out)


def _is_reference(project: "ProjectIndex", qualified: str, column: str) -> bool:
    traits = column_traits(project, qualified, column)
    if traits is not None and traits.foreign_key:
        return True
    return column.endswith("_id")


def owner_column(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> Optional[str]:
    cols = identity_columns(project, settings, qualified)
    return cols[0] if cols else None


def scoping_column(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> Optional[str]:
    """The identity column the project itself constrains for this model (``Thread.workspace_id == ...`` in
    its queries and checks, counted over every module by the ``flow`` index facts): a model whose
    ``created_by_id`` is an audit field and whose queries filter on ``workspace_id`` is scoped by
    ``workspace_id``. Without evidence, the first identity column in the configured order."""
    cols = identity_columns(project, settings, qualified)
    if not cols or project is None or qualified is None:
        return cols[0] if cols else None
    if len(cols) == 1:
        return cols[0]
    uses = scoping_evidence(project)
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    counts = uses.get(canonical, {})
    from .scoping import inferred_columns  # (scoping reads this module)

    # (a column the project compares with the caller, ``knowledge.scoping``, before an identity field it does not)
    compared = set(inferred_columns(project, settings, canonical))
    best = max(cols, key=lambda c: (counts.get(c, 0), c in compared, -cols.index(c)))
    return best


def scoping_evidence(project: "ProjectIndex") -> dict[str, dict[str, int]]:
    """Per table model, how often the project constrains each column in its queries and checks (the ``flow``
    facts' scoping counts over every module). Stored with the index: a run linting one file reads the counts
    instead of every module's facts."""
    return project.stored_memo("models.scoping_evidence", lambda: _scoping_evidence(project), load=dict)  # type: ignore[no-any-return]


def _scoping_evidence(project: "ProjectIndex") -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for _, facts in project.iter_modules():
        for model, per in facts.get("extra", {}).get("flow", {}).get("scoping", {}).items():
            found = project.get_class(model)
            if found is None:
                continue
            merged = out.setdefault(found[0], {})
            for col, n in per.items():
                merged[col] = merged.get(col, 0) + n
    return out


def globally_scoped(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """The model (or a mixin / base of it) is filtered by ``with_loader_criteria`` in a ``do_orm_execute``
    listener: every ORM query on it is scoped already."""
    if project is None or not qualified:
        return False
    if schema_isolated(project, qualified):
        return True
    targets = project.memo("models.loader_criteria", lambda: project.stored_memo("models.loader_criteria", lambda: _loader_targets(project), load=frozenset))
    if not targets:
        return False
    for name, _ in project.class_mro(qualified):
        if name in targets:
            return True
    return False


def schema_isolated(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """Schema per tenant: a FastAPI dependency handed the caller's user row sets the request's ``search_path`` to a
    schema computed at run time (itself or through project functions it calls, ``schema_switches``), and the
    project declares its shared tables with an explicit ``schema`` (``__table_args__ = {"schema": "public"}``).
    A table model with no ``schema`` of its own is then read in the caller's tenant schema: its rows are
    isolated as a ``with_loader_criteria`` listener would isolate them. A dependency that also reads a value the
    client picks (a header beside the credential, a path or query key) switches to the client's choice: no."""
    if project is None or not qualified or not is_table_model(project, qualified):
        return False
    if not project.memo("models.schema_switches", lambda: project.stored_memo("models.schema_switches", lambda: _schema_switches(project))):
        return False
    return not any(_declares_schema(facts) for _, facts in project.class_mro(qualified) if facts is not None)


def _declares_schema(class_facts: dict[str, Any]) -> bool:
    """``__table_args__`` holds a real ``schema`` key: ``{"schema": "public"}`` or a tuple ending in one (not a
    constraint or comment whose text mentions "schema")."""
    value = ((class_facts.get("fields") or {}).get("__table_args__") or {}).get("value") or ""
    if "schema" not in value:
        return False
    try:
        node = ast.parse(value, mode="eval").body
    except SyntaxError:
        return False
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[-1]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
        return any(k.arg == "schema" for k in node.keywords)
    return isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "schema" for k in node.keys)


_SESSION_WORDS = ("db", "session")


def _schema_switches(project: "ProjectIndex") -> bool:
    """Some dependency handed the caller's user row switches ``search_path`` to a value read from what it is
    handed (``{user.org_slug}``, or a helper's ``schema_name`` parameter it passes the caller's tenant's name;
    not a module constant: the same schema for every caller), and every route that takes a session takes that
    dependency too (itself or through its own dependencies): a route on a plain ``get_db`` reads the shared
    schema."""
    from .auth.dependencies import USER_CLASS, client_selected  # (auth imports this module)

    switching: set[str] = set()
    functions: dict[str, dict[str, Any]] = {}
    declared = False
    for mod, facts in project.iter_modules():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            functions[f"{mod}.{name}"] = fn
            roots = fn.get("sets_schema")
            if roots and set(roots if isinstance(roots, list) else ()) & {p.get("name") for p in fn.get("params", ())}:
                switching.add(f"{mod}.{name}")  # (the value is read from a parameter: handed in by the caller)
        if not declared:
            declared = any(_declares_schema(c) for c in facts.get("classes", {}).values())
    if not switching or not declared:
        return False

    def reaches(q: str, depth: int) -> bool:
        if q in switching:
            return True
        fn = functions.get(q)
        return fn is not None and depth > 0 and any(reaches(c, depth - 1) for c in fn.get("calls_out", ()) if c in functions)

    switchers: set[str] = set()
    for q, fn in functions.items():
        params = fn.get("params", ())
        users = {
            p.get("name") for p in params
            if p.get("dependency") and p.get("type") and USER_CLASS.search(p["type"].rsplit(".", 1)[-1]) and is_table_model(project, p["type"])
        }
        if not users or fn.get("route") or client_selected(fn) or not reaches(q, 2):
            continue
        roots = fn.get("sets_schema")
        if q in switching and not set(roots if isinstance(roots, list) else ()) & users:
            continue  # (the dependency itself switches to a value not read off the user row it is handed)
        switchers.add(q)
    if not switchers:
        return False
    by_last: dict[str, list[str]] = {}
    for q in functions:
        by_last.setdefault(q.rsplit(".", 1)[-1], []).append(q)

    def resolve(dep: str) -> list[str]:
        return [dep] if dep in functions else by_last.get(dep.rsplit(".", 1)[-1], [])

    def switched(q: str, depth: int) -> bool:
        if q in switchers:
            return True
        fn = functions.get(q)
        return fn is not None and depth > 0 and any(
            switched(d, depth - 1) for p in fn.get("params", ()) if isinstance(p.get("dependency"), str) for d in resolve(p["dependency"])
        )

    for q, fn in functions.items():
        if not fn.get("route"):
            continue
        params = fn.get("params", ())
        takes_session = any(
            isinstance(p.get("dependency"), str)
            and (any(w in p["dependency"].rsplit(".", 1)[-1].lower() for w in _SESSION_WORDS) or (p.get("type") or "").endswith("Session"))
            for p in params
        )
        if takes_session and not any(
            switched(d, 3) for p in params if isinstance(p.get("dependency"), str) for d in resolve(p["dependency"])
        ):
            return False  # (a route on the shared session: the switch is not the project's)
    return True


def _loader_targets(project: "ProjectIndex") -> frozenset[str]:
    out: set[str] = set()
    for _, facts in project.iter_modules():
        for target in orm_facts(facts).get("loader_criteria", ()):
            out.add(project.canonical(target))
    return frozenset(out)


# --- schemas -----------------------------------------------------------------------------------------------

def schema_fields(project: Optional["ProjectIndex"], qualified: Optional[str]) -> dict[str, FieldInfo]:
    """Fields of a pydantic / SQLModel class, inherited ones included (a subclass's declaration wins).

    Empty when the class is not in the project. Fields of bases outside the project are unknown and
    missing: callers that need completeness check ``is_pydantic_model`` (``None`` = unknown)."""
    if project is None or not qualified:
        return {}
    return project.memo(("models.schema_fields", qualified), lambda: _schema_fields(project, qualified))


def _schema_fields(project: "ProjectIndex", qualified: str) -> dict[str, FieldInfo]:
    info = schema_info(project, qualified)
    if info is None:
        return {}
    out: dict[str, FieldInfo] = {}
    for name, f in info.fields.items():
        if _is_classvar(f.annotation):  # ``Final`` too
            continue
        owner = project.get_class(f.owner)
        raw = owner[1].get("fields", {}).get(name, {}) if owner is not None else {}
        if _field_is_relationship(project, f.owner, name, raw):
            continue
        nullable = f.admits_none
        optional = f.is_optional(v1=False)
        out[name] = FieldInfo(name, f.annotation or "", optional, f.required, nullable, f.default_source, f.owner, f.line)
    return out


_OWNER_WORDS = ("user", "owner", "creator", "author", "account", "tenant", "member")
_NOT_OWNER_SUFFIXES = ("_count", "_at", "_time", "_type", "_role", "_agent", "_limit", "_prompt", "_input", "_message")


def owner_like_columns(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> dict[str, int]:
    """Columns of table models named like an owner that are not identity fields (``user_name``, ``owner``,
    ``created_by``), with how many models carry each: what ``backend-lint facts`` offers for
    ``extend-identity-fields`` when no model is owned (a name alone is no proof of ownership, so it is never
    inferred)."""
    if project is None:
        return {}
    fields = set(project_identity_fields(project, settings))
    counts: dict[str, int] = {}
    for q, _ in project.iter_classes():
        if not is_table_model(project, q):
            continue
        for column in model_columns(project, q):
            lowered = column.lower()
            if column in fields or lowered.endswith(_NOT_OWNER_SUFFIXES) or lowered in ("id", "users"):
                continue
            if any(w in lowered for w in _OWNER_WORDS) or lowered == "created_by":
                counts[column] = counts.get(column, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
