"""Pins from the session 19 review (REV19) of round 1's merge: small projects under ``review_pins/`` (not
fixtures: the harness would read their expectations as promises) with a finding the linter should give and
does not. Each is ``xfail(strict=True)``: the day the rule is mended, the test passes, fails as an xpass,
and the project moves to ``tests/fixtures`` with its expectations."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    for name in sorted(p.name for p in PINS.iterdir() if p.is_dir()):
        assert _findings(name, ["BKL1", "BKL2"]) == _findings(name, ["BKL1", "BKL2"], skip=False), name


@pytest.mark.xfail(
    strict=True,
    reason="queries.keys_checked_beside takes any call named like a check (named_like_check: `access`) handed the "
    "key and the caller for a check, without asking whether it decides: `_record_access(tenant_id, reader)` that "
    "only logs silences BKL102 (renamed `_record_read`, BKL102 fires)",
)
def test_audit_call_named_like_check_decides_nothing() -> None:
    assert ("app/routes.py", 19, "BKL102") in _findings("audit_named_like_check", ["BKL102"])


@pytest.mark.xfail(
    strict=True,
    reason="client_identity._row_handed_to_check takes any helper named like a check (named_like_check: `has_`) "
    "handed the caller and the looked-up row as a membership verdict, without reading the helper: "
    "`has_free_seats(acting_id(me), school.id, db)`, a plan limit that never reads the caller's id, silences "
    "BKL101 on the body's org_id (renamed `free_seats_left`, BKL101 fires)",
)
def test_seat_limit_named_like_check_decides_nothing() -> None:
    assert ("app/routes.py", 86, "BKL101") in _findings("seat_limit_named_like_check", ["BKL101"])
