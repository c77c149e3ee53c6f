from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import RuleSpec
from .._shared.screens import line_ranges, named, reach, within
from ...knowledge.datetime_words import MAPPED, tails
from ...knowledge.index.extractors.timezone import DATETIME_TYPES
from ...knowledge.modules import looks_like_migration
from ...knowledge.tree_facts import FUNCTIONS, TreeFacts
from ._screens import (
    annotated_in_classes,
    aware_field_names,
    datetime_annotation_names,
    import_targets,
    tz_alias_names,
    words_or_time_alias,
)
from .._shared.add_import import ensure_imports
from ...knowledge.datetimes import (
    SQLMODEL_BASES,
    SQLMODEL_FIELDS,
    first_arg_is_string,
    keyword_arg,
    mapped_datetime_state,
    sqlmodel_stores_aware,
    sqlmodel_table_fields,
    sqlmodel_version_at,
    version_stores_aware,
)
from ._analysis import (
    AnnotationHit,
    ScopedRule,
    append_argument,
    callee_tail,
    column_type_state,
    datetime_type_imports,
    mapped_inner,
    naive_annotation,
    project_alias,
    type_fix_edits,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# the calls whose type argument the rule reads: ``Column`` / ``mapped_column`` (positional or ``type_=``),
# ``alter_column`` (``type_=``), ``Field`` (``sa_type=``); the screen reads the same words
_MAPPED_COLUMN = "mapped_column"
_COLUMN_TAILS = frozenset({"Column", _MAPPED_COLUMN})
_ALTER_TAIL = "alter_column"
_FIELD_TAIL = "Field"
_TYPE_WORDS = frozenset(tails(DATETIME_TYPES))  # ``DateTime``, ``TIMESTAMP``
# SQLModel ``Field(...)`` keywords with which the explicit column or type decides, not the annotation
# (``_sqlmodel`` returns; the type is checked where it is written); the screen reads the same words
_EXPLICIT_FIELD_KEYWORDS = ("sa_column", "sa_type")


class _ClassInfo:
    __slots__ = ("qualified", "sqlmodel_fields", "is_table")

    def __init__(self, qualified: Optional[str], is_table: bool, sqlmodel_fields: frozenset[str]) -> None:
        self.qualified = qualified
        self.is_table = is_table
        self.sqlmodel_fields = sqlmodel_fields


def _aware_type_call(call: ast.Call) -> bool:
    """``DateTime(timezone=True)`` / ``DateTime(True)``: ``column_type_state`` says aware."""
    for kw in call.keywords:
        if kw.arg == "timezone":
            return isinstance(kw.value, ast.Constant) and kw.value.value is True
    if any(kw.arg is None for kw in call.keywords) or not call.args or isinstance(call.args[0], ast.Starred):
        return False
    first = call.args[0]
    return isinstance(first, ast.Constant) and first.value is True


def _column_type_nodes(facts: TreeFacts) -> list[Any]:
    """The expressions ``column_type_state`` may call naive: the arguments BKL305 reads (positional, ``type_=``,
    ``sa_type=``) of calls whose callee may resolve to ``Column`` / ``mapped_column`` / ``alter_column`` /
    ``Field``, and, for a call among them, its callee (down ``.with_variant(...)`` chains)."""
    callees = reach(facts, (*_COLUMN_TAILS, _ALTER_TAIL, _FIELD_TAIL))
    out: list[Any] = []
    for call in facts.calls:
        if not named(call.func, callees):
            continue
        args = [a for a in call.args if not isinstance(a, ast.Starred)]
        args += [kw.value for kw in call.keywords if kw.arg in ("type_", "sa_type")]
        for arg in args:
            for _ in range(32):
                if isinstance(arg, ast.Call):
                    out.append(arg)
                    func = arg.func
                    if isinstance(func, ast.Attribute) and func.attr == "with_variant":
                        arg = func.value
                        continue
                    out.append(func)
                elif isinstance(arg, (ast.Name, ast.Attribute)):
                    out.append(arg)
                break
    return out


def _naive_column_type(facts: TreeFacts, project: Any) -> bool:
    """A column type that may be naive: ``DateTime`` / ``TIMESTAMP`` (any spelling the file's imports
    allow; also ``db.DateTime``) used in a column, except ``DateTime(timezone=True)``; or a project time
    alias used there."""
    aliases = tz_alias_names(project, "column")
    if _TYPE_WORDS.isdisjoint(facts.names) and aliases.isdisjoint(facts.names):
        return False
    types = reach(facts, _TYPE_WORDS)
    project_types = reach(facts, aliases) if aliases else frozenset()
    nodes = _column_type_nodes(facts)
    if nodes and "downgrade" in facts.names:
        if looks_like_migration(facts.source):  # the rule skips a migration's ``downgrade()``
            down = line_ranges(s for s in facts.tree.body if isinstance(s, FUNCTIONS) and s.name == "downgrade")
            nodes = [n for n in nodes if not within(n.lineno, down)]
    aware = {id(c.func) for c in nodes if isinstance(c, ast.Call) and named(c.func, types) and _aware_type_call(c)}
    for node in nodes:
        if named(node, types) and id(node) not in aware:
            return True
        if project_types and named(node, project_types):
            return True
    return False


def _mapped_without_type(value: Optional[ast.expr], columns: frozenset[str]) -> bool:
    """``x: Mapped[...]`` whose column type comes from the annotation (BKL305's ``_explicit_type_in`` is
    False): no value, or ``mapped_column(...)`` with no type argument (only a leading name string)."""
    if value is None:
        return True
    if not isinstance(value, ast.Call) or not named(value.func, columns):
        return False
    if any(kw.arg is None or kw.arg == "type_" for kw in value.keywords):
        return False
    args = value.args
    if any(isinstance(a, ast.Starred) for a in args):
        return False
    return not args or (len(args) == 1 and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str))


