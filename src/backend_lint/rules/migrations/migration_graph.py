from __future__ import annotations

import configparser
import os
import re
import sys
from typing import Any, Iterable, Optional

from ...ground.inputs import ALEMBIC_CONFIGS
from ...values import Diagnostic, Location
from ..api import Rule, RuleSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


SPEC = RuleSpec(
    code="BKL405",
    name="migration-graph",
    message="Alembic revision graph is broken",
    project_rule=True,
)


class MigrationGraph(Rule):
    """
    ## What it does
    Reports a broken Alembic revision graph: a revision id used twice, a `down_revision` that names no
    revision, or more than one head. Revisions are the modules recognised
    by content (module-level `revision`, `down_revision`, `def upgrade`); the graph is built per versions
    directory, or per `version_locations` of an `alembic.ini` (or `[tool.alembic]` in `pyproject.toml`)
    found above it, so that a project with several independent migration trees (one per database
    dialect, say) is checked tree by tree. Merge revisions (a tuple `down_revision`) are normal.

    No claim is made where the graph cannot be known: a tree with no base revision (its start lives
    elsewhere), ids or parents that are not literals, a parent that exists in another tree of the project,
    and heads of a tree that declares `branch_labels` (several heads are then by design).

    Reported on the `revision =` line of each revision involved.

    ## Why is this bad?
    `alembic upgrade head` refuses to run with several heads ("Multiple head revisions are present"),
    and a missing parent or a duplicate id breaks every Alembic command. These are usually merge
    accidents: two branches that each added a migration on top of the same revision.

    ## Example
    ```python
    # file: versions/a1_create_item.py
    revision = "a1"
    down_revision = None


    def upgrade():
        pass


    def downgrade():
        pass
    # file: versions/b2_add_note.py
    revision = "b2"
    down_revision = "a1"


    def upgrade():
        pass


    def downgrade():
        pass
    # file: versions/c3_add_tag.py
    revision = "c3"
    down_revision = "a1"


    def upgrade():
        pass


    def downgrade():
        pass
    ```

    ## Use instead
    ```python
    # file: versions/a1_create_item.py
    revision = "a1"
    down_revision = None


    def upgrade():
        pass


    def downgrade():
        pass
    # file: versions/b2_add_note.py
    revision = "b2"
    down_revision = "a1"


    def upgrade():
        pass


    def downgrade():
        pass
    # file: versions/c3_add_tag.py
    revision = "c3"
    down_revision = "b2"


    def upgrade():
        pass


    def downgrade():
        pass
    ```

    ## Fix safety
    No fix: which revision should come first, or which id is the right one, is a decision about the
    deployed databases (`alembic merge heads` writes a merge revision when both branches must stay).
    """

    spec = SPEC

    @classmethod
    def check_project(cls, project: Any, settings: Any) -> list:
        if project is None:
            return []
        revisions: list[tuple[str, dict]] = []
        for _, facts in project.iter_modules():
            rev = facts.get("extra", {}).get("alembic")
            if rev is not None:
                revisions.append((facts["path"], rev))
        if not revisions:
            return []
        root = project.root
        groups = _group(root, revisions)
        all_ids: dict[str, set] = {}
        for key, members in groups.items():
            for path, rev in members:
                if rev.get("revision"):
                    all_ids.setdefault(rev["revision"], set()).add(key)
        out: list[Diagnostic] = []
        for key, members in sorted(groups.items()):
            out.extend(cls._check_group(root, key, members, all_ids))
        return out

    @classmethod
    def _diag(cls, path: str, line: int, message: str) -> Diagnostic:
        loc = Location(max(int(line or 1), 1), 1)
        return Diagnostic(cls.code, cls.name, message, path, loc, Location(loc.row, loc.column))

    @classmethod
    def _check_group(cls, root: str, key: str, members: list, all_ids: dict) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        where = _rel(key[:-len("[alembic]")] if key.endswith(".ini[alembic]") else key, root) or "."
        by_id: dict[str, list] = {}
        unknown = False
        for path, rev in members:
            rid = rev.get("revision")
            if not rid:
                unknown = True
                continue
            by_id.setdefault(rid, []).append((path, rev))
        # duplicate ids
        for rid, entries in sorted(by_id.items()):
            if len(entries) < 2:
                continue
            for path, rev in entries:
                others = ", ".join(f"`{os.path.basename(p)}`" for p, _ in entries if p != path)
                out.append(cls._diag(path, rev["revision_line"], f"Revision id `{rid}` is also used by {others}"))
        if unknown or not all(rev.get("down_static") for _, rev in members):
            return out
        has_base = any(not rev["down_revision"] for _, rev in members)
        if not has_base:
            return out  # the tree starts elsewhere: we do not know enough to judge
        cross = False
        for path, rev in sorted(members, key=lambda m: m[0]):
            for parent in rev["down_revision"]:
                if parent in by_id:
                    continue
                if parent in all_ids:
                    cross = True  # lives in another tree of the project: merged at run time
                    continue
                out.append(
                    cls._diag(path, rev["revision_line"], f"`down_revision` names `{parent}`, which no revision in `{where}` has")
                )
        if cross or out:
            return out  # a broken graph: its heads would only repeat the problem
        if any(rev.get("branch_labels") or not rev.get("branch_labels_static", True) for _, rev in members):
            return out  # labelled branches: several heads are by design
        referenced = {p for _, rev in members for p in rev["down_revision"]}
        heads = sorted(rid for rid in by_id if rid not in referenced)
        if len(heads) > 1:
            listed = ", ".join(f"`{h}`" for h in heads)
            for rid in heads:
                for path, rev in by_id[rid]:
                    out.append(
                        cls._diag(
                            path,
                            rev["revision_line"],
                            f"`{where}` has {len(heads)} heads ({listed}): merge them into one",
                        )
                    )
        return out


