"""Pydantic / SQLModel schema fields across modules: the one place that says which fields a schema has and
which of them are *optional*.

Shared by families 1/2 (``models.schema_fields`` -> ``FieldInfo``) and family 5 (``updates``). Built from the
project index (``ast`` facts), so schemas in other modules resolve. Handles project type aliases
(``OptionalStr = Optional[str]``), default kinds (``= None`` / ``Field(None)`` / ``default_factory`` /
``...``), pydantic v1's implicit ``None`` default for ``Optional[X]``, whether every base is known
(``complete``) and the pydantic major version a schema's modules show.

- ``schema_info(project, qualified) -> SchemaInfo | None`` (any project class, memoized);
- ``schema_fields(project, qualified) -> dict[name, SchemaField] | None`` (schemas only);
- ``annotation_admits_none(node, alias_lookup)``, ``uses_pydantic_v1(ctx, info)``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

from .index.extract import ast_dotted  # ``a.b.c`` of a Name/Attribute chain, else None

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex


SCHEMA_ROOTS = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.v1.BaseModel",
        "pydantic.v1.main.BaseModel",
        "pydantic.RootModel",
        "pydantic.generics.GenericModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    }
)
# Bases that add no fields.
_NEUTRAL_BASES = frozenset(
    {
        "object",
        "builtins.object",
        "typing.Generic",
        "Generic",
        "abc.ABC",
        "ABC",
        "enum.Enum",
        "typing_extensions.Generic",
    }
)
_FIELD_CALLS = ("Field", "pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field", "sqlmodel.main.Field")
_NONE_TYPES = frozenset({"None", "NoneType", "types.NoneType", "type(None)"})
_OPTIONAL_NAMES = frozenset({"Optional", "typing.Optional", "typing_extensions.Optional", "t.Optional"})
_UNION_NAMES = frozenset({"Union", "typing.Union", "typing_extensions.Union", "t.Union"})
_ANNOTATED_NAMES = frozenset({"Annotated", "typing.Annotated", "typing_extensions.Annotated", "t.Annotated"})
_CLASSVAR_NAMES = frozenset({"ClassVar", "typing.ClassVar", "t.ClassVar"})

# default kinds
DEFAULT_NONE = "none"  # ``= None``, ``Field(None)``, ``Field(default=None)``
DEFAULT_VALUE = "value"  # any other default (or ``default_factory``)
DEFAULT_MISSING = "missing"  # no value at all (pydantic v1 gives ``Optional[X]`` an implicit ``None``)
DEFAULT_REQUIRED = "required"  # ``= ...``, ``Field(...)``, ``Field()`` with no default


@dataclass(frozen=True)
class SchemaField:
    name: str
    annotation: Optional[str]
    admits_none: bool
    default: str  # one of the DEFAULT_* kinds
    owner: str  # qualified class that declares it
    default_source: Optional[str] = None  # the default's source, "<factory>" for default_factory, None if none
    line: int = 0

    @property
    def required(self) -> bool:
        """No default: the client must send it (``x: X | None`` included, as in pydantic v2)."""
        return self.default in (DEFAULT_MISSING, DEFAULT_REQUIRED)

    def is_optional(self, v1: bool = False) -> bool:
        """RULES.md's "optional": the annotation admits ``None`` or the default is ``None``.

        Exception: ``x: X | None`` with no default at all is *required* in pydantic v2 (the client must send
        it, ``null`` included), so it is optional only under v1, where it defaults to ``None``. An explicit
        ``...`` / ``Field(...)`` is required in both."""
        if self.default == DEFAULT_NONE:
            return True
        if not self.admits_none or self.default == DEFAULT_REQUIRED:
            return False
        return self.default == DEFAULT_VALUE or v1

    def may_be_unset(self, v1: bool = False) -> bool:
        """A client may leave it out of the body: it has a default (``None`` or another value)."""
        if self.default in (DEFAULT_NONE, DEFAULT_VALUE):
            return True
        return self.default == DEFAULT_MISSING and self.admits_none and v1


@dataclass
class SchemaInfo:
    qualified: str
    fields: dict[str, SchemaField]
    is_schema: bool  # a pydantic / SQLModel model (not a table)
    is_table: bool  # SQLModel ``table=True`` or an ORM class
    complete: bool  # every base is a project class or a known root: no field can hide in a library base
    major: Optional[int] = None  # pydantic major version the schema's modules show (None: no evidence)

    def all_optional(self, v1: bool = False) -> bool:
        return bool(self.fields) and all(f.is_optional(v1) for f in self.fields.values())

    def all_required(self, v1: bool = False) -> bool:
        """Every field must be sent (a full replacement body): ``exclude_unset`` changes nothing."""
        return self.complete and all(not f.may_be_unset(v1) for f in self.fields.values())


_V2_NAMES = frozenset(
    {
        "pydantic.ConfigDict",
        "pydantic.field_validator",
        "pydantic.model_validator",
        "pydantic.computed_field",
        "pydantic.field_serializer",
        "pydantic.model_serializer",
        "pydantic.RootModel",
        "pydantic.TypeAdapter",
        "pydantic.AwareDatetime",
    }
)
_V1_NAMES = frozenset({"pydantic.validator", "pydantic.root_validator", "pydantic.BaseConfig"})


def uses_pydantic_v1(ctx: "FileContext", info: Optional[SchemaInfo]) -> bool:
    """Pydantic v1 semantics for ``x: X | None`` without a default: the schema's modules decide
    (``ConfigDict`` / ``field_validator`` / ``model_config`` -> v2, ``validator`` / ``pydantic.v1`` -> v1),
    else the linted file (``.dict(`` / ``__fields_set__`` / ``parse_obj`` and no v2 spelling -> v1);
    v2 when nothing tells."""
    if info is not None and info.major is not None:
        return info.major == 1

    def from_source() -> bool:
        src = ctx.source
        v2 = any(w in src for w in ("model_dump", "model_fields_set", "model_validate", "model_config", "ConfigDict"))
        v1 = any(w in src for w in (".dict(", "__fields_set__", "parse_obj(", "orm_mode", "from_orm("))
        return v1 and not v2

    return ctx.cached("updates.pydantic_v1_source", from_source)


def parse_expr(text: Optional[str]) -> Optional[ast.expr]:
    """The expression ``text`` (an annotation or a value the index stored as source), parsed once per
    process: the same few spellings (``str``, ``Optional[int]``) come back thousands of times in a run.
    The tree is shared: callers read it, never change it."""
    if not text:
        return None
    return _parse_expr(text)


@lru_cache(maxsize=8192)
def _parse_expr(text: str) -> Optional[ast.expr]:
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None


def annotation_admits_none(
    node: Optional[ast.expr], alias_lookup: Optional[Any] = None, _depth: int = 0
) -> bool:
    """``X | None``, ``Optional[X]``, ``Union[X, None]``, ``None``, ``Annotated[Optional[X], ...]``,
    string annotations, and (through ``alias_lookup(name) -> annotation source``) project type aliases."""
    if node is None or _depth > 8:
        return False
    if isinstance(node, ast.Constant):
        if node.value is None:
            return True
        if isinstance(node.value, str):
            return annotation_admits_none(parse_expr(node.value), alias_lookup, _depth + 1)
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return annotation_admits_none(node.left, alias_lookup, _depth + 1) or annotation_admits_none(
            node.right, alias_lookup, _depth + 1
        )
    dotted = ast_dotted(node)
    if dotted is not None:
        if dotted in _NONE_TYPES:
            return True
        if alias_lookup is not None:
            target = alias_lookup(dotted)
            if target is not None:
                return annotation_admits_none(parse_expr(target), alias_lookup, _depth + 1)
        return False
    if isinstance(node, ast.Subscript):
        head = ast_dotted(node.value) or ""
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in _OPTIONAL_NAMES or head.endswith(".Optional"):
            return True
        if head in _UNION_NAMES or head.endswith(".Union"):
            return any(annotation_admits_none(i, alias_lookup, _depth + 1) for i in items)
        if head in _ANNOTATED_NAMES or head.endswith(".Annotated"):
            return bool(items) and annotation_admits_none(items[0], alias_lookup, _depth + 1)
    return False


def _is_classvar(node: Optional[ast.expr]) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Subscript):
        node = node.value
    dotted = ast_dotted(node) or ""
    return dotted in _CLASSVAR_NAMES or dotted.endswith(".ClassVar")


def _default_of(value: Optional[str], call: Optional[str]) -> tuple[str, Optional[str]]:
    """(default kind, default source): the source is ``None`` when there is no default and
    ``"<factory>"`` for ``default_factory``."""
    if value is None:
        return DEFAULT_MISSING, None
    node = parse_expr(value)
    if node is None:
        return DEFAULT_VALUE, value
    if isinstance(node, ast.Constant):
        if node.value is None:
            return DEFAULT_NONE, value
        if node.value is Ellipsis:
            return DEFAULT_REQUIRED, None
        return DEFAULT_VALUE, value
    if isinstance(node, ast.Call):
        name = call or ast_dotted(node.func) or ""
        if name in _FIELD_CALLS or name.endswith(".Field") or name == "Field":
            default: Optional[ast.expr] = node.args[0] if node.args else None
            for kw in node.keywords:
                if kw.arg == "default":
                    default = kw.value
                elif kw.arg == "default_factory":
                    return DEFAULT_VALUE, "<factory>"
            if default is None:
                return DEFAULT_REQUIRED, None
            if isinstance(default, ast.Constant):
                if default.value is None:
                    return DEFAULT_NONE, "None"
                if default.value is Ellipsis:
                    return DEFAULT_REQUIRED, None
            dotted = ast_dotted(default) or ""
            if dotted.endswith("PydanticUndefined") or dotted.endswith("Undefined"):
                return DEFAULT_REQUIRED, None
            return DEFAULT_VALUE, ast.unparse(default)
    return DEFAULT_VALUE, value


def _alias_lookup(project: "ProjectIndex", module: str) -> Any:
    facts = project.modules.get(module, {})

    def lookup(name: str) -> Optional[str]:
        head, _, rest = name.partition(".")
        if rest:
            return None
        if head in facts.get("assignments", {}):
            qualified = f"{module}.{head}"
        elif head in facts.get("imports", {}):
            qualified = facts["imports"][head]
        else:
            return None
        found = project.resolve_symbol(qualified)
        if found is None or found[2] != "assignments":
            return None
        mod, sym, _ = found
        entry = project.modules[mod]["assignments"].get(sym) or {}
        value = entry.get("value")
        # only type-alias looking values (``Optional[str]``, ``str | None``, ``Annotated[...]``)
        node = parse_expr(value)
        if isinstance(node, (ast.Subscript, ast.BinOp)):
            return value
        return None

    return lookup


def _class_is_table(info: dict[str, Any]) -> bool:
    return str(info.get("keywords", {}).get("table", "")).strip() == "True"


def schema_info(project: Optional["ProjectIndex"], qualified: str) -> Optional[SchemaInfo]:
    """Fields of a project class and its project bases (subclasses override), or ``None`` when the class is
    not a project class."""
    if project is None or not qualified:
        return None
    return project.memo(("updates.schema_info", qualified), lambda: _schema_info(project, qualified))


def _schema_info(project: "ProjectIndex", qualified: str) -> Optional[SchemaInfo]:
    found = project.get_class(qualified)
    if found is None:
        return None
    canonical = found[0]
    mro = project.class_mro(canonical)
    is_schema = False
    is_table = _class_is_table(found[1])
    complete = True
    for name, info in mro[1:]:
        if info is not None:
            if _class_is_table(info):
                is_table = True
            continue
        if name in SCHEMA_ROOTS:
            is_schema = True
        elif name in _NEUTRAL_BASES or name.endswith(".Generic"):
            continue
        elif name.startswith(("sqlalchemy.", "flask_sqlalchemy.")) or name.endswith((".Model", "DeclarativeBase", ".Base")):
            is_table = True
            complete = False
        else:
            complete = False
    fields: dict[str, SchemaField] = {}
    major: Optional[int] = None
    for name, _ in mro[1:]:
        if name.startswith("pydantic.v1."):
            major = 1
    for name, info in reversed(mro):
        if info is None:
            continue
        module = name.rsplit(".", 1)[0]
        if major is None:
            imported = set(project.modules.get(module, {}).get("imports", {}).values())
            if "model_config" in info.get("fields", {}) or imported & _V2_NAMES:
                major = 2
            elif imported & _V1_NAMES or any(v.startswith("pydantic.v1") for v in imported):
                major = 1
        lookup = _alias_lookup(project, module)
        for fname, f in info.get("fields", {}).items():
            annotation = f.get("annotation")
            if annotation is None or fname.startswith("_") or fname in ("model_config", "Config"):
                continue
            ann = parse_expr(annotation)
            if _is_classvar(ann):
                continue
            kind, source = _default_of(f.get("value"), f.get("call"))
            fields[fname] = SchemaField(
                fname, annotation, annotation_admits_none(ann, lookup), kind, name, source, f.get("line", 0)
            )
    return SchemaInfo(canonical, fields, is_schema and not is_table, is_table, complete, major)


def mro_fields(
    mro: Iterable[tuple[str, Optional[dict[str, Any]]]], annotated: bool = False
) -> Iterator[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    """(class, its facts, field name, field facts) for each field of a ``project.class_mro`` list, where the
    nearest class declares it (a subclass overrides its bases; classes outside the project have no facts).
    With ``annotated``, a declaration without annotation (``x = 1``) is passed over and a base's counts."""
    seen: set[str] = set()
    for cname, cfacts in mro:
        if cfacts is None:
            continue
        for fname, f in cfacts.get("fields", {}).items():
            if fname in seen or (annotated and f.get("annotation") is None):
                continue
            seen.add(fname)
            yield cname, cfacts, fname, f


def schema_fields(project: Optional["ProjectIndex"], qualified: str) -> Optional[dict[str, SchemaField]]:
    """``{field: SchemaField}`` for a pydantic / SQLModel schema class of the project, else ``None``."""
    info = schema_info(project, qualified)
    if info is None or not info.is_schema:
        return None
    return info.fields
