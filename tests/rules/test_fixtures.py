"""Every fixture, with its inline expectations, its findings snapshot (``.snap``), its fixed snapshot
(``.fixed.py``) and the rules' promises. See ``harness.py`` for the layout of ``tests/fixtures``."""

from __future__ import annotations

from collections import Counter

import pytest

from backend_lint.ground.config import Settings
from backend_lint.values import FixAvailability
from backend_lint.engine.api import Engine
from backend_lint.engine.fixes import parses
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.engine.registry import all_rules

from harness import (
    FixtureFile,
    Fixture,
    example_sources,
    fixture_findings,
    lint_result,
    load_fixtures,
    render_snapshot,
    snapshot_path,
    strip_stale_markers,
    update_snapshots,
)

FIXTURES = load_fixtures()
RULES = [r for r in all_rules() if not r.internal]
_ids = [f.id for f in FIXTURES]


@pytest.mark.parametrize("fixture", FIXTURES, ids=_ids)
def test_expectations(fixture: Fixture) -> None:
    """The inline markers: every ``# error: [name]`` line fires (as often as named), nothing else does."""
    for f, diagnostics in fixture_findings(fixture):
        got = Counter((d.row, d.name) for d in diagnostics)
        expected = f.expected()
        missing = expected - got
        unexpected = got - expected
        lines = f.text.splitlines()
        report = []
        for (row, name), n in sorted(missing.items()):
            report.append(f"missing  {f.path.name}:{row} [{name}] x{n}: {lines[row - 1].strip()}")
        for (row, name), n in sorted(unexpected.items()):
            msg = next(d.message for d in diagnostics if d.row == row and d.name == name)
            report.append(f"unexpected {f.path.name}:{row} [{name}] x{n} ({msg}): {lines[row - 1].strip() if row <= len(lines) else ''}")
        assert not report, "\n" + "\n".join(report)


@pytest.mark.parametrize("fixture", FIXTURES, ids=_ids)
def test_findings_snapshot(fixture: Fixture) -> None:
    """The ``.snap`` beside the fixture: code, position, range, message and fix of every finding, exactly."""
    rendered = render_snapshot(fixture, fixture_findings(fixture))
    snapshot = snapshot_path(fixture)
    if update_snapshots():
        snapshot.write_text(rendered, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}; run with BKL_UPDATE_SNAPSHOTS=1 and review it"
    assert rendered == snapshot.read_text(encoding="utf-8"), (
        f"{snapshot.name} differs from the findings (BKL_UPDATE_SNAPSHOTS=1 rewrites it; review the diff):\n{rendered}"
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=_ids)
def test_skipping_never_changes_findings(fixture: Fixture) -> None:
    for f in fixture.files:
        fast = lint_result(fixture, f).diagnostics  # (skipping on: the run the other tests read)
        slow = fixture.engine(skip=False).lint_source(f.text, str(f.path)).diagnostics
        key = lambda d: (d.row, d.column, d.code, d.message)
        assert [key(d) for d in fast] == [key(d) for d in slow]


@pytest.mark.parametrize("fixture", FIXTURES, ids=_ids)
def test_fix_availability_is_honest(fixture: Fixture) -> None:
    by_code = {r.code: r for r in all_rules()}
    for f in fixture.files:
        for d in lint_result(fixture, f).diagnostics:
            promised = by_code[d.code].fix_availability
            if promised is FixAvailability.NONE:
                assert d.fix is None, f"{d.code} declares no fix but emitted one at {f.path.name}:{d.row}"
            elif promised is FixAvailability.ALWAYS:
                assert d.fix is not None, f"{d.code} declares a fix always but emitted none at {f.path.name}:{d.row}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=_ids)