# --- grouping revisions into graphs --------------------------------------------------------------------------


def _rel(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def _group(root: str, revisions: list[tuple[str, dict]]) -> dict[str, list]:
    """Group key -> revisions: the configured location set they belong to, else their directory."""
    configs = _ConfigFinder(root)
    groups: dict[str, list] = {}
    for path, rev in revisions:
        directory = os.path.dirname(os.path.abspath(path))
        key = directory
        for cfg_key, locations, recursive in configs.for_directory(directory):
            if any(directory == loc or (recursive and directory.startswith(loc + os.sep)) for loc in locations):
                key = locations[0] if len(locations) == 1 else cfg_key
                break
        groups.setdefault(key, []).append((path, rev))
    return groups


class _ConfigFinder:
    """``alembic.ini`` files and ``[tool.alembic]`` tables above a directory, read once each."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._dir_cache: dict[str, list] = {}
        self._file_cache: dict[str, list] = {}

    def for_directory(self, directory: str) -> list:
        if directory in self._dir_cache:
            return self._dir_cache[directory]
        found: list = []
        d = directory
        for _ in range(40):
            for name in ALEMBIC_CONFIGS:  # (declared in ground/inputs.py)
                path = os.path.join(d, name)
                if os.path.isfile(path):
                    found.extend(self._read(path))
            if os.path.abspath(d) == self.root or os.path.dirname(d) == d:
                break
            if not (d + os.sep).startswith(self.root + os.sep) and d != self.root:
                break
            d = os.path.dirname(d)
        self._dir_cache[directory] = found
        return found

    def _read(self, path: str) -> list:
        if path in self._file_cache:
            return self._file_cache[path]
        out: list = []
        try:
            if path.endswith(".toml"):
                out = self._read_pyproject(path)
            else:
                out = self._read_ini(path)
        except Exception:  # a config we cannot read tells us nothing
            out = []
        self._file_cache[path] = out
        return out

    def _read_ini(self, path: str) -> list:
        here = os.path.dirname(os.path.abspath(path))
        parser = configparser.ConfigParser(defaults={"here": here})
        with open(path, encoding="utf-8", errors="replace") as fh:
            parser.read_file(fh)
        out = []
        for section in parser.sections():
            if not parser.has_option(section, "script_location"):
                continue
            get = lambda k: parser.get(section, k, fallback=None)  # noqa: E731
            script = get("script_location") or ""
            separator = get("path_separator") or get("version_path_separator")
            raw_locations = get("version_locations")
            recursive = (get("recursive_version_locations") or "").strip().lower() in ("true", "1", "yes", "on")
            locations = _split(raw_locations, separator) if raw_locations else None
            out.append(self._entry(f"{path}[{section}]", here, script, locations, recursive))
        return [e for e in out if e is not None]

    def _read_pyproject(self, path: str) -> list:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        table = data.get("tool", {}).get("alembic")
        if not isinstance(table, dict) or "script_location" not in table:
            return []
        here = os.path.dirname(os.path.abspath(path))
        sub = lambda v: str(v).replace("%(here)s", here)  # noqa: E731
        locations = table.get("version_locations")
        if isinstance(locations, str):
            locations = _split(locations, None)
        if locations is not None:
            locations = [sub(v) for v in locations]
        entry = self._entry(path, here, sub(table["script_location"]), locations, bool(table.get("recursive_version_locations")))
        return [entry] if entry is not None else []

    def _entry(self, key: str, here: str, script: str, locations: Optional[list], recursive: bool) -> Optional[tuple]:
        dirs: list[str] = []
        if locations:
            for loc in locations:
                d = self._resolve(here, loc)
                if d is not None:
                    dirs.append(d)
        else:
            base = self._resolve(here, script) if script else None
            if base is not None:
                dirs.append(os.path.join(base, "versions"))
        if not dirs:
            return None
        return key, [os.path.normpath(d) for d in dirs], recursive

    def _resolve(self, here: str, location: str) -> Optional[str]:
        location = location.strip()
        if not location:
            return None
        if ":" in location and not os.path.isabs(location) and not re.match(r"^[A-Za-z]:[\\/]", location):
            package, *rest = location.split(":")
            for base in self._ancestors(here):
                cand = base if os.path.basename(base) == package else os.path.join(base, package)
                full = os.path.join(cand, *[p for part in rest for p in re.split(r"[\\/]", part) if p])
                if os.path.isdir(cand) and os.path.isdir(full):
                    return full
            return None
        if os.path.isabs(location):
            return location if os.path.isdir(location) else None
        for base in self._ancestors(here):
            cand = os.path.normpath(os.path.join(base, location))
            if os.path.isdir(cand):
                return cand
        return None

    def _ancestors(self, here: str) -> Iterable[str]:
        d = here
        for _ in range(40):
            yield d
            if d == self.root or os.path.dirname(d) == d:
                break
            d = os.path.dirname(d)
        for extra in (self.root, os.path.join(self.root, "src")):
            yield extra


def _split(value: str, separator: Optional[str]) -> list[str]:
    sep = (separator or "").split("#")[0].strip()
    if sep == "os":
        parts = value.split(os.pathsep)
    elif sep == "space":
        parts = value.split()
    elif sep == "newline":
        parts = value.splitlines()
    elif sep in (":", ";", ","):
        parts = value.split(sep)
    else:
        parts = re.split(r"[\s,]+", value)
    return [p.strip() for p in parts if p.strip()]
