"""Skipping work never changes findings.

The engine skips libcst for files where no enabled rule can fire (``requires``, ``requires_for``,
``may_fire``, migration detection), answers BKL900 for such files from the project index's parse, and
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

from harness import load_fixtures

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BKL_CORPUS", Path.home() / ".cache" / "backend-lint-corpus"))
CORPUS_SAMPLE = int(os.environ.get("BKL_SKIP_SAMPLE", "150"))


def _key(result) -> list:
    return [
        (d.row, d.column, d.end_location.row, d.end_location.column, d.code, d.message, d.noqa_row,
         None if d.fix is None else (d.fix.applicability.value, tuple(d.fix.edits)))
        for d in result.diagnostics
    ]


def _compare(settings: Settings, project, files: list[str], codes=None) -> int:
    fast = Engine(settings, codes, project, skip=True)
    slow = Engine(settings, codes, project, skip=False)
    bare = Engine(settings, codes, None, skip=True)  # no index: BKL900 from the parser itself
    skipped = 0
    for path in files:
        try:
            text = read_source(path).text
        except SourceReadError:
            continue
        a = fast.lint_source(text, path)
        b = slow.lint_source(text, path)
        assert _key(a) == _key(b), path
        assert not a.errors and not b.errors, (path, a.errors, b.errors)
        skipped += not a.parsed
        syntax_a = [k for k in _key(a) if k[4] == "BKL900"]
        syntax_bare = [k for k in _key(bare.lint_source(text, path)) if k[4] == "BKL900"]
        assert syntax_a == syntax_bare, path
    return skipped


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.id)
def test_fixtures_all_rules(fixture) -> None:
    files = [str(f.path) for f in fixture.files]
    _compare(fixture.settings, fixture.project, files)


def test_example_app() -> None:
    root = REPO / "examples" / "app"
    settings = discover_settings(root)
    files = list(iter_python_files([str(root)], settings))
    project = ProjectIndex.build(str(root), files)
    _compare(settings, project, files)


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
    skipped = 0
    for package, files in sorted(by_package.items()):
        root = os.path.join(src, package) if os.path.isdir(os.path.join(src, package)) else package
        project = ProjectIndex.from_sources(root, {f: read_source(f).text for f in files})
        skipped += _compare(Settings(root=root), project, files)
    assert skipped >= 0
