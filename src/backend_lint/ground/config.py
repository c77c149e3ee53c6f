"""``[tool.backend-lint]`` settings: discovery and validation (the selection of rules is ``engine/selection.py``).

Each file takes the settings of its closest configuration (``config_in`` per directory, walking up; the
grouping is ``engine/selection.settings_per_file``), as ruff does. ``--config PATH`` takes a
``pyproject.toml`` (its ``[tool.backend-lint]`` table) or a ``backend-lint.toml`` holding the same keys at
top level, and then replaces discovery for every file. Unknown keys and wrong types are a ``ConfigError`` naming the key and the file.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem the user must fix (exit status 2)."""


DEFAULT_IDENTITY_FIELDS = (
    "user_id",
    "owner_id",
    "author_id",
    "creator_id",
    "created_by_id",
    "tenant_id",
    "organization_id",
    "organisation_id",
    "org_id",
    "account_id",
    "workspace_id",
)
DEFAULT_AUTH_DEPENDENCIES = (
    "get_current_user",
    "get_current_active_user",
    "current_user",
    "current_active_user",
    "fastapi_users.current_user",
)
DEFAULT_PRINCIPAL_PARAMETERS = ("current_user", "user", "actor", "principal", "auth_subject")
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "venv",
    "site-packages",
    "__pycache__",
)
TARGET_VERSIONS = ("py310", "py311", "py312", "py313", "py314")


@dataclass(frozen=True)
class Settings:
    root: str = "."
    config_file: Optional[str] = None
    # ``None``: no ``select`` anywhere, the default selection (every rule but the opt-in ones, see
    # ``engine/selection.py``); a written ``select`` (``["ALL"]`` included) also turns opt-in rules on.
    select: Optional[tuple[str, ...]] = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    target_version: str = "py310"
    identity_fields: tuple[str, ...] = DEFAULT_IDENTITY_FIELDS
    auth_dependencies: tuple[str, ...] = DEFAULT_AUTH_DEPENDENCIES
    admin_dependencies: tuple[str, ...] = ()
    principal_parameters: tuple[str, ...] = DEFAULT_PRINCIPAL_PARAMETERS
    owned_models: tuple[str, ...] = ()
    not_owned_models: tuple[str, ...] = ()
    identity_attributes: tuple[tuple[str, str], ...] = ()
    # Family 2: functions that decide access to a row after it is loaded (added to the inferred ones).
    authorization_helpers: tuple[str, ...] = ()
    # Import roots, relative to the project root (ruff's ``src``), beside the inferred ones.
    src: tuple[str, ...] = ()
    # Family 3: project helpers that return naive time (``"app.utils.now"``), and the SQLModel version
    # that decides how implicit ``datetime`` table fields are stored (read from the project's pins if unset).
    naive_datetime_functions: tuple[str, ...] = ()
    sqlmodel_version: Optional[str] = None
    # Family 4, part two: the database the migrations run on (read from the project if unset).
    migration_dialect: Optional[str] = None
    # Files larger than this many bytes are reported (BKL900) instead of parsed.
    max_file_size: int = 2_000_000

    @property
    def target_minor(self) -> int:
        return int(self.target_version[3:])

    def identity_attribute(self, field_name: str) -> Optional[str]:
        for key, value in self.identity_attributes:
            if key == field_name:
                return value
        return None

    def with_overrides(self, **kwargs: Any) -> "Settings":
        return replace(self, **kwargs)


def analysis_key(settings: Optional[Settings]) -> str:
    """The settings that families 1-2's project-wide facts can depend on (who asks, what is owned, what
    decides access), as a key for facts stored with the index (``ProjectIndex.stored_memo``): a run with other
    settings over the same facts must not read what another run stored."""
    if settings is None:
        return "none"
    return repr((
        settings.identity_fields, settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters,
        settings.owned_models, settings.not_owned_models, settings.identity_attributes, settings.authorization_helpers,
    ))