def _explicit_sqlmodel_field(value: Optional[ast.expr], targets: Optional[dict[str, Optional[frozenset[str]]]]) -> bool:
    """``x: T = Field(..., sa_column=...)`` (or ``sa_type=``, or ``**options``) where the file's imports
    (``import_targets``) bind ``Field`` / ``<m>.Field`` to SQLModel's only: ``_sqlmodel`` returns before it
    reads the annotation (the explicit type is screened with the column types, ``_naive_column_type``)."""
    if not isinstance(value, ast.Call) or targets is None:
        return False
    if not any(kw.arg is None or kw.arg in _EXPLICIT_FIELD_KEYWORDS for kw in value.keywords):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        bound = targets.get(func.id)
        return bound is not None and bound <= SQLMODEL_FIELDS
    if isinstance(func, ast.Attribute) and func.attr == _FIELD_TAIL and isinstance(func.value, ast.Name):
        bound = targets.get(func.value.id)
        return bound is not None and all(f"{b}.{_FIELD_TAIL}" in SQLMODEL_FIELDS for b in bound)
    return False


def _stores_aware(project: Any, settings: Any) -> bool:
    """``sqlmodel_stores_aware`` for the file being screened: its path is the project probe's
    (``linted_path``); without one (no index) only the ``sqlmodel-version`` setting can answer."""
    path = getattr(project, "linted_path", None) if project is not None else None
    if path is None and not settings.sqlmodel_version:
        return False
    return version_stores_aware(sqlmodel_version_at(settings, path or "."))


