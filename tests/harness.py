"""Fixture harness: fixtures carry their expectations inline, and a snapshot of every finding beside them.

- ``tests/fixtures/<family>/<CODE>/<name>.py`` is one fixture file; ``tests/fixtures/<family>/<CODE>/<name>/``
  is a small project for that rule and ``tests/fixtures/<family>/_projects/<name>/`` a project several rules of
  the family share: every ``.py`` in a project is linted with a project index over the directory (and its
  ``pyproject.toml``, if any). Every fixture is linted with all the rules of its family (``BKL4`` for
  ``migrations``), so each is checked for every rule that fires there.
- A line that must produce findings carries ``# error: [rule-name]`` (several: ``[a, b]``; the same name
  twice for two findings on the line). A line that looks like a case but must stay quiet carries
  ``# ok: [rule-name]``: every rule needs both.
- Header comments tune a fixture: ``# bkl-select: BKL301,BKL302`` and ``# bkl-config: key = value``
  (TOML, ``[tool.backend-lint]`` keys).
- ``<name>.snap`` beside a file (or beside a project directory) lists every finding exactly:
  ``row:col-end_row:end_col CODE message``, then ``    fix (applicability): title`` when it has a fix.
- ``<name>.fixed.py`` beside a file is the reviewed snapshot after ``--fix --unsafe-fixes``, without the
  ``# error:`` markers of the findings the fix removed (the markers left are exactly its findings).
- Set ``BKL_UPDATE_SNAPSHOTS=1`` to (re)write ``.snap`` and ``.fixed.py`` snapshots, then review the diff.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from backend_lint.ground.config import Settings, settings_from_table
from backend_lint.engine.selection import select_codes
from backend_lint.engine.api import Engine
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.engine.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
FAMILY_PREFIX = {
    "identity": "BKL1",
    "isolation": "BKL2",
    "timezone": "BKL3",
    "migrations": "BKL4",
    "partial_updates": "BKL5",
    "validation": "BKL6",
    "engine": "BKL9",
}
EXPECT = re.compile(r"#\s*error:\s*\[([^\]]*)\]")
OK = re.compile(r"#\s*ok:\s*\[([^\]]*)\]")
SELECT = re.compile(r"^#\s*bkl-select:\s*(.+)$", re.M)
CONFIG = re.compile(r"^#\s*bkl-config:\s*(.+)$", re.M)


def _names(group: str) -> list[str]:
    return [n.strip() for n in group.split(",") if n.strip()]


@dataclass
class FixtureFile:
    path: Path
    text: str

    def expected(self) -> Counter:
        out: Counter = Counter()
        for row, line in enumerate(self.text.splitlines(), start=1):
            for m in EXPECT.finditer(line):
                for name in _names(m.group(1)):
                    out[(row, name)] += 1
        return out

    def ok_names(self) -> set[str]:
        return {n for m in OK.finditer(self.text) for n in _names(m.group(1))}

    @property
    def fixed_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".fixed.py")


@dataclass
class Fixture:
    id: str
    family: str
    files: list[FixtureFile]
    root: Path
    settings: Settings
    codes: list[str]
    project: Optional[ProjectIndex] = field(default=None)

    def engine(self, skip: bool = True, codes: Optional[list[str]] = None) -> Engine:
        return Engine(self.settings, codes or self.codes, self.project, skip=skip)


def _settings_for(root: Path, header_text: str, is_dir: bool) -> Settings:
    table: dict = {}
    pyproject = root / "pyproject.toml"
    if is_dir and pyproject.is_file():
        table = dict(tomllib.loads(pyproject.read_text()).get("tool", {}).get("backend-lint", {}))
    lines = CONFIG.findall(header_text)
    if lines:
        table.update(tomllib.loads("\n".join(lines)))
    return settings_from_table(table, pyproject if is_dir else root / "<fixture>", root)


def _codes_for(family: str, header_text: str, settings: Settings) -> list[str]:
    m = SELECT.search(header_text)
    selectors = [c.strip() for c in m.group(1).split(",")] if m else [FAMILY_PREFIX[family]]
    all_codes = [r.code for r in all_rules()]
    return select_codes(settings.with_overrides(select=tuple(selectors), ignore=(), extend_select=()), all_codes)


def _is_source(p: Path) -> bool:
    return p.suffix == ".py" and not p.name.endswith(".fixed.py")


PROJECTS = "_projects"
CODE_DIR = re.compile(r"^BKL\d{3}$")


def _single(family: str, entry: Path) -> Fixture:
    text = entry.read_text(encoding="utf-8")
    settings = _settings_for(entry.parent, text, False)
    codes = _codes_for(family, text, settings)
    project = ProjectIndex.from_sources(str(entry.parent), {str(entry): text})
    fid = entry.relative_to(FIXTURES).as_posix()
    return Fixture(fid, family, [FixtureFile(entry, text)], entry.parent, settings, codes, project)


def _project(family: str, entry: Path) -> Fixture:
    sources = sorted(p for p in entry.rglob("*.py") if _is_source(p))
    files = [FixtureFile(p, p.read_text(encoding="utf-8")) for p in sources]
    header = "\n".join(f.text for f in files)
    settings = _settings_for(entry, header, True)
    codes = _codes_for(family, header, settings)
    project = ProjectIndex.from_sources(str(entry), {str(f.path): f.text for f in files})
    fid = entry.relative_to(FIXTURES).as_posix() + "/"
    return Fixture(fid, family, files, entry, settings, codes, project)


def load_fixtures() -> list[Fixture]:
    """``<family>/<CODE>/<name>.py`` (one file), ``<family>/<CODE>/<name>/`` (a project for one rule) and
    ``<family>/_projects/<name>/`` (a project several rules of the family share). Every fixture is linted with
    all rules of its family (or its ``# bkl-select:``), so each is checked for every rule that fires there.
    Other directories starting with ``_`` (``migrations/_roundtrip``) are not lint fixtures."""
    out: list[Fixture] = []
    for family_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        family = family_dir.name
        if family not in FAMILY_PREFIX:
            continue
        for group in sorted(p for p in family_dir.iterdir() if p.is_dir()):
            if group.name == PROJECTS:
                out.extend(_project(family, p) for p in sorted(group.iterdir()) if p.is_dir() and not p.name.startswith((".", "_")))
                continue
            if not CODE_DIR.match(group.name):
                continue
            for entry in sorted(group.iterdir()):
                if entry.is_file() and _is_source(entry):
                    out.append(_single(family, entry))
                elif entry.is_dir() and not entry.name.startswith(("_", ".")):
                    out.append(_project(family, entry))
    return out


def findings(fixture: Fixture, f: FixtureFile, skip: bool = True):
    return fixture.engine(skip=skip).lint_source(f.text, str(f.path))


_PROJECT_FINDINGS: dict = {}


def project_findings(fixture: Fixture, f: FixtureFile) -> list:
    """Findings of project rules (``project_rule``, e.g. BKL405) for one file, as the CLI reports them:
    computed once over the fixture's index, kept for this file, filtered through its ``# noqa``."""
    engine = fixture.engine()
    if not engine.project_rules or fixture.project is None:
        return []
    if fixture.id not in _PROJECT_FINDINGS:
        _PROJECT_FINDINGS[fixture.id] = engine.lint_project()
    mine = [d for d in _PROJECT_FINDINGS[fixture.id] if os.path.abspath(d.path) == os.path.abspath(str(f.path))]
    return engine.apply_noqa(f.text, mine)


FILE_MARKER = re.compile(r"^# file: (\S+)\s*$", re.M)


def example_sources(code: str, base: str) -> dict:
    """A docs code block as files: ``# file: versions/a.py`` lines start a new file (project rules)."""
    parts = FILE_MARKER.split(code)
    if len(parts) == 1:
        return {os.path.join(base, "example.py"): code}
    return {os.path.join(base, name): body.lstrip("\n") for name, body in zip(parts[1::2], parts[2::2])}


def update_snapshots() -> bool:
    return os.environ.get("BKL_UPDATE_SNAPSHOTS") == "1"


# -- findings, snapshots -------------------------------------------------------------------------------

_FINDINGS: dict = {}
_RESULTS: dict = {}


def lint_result(fixture: Fixture, f: FixtureFile):
    """The file rules' ``LintResult`` for one file of the fixture (skipping on, as a run lints), computed once
    per file and shared by the tests that read it (the runs are deterministic)."""
    key = (fixture.id, str(f.path))
    if key not in _RESULTS:
        _RESULTS[key] = fixture.engine().lint_source(f.text, str(f.path))
    return _RESULTS[key]


def fixture_findings(fixture: Fixture) -> list:
    """``[(file, diagnostics)]`` for every file of the fixture: the file rules' findings plus the project
    rules' ones, as the CLI reports them. Computed once per fixture (the runs are deterministic)."""
    if fixture.id not in _FINDINGS:
        out = []
        for f in fixture.files:
            result = lint_result(fixture, f)
            assert not result.errors, result.errors
            out.append((f, list(result.diagnostics) + project_findings(fixture, f)))
        _FINDINGS[fixture.id] = out
    return _FINDINGS[fixture.id]


def snapshot_path(fixture: Fixture) -> Path:
    """``<name>.snap`` beside ``<name>.py``, or beside the project directory ``<name>/``."""
    if fixture.id.endswith("/"):
        return fixture.root.with_name(fixture.root.name + ".snap")
    return fixture.files[0].path.with_suffix(".snap")


def _sort_key(d) -> tuple:
    return (d.location.row, d.location.column, d.end_location.row, d.end_location.column, d.code, d.message)


def render_finding(d) -> list[str]:
    loc, end = d.location, d.end_location
    lines = [f"{loc.row}:{loc.column}-{end.row}:{end.column} {d.code} {d.message}"]
    if d.fix is not None:
        lines.append(f"    fix ({d.fix.applicability.value}): {d.fix.message}")
    return lines


def render_snapshot(fixture: Fixture, per_file: list) -> str:
    """Every finding as ``row:col-end_row:end_col CODE message`` (1-based columns, as the JSON output), with
    its fix's applicability and title on the next line; a project's files under ``## path`` headers."""
    out: list[str] = []
    for f, diagnostics in per_file:
        if fixture.id.endswith("/"):
            if not diagnostics:
                continue
            out.append(f"## {f.path.relative_to(fixture.root).as_posix()}")
        for d in sorted(diagnostics, key=_sort_key):
            out.extend(render_finding(d))
    return "".join(line + "\n" for line in out)


MARKER = re.compile(r"[ \t]*#\s*error:\s*\[([^\]]*)\]")


def strip_stale_markers(text: str, diagnostics: list, keep: frozenset = frozenset()) -> str:
    """``text`` (a fix's output) without the ``# error: [name]`` markers whose findings the fix removed:
    a name stays on a line as many times as ``diagnostics`` (the findings on ``text``) still fire there.
    Names in ``keep`` (project rules, which a one-file lint does not run) always stay."""
    left = Counter((d.row, d.name) for d in diagnostics)
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        row = i + 1

        def rewrite(m: "re.Match") -> str:
            kept = []
            for name in _names(m.group(1)):
                if name in keep:
                    kept.append(name)
                elif left[(row, name)] > 0:
                    left[(row, name)] -= 1
                    kept.append(name)
            if not kept:
                return ""
            return m.group(0)[: m.start(1) - m.start(0)] + ", ".join(kept) + "]"

        if MARKER.search(line):
            body = line.rstrip("\r\n")
            lines[i] = MARKER.sub(rewrite, body) + line[len(body):]
    return "".join(lines)


def index_of_files(root: Path, files: dict[str, str]) -> ProjectIndex:
    """Write ``files`` (relative path -> source, dedented) under ``root`` and build the project index over them."""
    sources = {}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text).lstrip("\n")
        path.write_text(body)
        sources[str(path)] = body
    return ProjectIndex.from_sources(str(root), sources)
