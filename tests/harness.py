"""Fixture harness: fixtures carry their expectations inline.

- ``tests/fixtures/<family>/<name>.py`` is linted with the family's rules (``BKL4`` for ``migrations``);
  a directory ``tests/fixtures/<family>/<name>/`` is a small project: every ``.py`` in it is linted with a
  project index over the directory (and its ``pyproject.toml``, if any).
- A line that must produce findings carries ``# error: [rule-name]`` (several: ``[a, b]``; the same name
  twice for two findings on the line). A line that looks like a case but must stay quiet carries
  ``# ok: [rule-name]``: every rule needs both.
- Header comments tune a fixture: ``# bkl-select: BKL301,BKL302`` and ``# bkl-config: key = value``
  (TOML, ``[tool.backend-lint]`` keys).
- ``<name>.fixed.py`` beside a file is the reviewed snapshot after ``--fix --unsafe-fixes``; set
  ``BKL_UPDATE_SNAPSHOTS=1`` to (re)write snapshots, then review the diff.
"""

from __future__ import annotations

import os
import re
import sys
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


def load_fixtures() -> list[Fixture]:
    out: list[Fixture] = []
    for family_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        family = family_dir.name
        if family not in FAMILY_PREFIX:
            continue
        for entry in sorted(family_dir.iterdir()):
            if entry.is_file() and _is_source(entry):
                text = entry.read_text(encoding="utf-8")
                settings = _settings_for(family_dir, text, False)
                codes = _codes_for(family, text, settings)
                files = [FixtureFile(entry, text)]
                project = ProjectIndex.from_sources(str(family_dir), {str(entry): text})
                out.append(Fixture(f"{family}/{entry.name}", family, files, family_dir, settings, codes, project))
            elif entry.is_dir() and not entry.name.startswith(("_", ".")):
                sources = sorted(p for p in entry.rglob("*.py") if _is_source(p))
                files = [FixtureFile(p, p.read_text(encoding="utf-8")) for p in sources]
                header = "\n".join(f.text for f in files)
                settings = _settings_for(entry, header, True)
                codes = _codes_for(family, header, settings)
                project = ProjectIndex.from_sources(str(entry), {str(f.path): f.text for f in files})
                out.append(Fixture(f"{family}/{entry.name}/", family, files, entry, settings, codes, project))
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