def naive_datetime_column(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL305: the file spells ``DateTime``, ``TIMESTAMP`` or a project time alias (a column type), or a
    class body annotates a field with a ``datetime`` / ``NaiveDatetime`` / project alias inside
    ``Mapped[...]`` or in a class that may be a SQLModel table (``table=True``, or a base whose fields
    a table of the project stores)."""
    if _naive_column_type(facts, project):
        return True
    entries = annotated_in_classes(facts)
    if not entries:
        return False
    wanted = datetime_annotation_names(facts, project)
    mapped = reach(facts, tails(MAPPED))
    columns = reach(facts, (_MAPPED_COLUMN,))
    bases: Optional[frozenset[str]] = None
    aware: Optional[bool] = None
    for cls, ann, spelled in entries:
        if spelled.isdisjoint(wanted):
            continue
        if isinstance(ann.annotation, ast.Subscript) and named(ann.annotation.value, mapped):
            if _mapped_without_type(ann.value, columns):
                return True
            # else the rule's ``_mapped`` stays quiet, unless ``Mapped`` is not SQLAlchemy's: the table path
        if not isinstance(ann.target, ast.Name):
            continue
        if _explicit_sqlmodel_field(ann.value, import_targets(facts)):
            continue
        if aware is None:
            aware = _stores_aware(project, settings)
        if aware and spelled.isdisjoint(aware_field_names(facts, project)):
            continue  # the visitor's ``_sqlmodel``: this SQLModel stores a ``datetime`` field aware
        if any(kw.arg == "table" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in cls.keywords):
            return True
        if project is not None:
            if bases is None:
                bases = project.stored_memo(
                    "screens.timezone.table_bases",
                    lambda: frozenset(k.rsplit(".", 1)[-1] for k in sqlmodel_table_fields(project)),
                    load=frozenset,
                )
            if cls.name in bases:
                return True
    return False


SPEC = RuleSpec(
    code="BKL305",
    name="naive-datetime-column",
    message="Column stores naive datetimes",
    fix_availability=FixAvailability.SOMETIMES,
    screen=naive_datetime_column,
    local=True,
)


class NaiveDatetimeColumn(ScopedRule):
    """
    ## What it does
    Reports database columns that store naive time.

    - SQLAlchemy's `DateTime` / `TIMESTAMP` (also `sa.DateTime`, `postgresql.TIMESTAMP`, SQLModel's
      re-exports and Flask-SQLAlchemy's `db.DateTime`) without `timezone=True`, as the type of a `Column`,
      `mapped_column`, SQLModel `Field(sa_type=...)` / `Field(sa_column=Column(...))`, and in Alembic
      operations (`op.add_column`, `op.create_table`, `op.alter_column(type_=...)`, batch operations);
    - `Mapped[datetime]` with no explicit type, unless a `type_annotation_map` of the model's declarative
      base (in any module; or, when the hierarchy cannot be followed, anywhere in the project) maps
      `datetime` to an aware or project type;
    - SQLModel `table=True` fields annotated `datetime` with no explicit type, when the project admits a
      SQLModel older than 0.0.45 (read from `sqlmodel-version`, else the nearest lock file or pin; no pin
      counts as old), and fields annotated `NaiveDatetime` in any version. A field a table inherits is
      reported at the base class that declares it.

    Not reported: `existing_type=`, anything inside an Alembic `downgrade()` (it restores the old schema),
    project `TypeDecorator` types (opaque: no claim), `cast(...)`, `isinstance(...)` and other non-column
    uses of the type.

    ## Why is this bad?
    `TIMESTAMP WITHOUT TIME ZONE` keeps a wall time and drops the offset: aware values are converted with
    the session's zone (PostgreSQL) or silently lose their tzinfo, and what comes back is naive. The
    application then compares naive database values with aware ones, or stores local times that shift with
    daylight saving.

    ## Example
    ```python
    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime, nullable=False)
    ```

    ## Use instead
    ```python
    import sqlalchemy as sa

    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    ```

    ## Fix safety
    `DateTime` / `DateTime()` / `DateTime(timezone=False)` become `DateTime(timezone=True)`;
    `Mapped[datetime]` gets `mapped_column(DateTime(timezone=True), ...)`; an implicit SQLModel field gets
    `Field(..., sa_type=DateTime(timezone=True))` (SQLModel 0.0.14 or later); a `NaiveDatetime` field
    becomes `datetime` where SQLModel stores it aware. Imports are reused or added once. The fix is
    unsafe: the model no longer matches an existing naive column, so the next autogenerated migration
    alters it, values read back become aware (comparisons with naive values raise `TypeError`), and
    editing a revision that already ran changes nothing in existing databases: write a new revision that
    alters the column instead.
    """

    spec = SPEC
    # no ``requires``: besides these words, a project alias of a naive type (``Stamp = DateTime()``,
    # re-exported under any name) can trigger the rule, so ``may_fire_for`` also reads the index
    words = ("DateTime", "TIMESTAMP", "datetime", "Datetime", "Mapped")

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        return words_or_time_alias(source, project, cls.words, "column")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.classes: list[Optional[_ClassInfo]] = []

    # -- explicit column types -----------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.is_migration and self.in_downgrade():
            return
        qualified, tail = callee_tail(self, node.func)
        if tail in _COLUMN_TAILS:
            for i, arg in enumerate(node.args):
                if arg.star or (i == 0 and first_arg_is_string(node)):
                    continue
                if arg.keyword is None or arg.keyword.value == "type_":
                    self._check_type(arg.value)
        elif tail == _ALTER_TAIL:
            arg = keyword_arg(node, "type_")
            if arg is not None:
                self._check_type(arg.value)
        elif qualified in SQLMODEL_FIELDS or (tail == _FIELD_TAIL and qualified is None):
            arg = keyword_arg(node, "sa_type")
            if arg is not None:
                self._check_type(arg.value)

    def _check_type(self, expr: cst.BaseExpression) -> None:
        ts = column_type_state(self, expr)
        if ts is None or ts.state != "naive":
            return
        fix = None
        edits = type_fix_edits(self, ts)
        if edits:
            fix = Fix.unsafe("Use `timezone=True`", edits)
        self.report(ts.node, "`DateTime` column without `timezone=True` stores naive datetimes", fix)

    # -- implicit types from annotations -------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        qualified = None
        if len(self.frames) == 1:
            qualified = f"{self.ctx.module_name}.{node.name.value}" if self.ctx.module_name else node.name.value
        is_table = any(
            kw.keyword is not None and kw.keyword.value == "table" and isinstance(kw.value, cst.Name) and kw.value.value == "True"
            for kw in node.keywords
        )
        inherited: frozenset[str] = frozenset()
        project = self.ctx.project
        if qualified is not None and project is not None:
            inherited = sqlmodel_table_fields(project).get(project.canonical(qualified), frozenset())
            if is_table and project.get_class(qualified) is not None:
                names = [n for n, _ in project.class_mro(qualified)]
                unknown = any(f is None for _, f in project.class_mro(qualified)[1:])
                if not any(n in SQLMODEL_BASES for n in names) and not unknown:
                    is_table = False  # ``table=True`` on something that is not a SQLModel
        self.classes.append(_ClassInfo(qualified, is_table, inherited))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        super().leave_ClassDef(node)
        self.classes.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        frame = self.class_frame
        if frame is None or not self.classes or self.classes[-1] is None:
            return
        info = self.classes[-1]
        annotation = node.annotation.annotation
        inner = mapped_inner(self, annotation)
        if inner is not None:
            self._mapped(node, inner, info)
            return
        if isinstance(node.target, cst.Name) and (info.is_table or node.target.value in info.sqlmodel_fields):
            self._sqlmodel(node, info)

    def _explicit_type_in(self, value: Optional[cst.BaseExpression]) -> Optional[bool]:
        """For ``mapped_column(...)``: True when it names a type (or a foreign key), None when it is not a
        ``mapped_column`` call (no claim), False when the type comes from the annotation."""
        if value is None:
            return False
        if not isinstance(value, cst.Call):
            return None
        _, tail = callee_tail(self, value.func)
        if tail != _MAPPED_COLUMN:
            return None
        for i, arg in enumerate(value.args):
            if arg.star:
                return True
            if arg.keyword is None and not (i == 0 and first_arg_is_string(value)):
                return True
            if arg.keyword is not None and arg.keyword.value == "type_":
                return True
        return False

    def _mapped(self, node: cst.AnnAssign, inner: cst.BaseExpression, info: _ClassInfo) -> None:
        hits = naive_annotation(self, inner)
        if not hits:
            return
        explicit = self._explicit_type_in(node.value)
        if explicit is None or explicit:
            return
        hit = hits[0]
        fixable = True
        if hit.kind == "alias":
            facts = project_alias(self, hit.node) or {}
            column = facts.get("column")
            if column is not None:
                return  # the alias names its column type: an explicit type, reported where it is written
            fixable = False
            if self._mapped_state(info) == "aware":
                return
        elif hit.kind == "naive":
            fixable = False
        elif self._mapped_state(info) == "aware":
            return
        fix = self._mapped_fix(node) if fixable else None
        self.report(inner, "`Mapped[datetime]` without a column type is stored as naive `DateTime`", fix)

    def _mapped_state(self, info: _ClassInfo) -> str:
        if info.qualified is None:
            return "naive" if self.ctx.project is None else mapped_datetime_state(self.ctx, "")
        return mapped_datetime_state(self.ctx, info.qualified)

    def _mapped_fix(self, node: cst.AnnAssign) -> Optional[Fix]:
        value = node.value
        found = datetime_type_imports(self.ctx, self.shadowed(), [("sqlalchemy.orm", "mapped_column")] if value is None else [])
        if found is None:
            return None
        dt_type, names, edits = found
        type_text = f"{dt_type}(timezone=True)"
        if value is None:
            return Fix.unsafe(
                f"Add `= {names[0]}({type_text})`", [Edit.insert_after(node.annotation.annotation, f" = {names[0]}({type_text})"), *edits]
            )
        assert isinstance(value, cst.Call)
        if value.args:
            return Fix.unsafe(f"Pass `{type_text}`", [Edit.insert_before(value.args[0], f"{type_text}, "), *edits])
        return Fix.unsafe(f"Pass `{type_text}`", [append_argument(self, value, type_text), *edits])

    def _sqlmodel(self, node: cst.AnnAssign, info: _ClassInfo) -> None:
        value = node.value
        field_call: Optional[cst.Call] = None
        if isinstance(value, cst.Call):
            qualified, tail = callee_tail(self, value.func)
            if qualified in SQLMODEL_FIELDS or (tail == "Field" and qualified is None):
                field_call = value
                if any(keyword_arg(value, k) is not None for k in _EXPLICIT_FIELD_KEYWORDS):
                    return  # the explicit column / type decides (checked where it is written)
                if any(a.star == "**" for a in value.args):
                    return
        hits = naive_annotation(self, node.annotation.annotation)
        if not hits:
            return
        aware_version = sqlmodel_stores_aware(self.ctx)
        hit = hits[0]
        if hit.kind == "datetime" and aware_version:
            return
        if hit.kind == "alias":
            facts = project_alias(self, hit.node) or {}
            if facts.get("base") == "datetime" and aware_version:
                return
        if hit.kind == "naive":
            fix = self._naive_fix(hit) if aware_version else None
            self.report(hit.node, "`NaiveDatetime` field is stored as a naive `DateTime` column", fix)
            return
        fix = self._sa_type_fix(node, field_call) if hit.kind == "datetime" else None
        self.report(
            node.annotation.annotation,
            "SQLModel stores a `datetime` field as naive `DateTime` (before SQLModel 0.0.45)",
            fix,
        )

    def _naive_fix(self, hit: AnnotationHit) -> Optional[Fix]:
        found = ensure_imports(self.ctx, [("datetime", "datetime")], self.shadowed())
        if found is None:
            return None
        names, edits = found
        return Fix.unsafe(f"Use `{names[0]}`", [Edit.replace(hit.node, names[0]), *edits])

    def _sa_type_fix(self, node: cst.AnnAssign, field_call: Optional[cst.Call]) -> Optional[Fix]:
        value = node.value
        found = datetime_type_imports(self.ctx, self.shadowed(), [("sqlmodel", "Field")] if field_call is None else [])
        if found is None:
            return None
        dt_type, names, edits = found
        sa_type = f"sa_type={dt_type}(timezone=True)"
        if field_call is not None:
            return Fix.unsafe(f"Pass `{sa_type}`", [append_argument(self, field_call, sa_type), *edits])
        if value is None:
            return Fix.unsafe(
                f"Add `= {names[0]}({sa_type})`", [Edit.insert_after(node.annotation.annotation, f" = {names[0]}({sa_type})"), *edits]
            )
        return Fix.unsafe(
            f"Use `{names[0]}(default=..., {sa_type})`",
            [Edit.insert_before(value, f"{names[0]}(default="), Edit.insert_after(value, f", {sa_type})"), *edits],
        )
