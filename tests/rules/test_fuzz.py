"""Fuzzing: generated programs and mutated fixtures through every rule and every fix.

Bounded for CI (a few dozen examples each); set ``BKL_FUZZ_EXAMPLES=2000`` for a longer run.
The linter must never raise or report an internal error, every fix output must parse, and fixing must be
idempotent (a second ``--fix`` changes nothing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from backend_lint.ground.config import Settings
from backend_lint.values import ResolvedEdit
from backend_lint.engine.api import Engine
from backend_lint.engine.fixes import apply_edits, parses
from backend_lint.knowledge.index import ProjectIndex

EXAMPLES = int(os.environ.get("BKL_FUZZ_EXAMPLES", "40"))
FIXTURE_FILES = sorted(
    p for p in (Path(__file__).parent.parent / "fixtures").rglob("*.py") if not p.name.endswith(".fixed.py")
)
# Families 1 and 2 fire only with a project index (owned models, auth dependencies in other modules): the
# multi-module fixture projects of those families, each fuzzed one mutated file at a time inside its project.
_FIXTURES = Path(__file__).parent.parent / "fixtures"
PROJECTS = sorted(
    d for family in ("identity", "isolation") for group in sorted((_FIXTURES / family).glob("*")) if group.is_dir()
    for d in sorted(group.iterdir()) if d.is_dir()
)


def _project_sources(root: Path) -> dict[str, str]:
    return {
        str(p): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py")) if not p.name.endswith(".fixed.py")
    }


def project_engine(root: Path, sources: dict[str, str]) -> Engine:
    return Engine(Settings(target_version="py311"), None, ProjectIndex.from_sources(str(root), sources))


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    derandomize=os.environ.get("BKL_FUZZ_RANDOM") != "1",
)

_ENGINE = None


def engine() -> Engine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine(Settings(target_version="py311"))
    return _ENGINE


def check_source(source: str, path: str = "fuzz.py", with_engine: Optional[Engine] = None) -> None:
    eng = with_engine or engine()
    result = eng.lint_source(source, path)
    assert not result.errors, [str(e) for e in result.errors]
    fixed, after, applied = eng.fix_source(source, path, unsafe=True)
    assert not after.errors, [str(e) for e in after.errors]
    if applied:
        assert parses(fixed, source), "fix output does not parse"
        again, _, _ = eng.fix_source(fixed, path, unsafe=True)
        assert again == fixed, "fixing is not idempotent"


_GRAMMAR = None


def grammar():
    """hypothesmith's program strategy, built once: ``from_grammar()`` compiles a Lark parser of Python's
    grammar on each call (about a second of CPU), which drawing from a new one per example paid 40 times."""
    global _GRAMMAR
    if _GRAMMAR is None:
        hypothesmith = pytest.importorskip("hypothesmith")
        _GRAMMAR = hypothesmith.from_grammar()
    return _GRAMMAR


@FUZZ_SETTINGS
@given(st.data())
def test_generated_programs(data) -> None:
    source = data.draw(grammar())
    check_source(source)


def _mutate(text: str, ops: list[tuple[int, int, int]]) -> str:
    lines = text.splitlines(keepends=True)
    for kind, a, b in ops:
        if not lines:
            break
        i, j = a % len(lines), b % len(lines)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(j, lines[i])
        elif kind == 2:
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3:
            cut = b % (len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + "\n"
        elif kind == 4:
            lines[i] = "    " + lines[i]
        elif kind == 5:
            lines[i] = lines[i].replace("(", "", 1)
    return "".join(lines)


@pytest.mark.skipif(not FIXTURE_FILES, reason="no fixtures")
@FUZZ_SETTINGS
@given(
    st.sampled_from(FIXTURE_FILES) if FIXTURE_FILES else st.nothing(),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=4),
)
def test_mutated_fixtures(path: Path, ops) -> None:
    text = path.read_text(encoding="utf-8")
    check_source(_mutate(text, ops), str(path))


def test_fuzzed_projects_reach_families_1_and_2() -> None:
    """The projects below are worth fuzzing: with their index, families 1 and 2 fire in each of them."""
    assert PROJECTS
    for root in PROJECTS:
        sources = _project_sources(root)
        eng = project_engine(root, sources)
        codes = {d.code[:4] for path, text in sources.items() for d in eng.lint_source(text, path).diagnostics}
        assert codes & {"BKL1", "BKL2"}, f"{root.name}: no family 1 or 2 finding"


@FUZZ_SETTINGS
@given(
    st.sampled_from(PROJECTS),
    st.integers(0, 10_000),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=4),
)
def test_mutated_project_files(root: Path, pick: int, ops) -> None:
    """One file of a project mutated, the index rebuilt over the project with it: every rule, every fix."""
    sources = _project_sources(root)
    paths = sorted(sources)
    path = paths[pick % len(paths)]
    sources[path] = _mutate(sources[path], ops)
    check_source(sources[path], path, project_engine(root, sources))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[str(p.relative_to(p.parents[2])) for p in FIXTURE_FILES])
def test_every_fixture_fixes_cleanly(path: Path) -> None:
    check_source(path.read_text(encoding="utf-8"), str(path))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=200), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 20), st.text(max_size=5)), max_size=6))
def test_edits_change_nothing_outside_their_ranges(text: str, raw) -> None:
    edits = []
    taken = []
    for start, length, content in raw:
        start = min(start, len(text))
        end = min(start + length, len(text))
        if any(start < e and s < end or start == s for s, e in taken):
            continue
        taken.append((start, end))
        edits.append(ResolvedEdit(start, end, content))
    out = apply_edits(text, edits)
    # rebuild the expected output segment by segment
    pos, expected = 0, []
    for e in sorted(edits):
        expected.append(text[pos : e.start])
        expected.append(e.content)
        pos = e.end
    expected.append(text[pos:])
    assert out == "".join(expected)
