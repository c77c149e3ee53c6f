"""Skipping work never changes findings.

The engine skips libcst for files where no enabled rule can fire (``requires``, ``requires_for``,
``may_fire``, migration detection, and each rule's ``ast`` screen, ``RuleSpec.screen``), answers BKL900 for such files from the project index's parse, and
reads ``# noqa`` comments only when they can matter. Every fixture of the suite, the example app and
(when it is on this machine) a sample of the real-code corpus are linted with skipping on and off; the
findings must be identical. (``test_fixtures.py`` checks the fixtures one rule family at a time; here all
rules run together, as they do in a real run.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend_lint.ground.config import Settings, discover_settings
from backend_lint.engine.api import Engine
from backend_lint.ground.discovery import iter_python_files
from backend_lint.ground.io import SourceReadError, read_source
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.modules import looks_like_migration

from harness import load_fixtures

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BKL_CORPUS", Path.home() / ".cache" / "backend-lint-corpus"))
CORPUS_SAMPLE = int(os.environ.get("BKL_SKIP_SAMPLE", "150"))
# measured (see the tests below)
FIXTURE_SKIPPED, FIXTURE_SCREENED = 98, 43
APP_SKIPPED, APP_SCREENED = 8, 2  # 10 before family 6: its route rules read tags.py, schemas.py holds instances
CORPUS_SKIPPED, CORPUS_SCREENED = 128, 42  # of the default sample of 150 files (130 before family 6 read route handlers)


def _key(result) -> list:
    return [
        (d.row, d.column, d.end_location.row, d.end_location.column, d.code, d.message, d.noqa_row,
         None if d.fix is None else (d.fix.applicability.value, tuple(d.fix.edits)))
        for d in result.diagnostics
    ]


def _prefilters_pass(engine: Engine, text: str, project) -> bool:
    """Some enabled rule's text prefilters (``requires_for``, ``may_fire_for``, migration detection) let this
    file through: if libcst still never saw it, an ``ast`` screen (``RuleSpec.screen``) kept it away."""
    migration = looks_like_migration(text)
    for cls in engine.rule_classes:
        if cls.migration_only and not migration:
            continue
        requires = cls.requires_for(engine.settings)
        if requires is not None and not any(s in text for s in requires):
            continue
        if cls.may_fire_for(text, project, engine.settings):
            return True
    return False


class Skips:
    """Files libcst never saw with skipping on (``skipped``), and among them those the screens kept away."""

    def __init__(self) -> None:
        self.skipped = 0
        self.screened = 0

    def add(self, other: "Skips") -> None:
        self.skipped += other.skipped
        self.screened += other.screened


def _compare(settings: Settings, project, files: list[str], codes=None) -> Skips:
    fast = Engine(settings, codes, project, skip=True)
    slow = Engine(settings, codes, project, skip=False)
    bare = Engine(settings, codes, None, skip=True)  # no index: BKL900 from the parser itself
    skips = Skips()
    for path in files:
        try:
            text = read_source(path).text
        except SourceReadError:
            continue
        a = fast.lint_source(text, path)
        b = slow.lint_source(text, path)
        assert _key(a) == _key(b), path
        # the index hands the tree it parsed of a file to the first lint of it only: a second lint screens from
        # the index's record of the text (``ProjectIndex.screen_record``), parsing when a screen reads further
        again = fast.lint_source(text, path)
        assert _key(again) == _key(a) and again.parsed == a.parsed and not again.errors, path
        assert not a.errors and not b.errors, (path, a.errors, b.errors)
        if not a.parsed:
            skips.skipped += 1
            skips.screened += _prefilters_pass(fast, text, project)
        syntax_a = [k for k in _key(a) if k[4] == "BKL900"]
        syntax_bare = [k for k in _key(bare.lint_source(text, path)) if k[4] == "BKL900"]
        assert syntax_a == syntax_bare, path
    return skips


_FIXTURE_SKIPS: dict[str, Skips] = {}  # fixture id -> its skips, filled by the test below


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.id)
def test_fixtures_all_rules(fixture) -> None:
    files = [str(f.path) for f in fixture.files]
    _FIXTURE_SKIPS[fixture.id] = _compare(fixture.settings, fixture.project, files)


def test_the_screens_skip_fixtures() -> None:
    """The equivalence above is not vacuous: across the fixtures (run just before, in file order), libcst
    never sees 98 files, 43 of them because a screen, not a text prefilter, said
    no rule can fire. (Floors at the counts measured when the screens moved into the rule files: more
    fixtures may only raise them.)"""
    total = Skips()
    for fixture in load_fixtures():
        if fixture.id not in _FIXTURE_SKIPS:  # not run in this session (``-k``): count it now
            _FIXTURE_SKIPS[fixture.id] = _compare(fixture.settings, fixture.project, [str(f.path) for f in fixture.files])
        total.add(_FIXTURE_SKIPS[fixture.id])
    assert total.skipped >= FIXTURE_SKIPPED and total.screened >= FIXTURE_SCREENED, vars(total)


def test_example_app() -> None:
    root = REPO / "examples" / "app"
    settings = discover_settings(root)
    files = list(iter_python_files([str(root)], settings))
    project = ProjectIndex.build(str(root), files)
    skips = _compare(settings, project, files)
    assert skips.skipped >= APP_SKIPPED and skips.screened >= APP_SCREENED, vars(skips)


@pytest.mark.skipif(not (CORPUS / "files.txt").is_file(), reason="real-code corpus not on this machine")
def test_real_code_sample() -> None:
    listed = [l for l in (CORPUS / "files.txt").read_text().splitlines() if l.endswith(".py")]
    step = max(1, len(listed) // CORPUS_SAMPLE)
    sample = listed[::step][:CORPUS_SAMPLE]
    # index each sampled file's package (as a run would), then compare
    by_package: dict[str, list[str]] = {}
    src = str(CORPUS / "src") + os.sep
    for path in sample:
        package = path[len(src):].split(os.sep, 1)[0] if path.startswith(src) else os.path.dirname(path)
        by_package.setdefault(package, []).append(path)
    skips = Skips()
    for package, files in sorted(by_package.items()):
        root = os.path.join(src, package) if os.path.isdir(os.path.join(src, package)) else package
        project = ProjectIndex.from_sources(root, {f: read_source(f).text for f in files})
        skips.add(_compare(Settings(root=root), project, files))
    # real code: most files need no libcst at all, and the screens clear many the text prefilters pass
    if CORPUS_SAMPLE == 150:
        assert skips.skipped >= CORPUS_SKIPPED and skips.screened >= CORPUS_SCREENED, vars(skips)
    assert skips.screened > 0, vars(skips)
