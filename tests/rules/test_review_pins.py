"""Pins from the session 19 review (REV19) of round 1's merge: small projects under ``review_pins/`` (not
fixtures: the harness would read their expectations as promises) with a finding the linter should give and
does not. Each is ``xfail(strict=True)``: the day the rule is mended, the test passes, fails as an xpass,
and the project moves to ``tests/fixtures`` with its expectations. (Session 20: REV19's two pins, a check
trusted for its name, moved to ``identity/BKL102/audit_named_like_check`` and ``identity/BKL101/checks_read_by_body``:
a project helper is a check when its body decides on the caller and the key, ``queries.callee_decides``.)"""

from __future__ import annotations

from pathlib import Path

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.ground.discovery import iter_python_files
from backend_lint.knowledge.index import ProjectIndex

PINS = Path(__file__).resolve().parent / "review_pins"


def _findings(name: str, codes: list[str], skip: bool = True) -> set[tuple[str, int, str]]:
    root = PINS / name
    settings = Settings(root=str(root))
    files = sorted(iter_python_files([str(root)], settings))
    project = ProjectIndex.from_sources(str(root), {f: Path(f).read_text(encoding="utf-8") for f in files})
    engine = Engine(settings, codes, project, skip=skip)
    out = set()
    for f in files:
        for d in engine.lint_source(Path(f).read_text(encoding="utf-8"), f).diagnostics:
            out.add((Path(f).relative_to(root).as_posix(), d.row, d.code))
    return out


def test_pins_lint_cleanly() -> None:
    """The projects themselves lint (whatever they find) with skipping on and off alike."""
    for name in sorted(p.name for p in PINS.iterdir() if p.is_dir()) if PINS.is_dir() else ():
        assert _findings(name, ["BKL1", "BKL2"]) == _findings(name, ["BKL1", "BKL2"], skip=False), name