def _list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _dict_of_str(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _dict_of_list(value: Any) -> bool:
    return isinstance(value, dict) and all(_list_of_str(v) for v in value.values())


# key -> (Settings attribute, validator, description of the expected type)
_SCHEMA: dict[str, tuple[str, Any, str]] = {
    "select": ("select", _list_of_str, "a list of rule codes"),
    "ignore": ("ignore", _list_of_str, "a list of rule codes"),
    "extend-select": ("extend_select", _list_of_str, "a list of rule codes"),
    "per-file-ignores": ("per_file_ignores", _dict_of_list, "a table of glob = [codes]"),
    "exclude": ("exclude", _list_of_str, "a list of glob patterns"),
    "extend-exclude": ("extend_exclude", _list_of_str, "a list of glob patterns"),
    "target-version": ("target_version", lambda v: v in TARGET_VERSIONS, "one of " + ", ".join(TARGET_VERSIONS)),
    "identity-fields": ("identity_fields", _list_of_str, "a list of field names"),
    "extend-identity-fields": ("extend_identity_fields", _list_of_str, "a list of field names"),
    "auth-dependencies": ("auth_dependencies", _list_of_str, "a list of names"),
    "admin-dependencies": ("admin_dependencies", _list_of_str, "a list of names"),
    "principal-parameters": ("principal_parameters", _list_of_str, "a list of parameter names"),
    "owned-models": ("owned_models", _list_of_str, "a list of class names"),
    "not-owned-models": ("not_owned_models", _list_of_str, "a list of class names"),
    "identity-attributes": ("identity_attributes", _dict_of_str, "a table of field = attribute"),
    "authorization-helpers": ("authorization_helpers", _list_of_str, "a list of names"),
    "src": ("src", _list_of_str, "a list of directories"),
    "naive-datetime-functions": ("naive_datetime_functions", _list_of_str, "a list of dotted names"),
    "sqlmodel-version": ("sqlmodel_version", lambda v: isinstance(v, str) and _VERSION.match(v) is not None, 'a version string such as "0.0.22"'),
    "migration-dialect": ("migration_dialect", lambda v: v in ("postgresql", "mysql", "sqlite"), "one of postgresql, mysql, sqlite"),
    "max-file-size": ("max_file_size", lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0, "a positive integer (bytes)"),
}
KNOWN_KEYS = frozenset(_SCHEMA)


def _load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


_VERSION = re.compile(r"^v?\d+(\.\d+){0,3}([._-]?(a|b|rc|post|dev)\d*)?$")


def settings_from_table(table: dict, path: Path, root: Path) -> Settings:
    values: dict[str, Any] = {}
    extend_identity: tuple[str, ...] = ()
    for key, value in table.items():
        if key not in _SCHEMA:
            hint = ""
            close = [k for k in KNOWN_KEYS if k.replace("-", "_") == key.replace("-", "_")]
            if close:
                hint = f" (did you mean `{close[0]}`?)"
            where = " in [tool.backend-lint]" if path.name == "pyproject.toml" else ""
            raise ConfigError(f"{path}: unknown key `{key}`{where}{hint}")
        attr, check, expected = _SCHEMA[key]
        if not check(value):
            raise ConfigError(f"{path}: `{key}` must be {expected}, got {value!r}")
        if attr == "extend_identity_fields":
            extend_identity = tuple(value)
            continue
        if attr == "per_file_ignores":
            value = tuple((k, tuple(v)) for k, v in value.items())
        elif attr == "identity_attributes":
            value = tuple(value.items())
        elif attr == "auth_dependencies":
            value = DEFAULT_AUTH_DEPENDENCIES + tuple(v for v in value if v not in DEFAULT_AUTH_DEPENDENCIES)
        elif isinstance(value, list):
            value = tuple(value)
        values[attr] = value
    settings = Settings(root=str(root), config_file=str(path), **values)
    if extend_identity:
        settings = replace(
            settings,
            identity_fields=settings.identity_fields + tuple(f for f in extend_identity if f not in settings.identity_fields),
        )
    if "identity_attributes" not in values:
        settings = replace(settings, identity_attributes=tuple((f, "id") for f in ("user_id", "owner_id", "author_id", "creator_id", "created_by_id")))
    return settings


def load_config_file(path: str | os.PathLike) -> Settings:
    """``--config PATH``: a ``pyproject.toml`` or a ``backend-lint.toml``."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    data = _load_toml(p)
    if p.name == "pyproject.toml":
        table = data.get("tool", {}).get("backend-lint", {})
    else:
        table = data
    if not isinstance(table, dict):  # (a backend-lint.toml is a table: TOML's top level always is)
        raise ConfigError(f"{p}: [tool.backend-lint] must be a table")
    return settings_from_table(table, p, p.resolve().parent)


def find_project_config(start: str | os.PathLike) -> Optional[Path]:
    """The nearest ``backend-lint.toml``, or ``pyproject.toml`` with a ``[tool.backend-lint]`` table."""
    p = Path(start).resolve()
    if p.is_file():
        p = p.parent
    for d in (p, *p.parents):
        found = config_in(d)
        if found is not None:
            return found
    return None


def config_in(d: Path) -> Optional[Path]:
    """The configuration file of directory ``d`` itself (``backend-lint.toml`` first), if it has one."""
    own = d / "backend-lint.toml"
    if own.is_file():
        return own
    pyproject = d / "pyproject.toml"
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:  # it may hold this project's settings: never skipped without a word
            raise ConfigError(f"{pyproject}: cannot read: {exc.strerror or exc}") from None
        if "backend-lint" in text:
            data = _load_toml(pyproject)
            if "backend-lint" in data.get("tool", {}):
                return pyproject
    return None


def find_project_root(start: str | os.PathLike) -> Path:
    """Where the project starts when there is no config: nearest pyproject.toml, setup.py or .git. Without any,
    the directory above the outermost package that holds ``start`` (its ``__init__.py`` chain): a file deep in
    ``app/api/routes/`` is linted with the whole of ``app`` indexed, as a run from the top would, not with its own
    directory alone (which loses every cross-module fact without a word)."""
    p = Path(start).resolve()
    if p.is_file():
        p = p.parent
    for d in (p, *p.parents):
        if (d / "pyproject.toml").is_file() or (d / ".git").exists() or (d / "setup.py").is_file() or (d / "setup.cfg").is_file():
            return d
    while (p / "__init__.py").is_file() and p.parent != p:
        p = p.parent
    return p


def discover_settings(start: str | os.PathLike) -> Settings:
    path = find_project_config(start)
    if path is None:
        root = find_project_root(start)
        return Settings(root=str(root), identity_attributes=tuple((f, "id") for f in ("user_id", "owner_id", "author_id", "creator_id", "created_by_id")))
    return load_config_file(path)


# --- rule selectors ------------------------------------------------------------------------------------

def validate_selectors(selectors: Iterable[str], all_codes: Iterable[str], origin: str) -> None:
    codes = list(all_codes)
    for s in selectors:
        if s == "ALL":
            continue
        if not any(c.startswith(s) for c in codes):
            raise ConfigError(f"{origin}: unknown rule selector `{s}`")
