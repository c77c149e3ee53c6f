"""Family 3 vocabulary: which calls, references, annotations and column types give naive time.

Facts shared by BKL301-BKL306 (the traversal state, the fixes and the annotation / column-type readings that
need a rule's scopes live in ``rules/timezone/_analysis.py``):

- ``ChainTracker``: what a call or attribute is followed by (``.astimezone()``, ``.replace(tzinfo=...)``) without
  a parent provider: the outer node is visited first and records itself for its inner value.
- the qualified names of naive factories, clock calls, field functions, ``Mapped``, ``Annotated`` and friends;
  argument readers on ``libcst`` calls.
- the project facts behind BKL305 / BKL306 (``type_annotation_map``, SQLModel tables and their bases, request
  body models, the pinned SQLModel version).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

from ..ground.lazy import lazy_import

from .datetime_words import (  # noqa: F401  (re-exported)
    CALL_KINDS,
    CLOCK_CALLS,
    DATETIME,
    MAPPED,
    NAIVE_FACTORIES,
    NAIVE_PYDANTIC,
    helper_requires,
)
from ..ground.inputs import per_run, pin_files
from .cst import keyword_arg  # noqa: F401  (re-exported: family 3 rules import it from here)
from .fastapi import ROUTER_CLASSES, is_router_receiver
from .models import SQLMODEL_BASES
from .schemas import mro_fields
from .models import is_pydantic_model as _is_pydantic_model
from .facts import timezone_facts

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

DATE = "datetime.date"
UTC_VALUES = ("datetime.timezone.utc", "datetime.UTC")
UTC_LIKE = frozenset(UTC_VALUES + ("pytz.utc", "pytz.UTC", "dateutil.tz.UTC", "dateutil.tz.tz.UTC"))

FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field", "sqlmodel.main.Field"})
DATACLASS_FIELDS = frozenset({"dataclasses.field"})
ATTRS_FIELDS = frozenset({"attr.ib", "attr.attrib", "attr.field", "attrs.field"})
SQLMODEL_FIELDS = frozenset({"sqlmodel.Field", "sqlmodel.main.Field"})
AWARE_PYDANTIC = frozenset({"pydantic.AwareDatetime", "pydantic.types.AwareDatetime"})
OPTIONAL_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional"})
CONTAINERS = frozenset(
    {
        "typing.List", "typing.Sequence", "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Iterable",
        "collections.abc.Sequence", "collections.abc.Iterable", "builtins.list", "builtins.set",
        "builtins.tuple", "builtins.frozenset",
    }
)
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
FLASK_SQLALCHEMY = frozenset({"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"})
# FastAPI parameter markers that make a parameter something else than a request body
NOT_BODY_MARKERS = frozenset(
    {
        f"{mod}.{name}"
        for mod in ("fastapi", "fastapi.params", "fastapi.param_functions")
        for name in ("Depends", "Security", "Query", "Path", "Header", "Cookie")
    }
)
SQLMODEL_AWARE_FROM = (0, 0, 45)
# bases outside the project whose hierarchy holds no ``type_annotation_map`` of the project
_KNOWN_EXTERNAL = ("sqlalchemy.", "sqlmodel.", "typing.", "builtins.", "abc.", "object")


# --- chains ------------------------------------------------------------------------------------------

class ChainTracker:
    """Remembers, for a call or attribute, the attribute access applied to it and the call of that access."""

    def __init__(self) -> None:
        self.parent: dict[int, tuple[str, Optional[cst.Call]]] = {}

    def note_call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, (cst.Call, cst.Attribute)):
            self.parent[id(func.value)] = (func.attr.value, node)

    def note_attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, (cst.Call, cst.Attribute)):
            self.parent.setdefault(id(node.value), (node.attr.value, None))

    def of(self, node: cst.CSTNode) -> Optional[tuple[str, Optional[cst.Call]]]:
        return self.parent.get(id(node))

    def followed_by_astimezone(self, node: cst.CSTNode) -> bool:
        """``x.astimezone``, also after a chain of ``.replace(...)`` calls (ruff's rule)."""
        current: cst.CSTNode = node
        for _ in range(32):
            found = self.parent.get(id(current))
            if found is None:
                return False
            attr, call = found
            if attr == "astimezone":
                return True
            if attr == "replace" and call is not None:
                current = call
                continue
            return False
        return False

    def replace_tzinfo(self, node: cst.CSTNode, through_replace: bool = False) -> Optional[cst.Arg]:
        """The ``tzinfo=`` argument of a ``.replace(...)`` applied to ``node`` (optionally down a replace chain)."""
        current: cst.CSTNode = node
        for _ in range(32):
            found = self.parent.get(id(current))
            if found is None or found[0] != "replace" or found[1] is None:
                return None
            arg = keyword_arg(found[1], "tzinfo")
            if arg is not None or not through_replace:
                return arg
            current = found[1]
        return None


# --- arguments ---------------------------------------------------------------------------------------

def positional_arg(call: cst.Call, index: int) -> Optional[cst.Arg]:
    i = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            continue
        if i == index:
            return arg
        i += 1
    return None


def argument(call: cst.Call, name: str, index: int) -> Optional[cst.Arg]:
    return keyword_arg(call, name) or positional_arg(call, index)


def has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def count_positional(call: cst.Call) -> int:
    return sum(1 for a in call.args if a.keyword is None and not a.star)


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def is_true(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def is_false(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("False", "None")


def string_value(expr: cst.BaseExpression) -> Optional[str]:
    """The text of a string literal, an implicit concatenation or an f-string's literal parts."""
    if isinstance(expr, cst.SimpleString):
        if "b" in expr.prefix.lower():
            return None
        try:
            value = expr.evaluated_value
        except Exception:  # pragma: no cover - libcst evaluates every valid literal
            return None
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        if left is None and right is None:
            return None
        return (left or "") + (right or "")
    if isinstance(expr, cst.FormattedString):
        return "".join(p.value for p in expr.parts if isinstance(p, cst.FormattedStringText))
    return None


# --- project facts -----------------------------------------------------------------------------------

def class_mro_names(project: "ProjectIndex", qualified: str) -> list[str]:
    return [name for name, _ in project.class_mro(qualified)]


def is_pydantic_model(project: "ProjectIndex", qualified: str) -> bool:
    return _is_pydantic_model(project, qualified) is True


def is_sqlmodel_class(project: "ProjectIndex", qualified: str) -> bool:
    return any(name in SQLMODEL_BASES for name in class_mro_names(project, qualified))


def mapped_datetime_state(ctx: "FileContext", class_qualified: str) -> str:
    """``aware`` when a ``type_annotation_map`` of the class's hierarchy (or, failing that, of the project)
    maps ``datetime`` to an aware or project type; ``naive`` otherwise (SQLAlchemy's default ``DateTime()``)."""
    project = ctx.project
    if project is None:
        return "naive"

    def owners() -> tuple[dict[str, str], bool]:
        by_owner: dict[str, str] = {}
        any_aware = False
        for mod, facts in project.iter_modules():
            for entry in timezone_facts(facts).get("maps", ()):
                state = "naive" if entry["state"] == "naive" else "aware"
                if entry.get("owner"):
                    by_owner[f"{mod}.{entry['owner']}" if mod else entry["owner"]] = state
                any_aware = any_aware or state == "aware"
        return by_owner, any_aware

    by_owner, any_aware = project.memo("datetimes.annotation_maps", owners)
    mro = project.class_mro(class_qualified) if class_qualified else []
    for name, _ in mro:
        state = by_owner.get(project.canonical(name)) or by_owner.get(name)
        if state is not None:
            return state
    # a hierarchy that leaves the project through something unknown may get a map we cannot see
    followed = bool(mro) and mro[0][1] is not None and all(
        facts is not None or name.startswith(_KNOWN_EXTERNAL) for name, facts in mro[1:]
    )
    return "aware" if any_aware and not followed else "naive"


def _is_router(project: "ProjectIndex", receiver: Optional[str], module_uses_fastapi: bool) -> bool:
    # family 3 counts a FastAPI router class or its subclasses only (not the router factories family 6 follows)
    return is_router_receiver(project, receiver, module_uses_fastapi, _is_router_class)


def _is_router_class(project: "ProjectIndex", call: str) -> bool:
    return call in ROUTER_CLASSES or any(name in ROUTER_CLASSES for name in class_mro_names(project, call))


def body_model_fields(project: "ProjectIndex") -> dict[str, frozenset[str]]:
    """Project classes -> the annotated fields they contribute to a request body model (own or inherited)."""

    def build() -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        done: set[str] = set()
        for mod, facts in project.iter_modules():
            tz = timezone_facts(facts)
            for route in tz.get("routes", ()):
                if not _is_router(project, route.get("receiver"), bool(tz.get("fastapi"))):
                    continue
                for param in route.get("params", ()):
                    if any(m in NOT_BODY_MARKERS for m in param.get("markers", ())):
                        continue
                    for type_name in param.get("types", ()):
                        found = project.get_class(type_name)
                        if found is None or found[0] in done:
                            continue
                        canonical = found[0]
                        done.add(canonical)
                        if not is_pydantic_model(project, canonical):
                            continue
                        for cname, _, fname, _ in mro_fields(project.class_mro(canonical), annotated=True):
                            out.setdefault(cname, set()).add(fname)
        return {k: frozenset(v) for k, v in out.items()}

    return project.memo("datetimes.body_model_fields", build)


def sqlmodel_table_fields(project: "ProjectIndex") -> dict[str, frozenset[str]]:
    """Non-table classes -> fields that a SQLModel ``table=True`` subclass stores (reported at the base)."""

    def build() -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for qualified, cfacts in project.iter_classes():
            if cfacts.get("keywords", {}).get("table") != "True":
                continue
            mro = project.class_mro(qualified)
            if not any(name in SQLMODEL_BASES for name, _ in mro):
                continue
            for cname, facts, fname, _ in mro_fields(mro, annotated=True):
                if cname != qualified and facts.get("keywords", {}).get("table") != "True":
                    out.setdefault(cname, set()).add(fname)
        return {k: frozenset(v) for k, v in out.items()}

    return project.memo("datetimes.sqlmodel_table_fields", build)


# --- the pinned SQLModel version ---------------------------------------------------------------------

_VERSION = re.compile(r"\d+(?:\.\d+)*")
_CLAUSE = re.compile(r"(===|==|~=|>=|<=|!=|>|<|\^|~)?\s*v?(\d+(?:\.(?:\d+|\*))*)")


def parse_version(text: str) -> Optional[tuple[int, ...]]:
    m = _VERSION.search(text or "")
    if not m:
        return None
    return tuple(int(p) for p in m.group(0).split("."))


def minimum_version(spec: str) -> tuple[int, ...]:
    """The lowest version a specifier admits (``(0,)`` when it has no lower bound)."""
    low: tuple[int, ...] = (0,)
    for clause in spec.split(","):
        m = _CLAUSE.search(clause.strip())
        if not m:
            continue
        op = m.group(1) or "=="
        if op in ("==", "===", "~=", ">=", ">", "^", "~"):
            parts = []
            for p in m.group(2).split("."):
                if p == "*":
                    break
                parts.append(int(p))
            version = tuple(parts) or (0,)
            low = max(low, version)
    return low


_LOCK_ENTRY = re.compile(r'name\s*=\s*"sqlmodel"\s*\n\s*version\s*=\s*"([^"]+)"', re.I)
_PIPFILE_LOCK = re.compile(r'"sqlmodel"\s*:\s*\{[^}]*?"version"\s*:\s*"([^"]+)"', re.I | re.S)
_REQUIREMENT = re.compile(r"""(?:^|["'\s,\[])sqlmodel(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^]=?|===)\s*v?[\d.*]+(?:\s*,\s*(?:[<>=!~^]=?|===)\s*v?[\d.*]+)*)?""", re.I | re.M)
_POETRY = re.compile(r"""^\s*sqlmodel\s*=\s*(?:"([^"]*)"|\{[^}]*version\s*=\s*"([^"]*)")""", re.I | re.M)


def _pin_in_text(name: str, text: str) -> Optional[tuple[int, ...]]:
    if "sqlmodel" not in text.lower():
        return None
    if name.endswith(".lock") and name != "Pipfile.lock":
        m = _LOCK_ENTRY.search(text)
        return parse_version(m.group(1)) if m else None
    if name == "Pipfile.lock":
        m = _PIPFILE_LOCK.search(text)
        return parse_version(m.group(1)) if m else None
    if name in ("pyproject.toml", "Pipfile"):
        m = _POETRY.search(text)
        if m:
            return minimum_version(m.group(1) or m.group(2) or "")
    m = _REQUIREMENT.search(text)
    if m:
        return minimum_version(m.group("spec") or "")
    return None


_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def _is_project_dir(directory: str) -> bool:
    try:
        names = set(os.listdir(directory))
    except OSError:
        return False
    return any(m in names for m in _PROJECT_MARKERS) or any(n.endswith(".dist-info") for n in names)


@per_run
@lru_cache(maxsize=512)
def _pin_in_dir(directory: str) -> Optional[tuple[int, ...]]:
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    for name in pin_files(directory, names):  # (the files are declared in ground/inputs.py)
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(2_000_000)
        except OSError:
            continue
        found = _pin_in_text(os.path.basename(name), text)
        if found is not None:
            return found
    return None


def sqlmodel_version(ctx: "FileContext") -> Optional[tuple[int, ...]]:
    """The lowest SQLModel version the project of ``ctx``'s file admits (``sqlmodel_version_at``)."""
    return ctx.cached("datetimes.sqlmodel_version", lambda: sqlmodel_version_at(ctx.settings, ctx.path))


def sqlmodel_version_at(settings: Any, path: str) -> Optional[tuple[int, ...]]:
    """The lowest SQLModel version the project admits: the setting, else the nearest lock file or pin
    between the file's directory and the project root; ``None`` when nothing names SQLModel. A file
    outside the run's root (``backend-lint check projA projB`` takes its settings from ``projA``) is
    read against its own project: the search goes up to the first directory with project metadata, so
    the answer does not depend on the order of the paths on the command line. Takes the settings and
    the file's path only, so that BKL305's ``ast`` screen asks what its visitor asks."""
    setting = settings.sqlmodel_version
    if setting:
        return parse_version(setting)
    root = os.path.abspath(settings.root or ".")
    directory = os.path.dirname(os.path.abspath(path))
    inside = (directory + os.sep).startswith(root + os.sep) or directory == root
    for _ in range(12):
        found = _pin_in_dir(directory)
        if found is not None:
            return found
        if inside and directory == root:
            break
        if not inside and _is_project_dir(directory):
            break
        if os.path.dirname(directory) == directory:
            break
        directory = os.path.dirname(directory)
    return None


def sqlmodel_stores_aware(ctx: "FileContext") -> bool:
    """From SQLModel 0.0.45 a plain ``datetime`` table field is stored aware (``UTCDateTime``).

    Implicit fields are naive when any version the project admits is older (or when no pin is found)."""
    return version_stores_aware(sqlmodel_version(ctx))


def version_stores_aware(version: Optional[tuple[int, ...]]) -> bool:
    """``sqlmodel_stores_aware`` of a version ``sqlmodel_version_at`` read (BKL305's screen asks it too)."""
    return version is not None and version >= SQLMODEL_AWARE_FROM


def first_arg_is_string(call: cst.Call) -> bool:
    return bool(call.args) and call.args[0].keyword is None and isinstance(call.args[0].value, (cst.SimpleString, cst.ConcatenatedString))