def test_fixed_snapshot(fixture: Fixture) -> None:
    """``.fixed.py``: the output of ``--fix --unsafe-fixes`` without the markers of the findings it removed.
    It parses, its remaining markers are exactly its findings, it re-lints clean for the rules that fixed
    it, and fixing it again changes nothing."""
    project_names = {r.name for r in all_rules() if r.project_rule}
    for f in fixture.files:
        engine = fixture.engine()
        result = lint_result(fixture, f)
        has_fix = any(d.fix is not None and d.fix.edits and d.fix.applicability.value != "display-only" for d in result.diagnostics)
        snapshot = f.fixed_path
        if not has_fix:
            assert not snapshot.exists(), f"{snapshot.name} exists but no finding in {f.path.name} has a fix"
            continue
        fixed, remaining, applied = engine.fix_source(f.text, str(f.path), unsafe=True)
        assert applied > 0
        assert parses(fixed), "fixed output does not parse"
        fixed = strip_stale_markers(fixed, remaining.diagnostics, keep=project_names)
        if update_snapshots():
            snapshot.write_text(fixed, encoding="utf-8")
        assert snapshot.exists(), f"no reviewed snapshot {snapshot.name}; run with BKL_UPDATE_SNAPSHOTS=1 and review it"
        assert fixed == snapshot.read_text(encoding="utf-8"), f"{snapshot.name} differs from the fix output"
        assert parses(fixed), "the fixed snapshot does not parse"
        again = engine.lint_source(fixed, str(f.path))
        # the markers left are exactly the findings of the fixed file (project rules aside: they read the index)
        got = Counter((d.row, d.name) for d in again.diagnostics)
        marked = Counter({k: n for k, n in FixtureFile(snapshot, fixed).expected().items() if k[1] not in project_names})
        assert got == marked, f"{snapshot.name}: markers {sorted((marked - got).elements())} stale, findings {sorted((got - marked).elements())} unmarked"
        # it re-lints clean for the fixed rules, and fixing it again changes nothing
        fixed_codes = {d.code for d in result.diagnostics if d.fix is not None}
        left = [d for d in again.diagnostics if d.code in fixed_codes and d.fix is not None]
        assert not left, [(d.row, d.code, d.message) for d in left]
        twice, _, _ = engine.fix_source(fixed, str(f.path), unsafe=True)
        assert twice == fixed, "fixing is not idempotent"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_has_positive_and_negative_fixtures(rule) -> None:
    positive = any(name == rule.name for fx in FIXTURES for f in fx.files for (_, name) in f.expected())
    negative = any(rule.name in f.ok_names() for fx in FIXTURES for f in fx.files)
    assert positive, f"{rule.code} ({rule.name}) has no `# error: [{rule.name}]` fixture line"
    assert negative, f"{rule.code} ({rule.name}) has no `# ok: [{rule.name}]` fixture line"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docs_have_sections_and_examples_behave(rule) -> None:
    sections = rule.doc_sections()
    for name in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert sections.get(name), f"{rule.code} docs lack a `## {name}` section"
    examples = rule.code_blocks("Example")
    instead = rule.code_blocks("Use instead")
    assert examples and instead, f"{rule.code} docs need python code blocks in Example and Use instead"
    settings = Settings()
    engine_codes = [rule.code]
    def lint_example(code: str) -> list:
        sources = example_sources(code, "/tmp/bkl-doc")  # ``# file: name.py`` lines split a block into files
        project = ProjectIndex.from_sources("/tmp/bkl-doc", sources)
        engine = Engine(settings, engine_codes, project)
        found = [d for path, text in sources.items() for d in engine.lint_source(text, path).diagnostics]
        return found + (engine.lint_project() if rule.project_rule else [])

    for code in examples:
        found = lint_example(code)
        assert any(d.code == rule.code for d in found), f"{rule.code}: the docs' Example does not trigger the rule"
    for code in instead:
        found = lint_example(code)
        assert not any(d.code == rule.code for d in found), f"{rule.code}: the docs' Use instead triggers the rule"


def test_rule_names_and_files_agree() -> None:
    import inspect
    import os

    for rule in all_rules():
        assert rule.code.startswith("BKL") and len(rule.code) == 6 and rule.code[3:].isdigit()
        assert rule.name == rule.name.lower() and " " not in rule.name
        if rule.internal:
            continue
        filename = os.path.basename(inspect.getfile(rule))
        assert filename == rule.name.replace("-", "_") + ".py", f"{rule.code} lives in {filename}"
        assert not rule.message.endswith("."), f"{rule.code} message ends with a period"


def test_fixture_layout_has_no_strays() -> None:
    """Every fixture source sits where the runner finds it (``<family>/<CODE>/`` or ``<family>/_projects/``),
    and every ``.snap`` and ``.fixed.py`` belongs to a fixture (a renamed fixture takes its snapshots along)."""
    from harness import FAMILY_PREFIX, FIXTURES as ROOT, PROJECTS

    linted = {f.path for fx in FIXTURES for f in fx.files}
    sources = [
        p for family in FAMILY_PREFIX if (ROOT / family).is_dir() for p in (ROOT / family).rglob("*.py")
        if not p.name.endswith(".fixed.py")
        and not any(part.startswith("_") and part != PROJECTS for part in p.relative_to(ROOT).parts)
    ]
    unseen = [p for p in sources if p not in linted]
    assert not unseen, f"fixture sources the runner never reads: {sorted(str(p.relative_to(ROOT)) for p in unseen)}"
    owned = {snapshot_path(fx) for fx in FIXTURES} | {f.fixed_path for fx in FIXTURES for f in fx.files}
    strays = [p for p in list(ROOT.rglob("*.snap")) + list(ROOT.rglob("*.fixed.py")) if p not in owned]
    assert not strays, f"snapshots without a fixture: {sorted(str(p.relative_to(ROOT)) for p in strays)}"
