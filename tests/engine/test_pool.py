"""The worker pool (``engine/run.py``): the parent derives the project-wide facts once before it forks
(``Engine.prime``), and a pooled run reports what a one-process run reports.

(No timing assertions: ``bench/bench.py`` and bench/RESULTS.md's run 19 measure the pool's cost.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from backend_lint.engine.api import Engine
from backend_lint.ground.config import discover_settings
from backend_lint.ground.discovery import iter_python_files
from backend_lint.knowledge.index import ProjectIndex

APP = Path(__file__).resolve().parents[1] / "fixtures" / "isolation" / "_projects" / "fastapi_sqlmodel"


def _project(tmp_path: Path, fillers: int = 0) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(APP, root, ignore=shutil.ignore_patterns("*.fixed.py", "__pycache__"))
    (root / "pyproject.toml").write_text('[project]\nname = "probe"\n')
    for i in range(fillers):  # enough files for a pool (``_lint_each``: 16 or more)
        (root / "app" / f"filler_{i}.py").write_text(f"def helper_{i}(x):\n    return x + {i}\n")
    return root


def test_prime_derives_the_project_words_before_any_file_is_linted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    settings = discover_settings(str(root))
    files = [str(f) for f in iter_python_files([str(root)], settings)]
    project = ProjectIndex.build(str(root), files, jobs=1)
    engine = Engine(settings, project=project)
    texts = [(f, Path(f).read_text(encoding="utf-8")) for f in files]
    assert engine.prime(texts) >= 1
    primed = {key for key in project._memo if isinstance(key, tuple) and key[0] == "stored"}
    assert any(key[1].startswith("screens.owned:") for key in primed)  # family 2's words (its prefilter)
    again = Engine(settings, project=project)
    assert again.prime(texts) >= 1 and {k for k in project._memo if k[0] == "stored"} == primed  # memos: nothing new
    # priming is not linting: the findings are the same as an engine that never primed
    fresh = Engine(settings, project=ProjectIndex.build(str(root), files, jobs=1))
    for path, text in texts:
        assert engine.lint_source(text, path).diagnostics == fresh.lint_source(text, path).diagnostics
    assert Engine(settings, project=None).prime(texts) == 0  # no index: nothing to derive


def test_prime_derives_the_facts_the_visitors_read(tmp_path: Path) -> None:
    """``RuleSpec.project_facts``: the parent also derives what the rules' visitors read from the index (families
    1-2's call reach and identity fields), which every worker would otherwise derive again."""
    root = _project(tmp_path)
    settings = discover_settings(str(root))
    files = [str(f) for f in iter_python_files([str(root)], settings)]
    project = ProjectIndex.build(str(root), files, jobs=1)
    engine = Engine(settings, project=project)
    texts = [(f, Path(f).read_text(encoding="utf-8")) for f in files]
    assert engine.prime(texts) >= 1
    keys = set(project._memo)
    assert any(k[0] == "stored" and k[1].startswith("auth.claim_reach") for k in keys if isinstance(k, tuple))
    assert any(k[0] == "models.project_identity_fields" for k in keys if isinstance(k, tuple))
    # a rule no sampled file's text lets through derives nothing ahead: a run selecting only family 4
    quiet = ProjectIndex.build(str(root), files, jobs=1)
    Engine(settings, codes=["BKL421"], project=quiet).prime(texts)
    assert ("alembic.mapped_tables",) not in quiet._memo


def test_a_pooled_run_reports_what_one_process_reports(tmp_path: Path) -> None:
    """The CLI (the installed entry point, a subprocess) with two workers forked from a primed parent and with
    one process: the same JSON, findings included."""
    root = _project(tmp_path, fillers=20)
    outputs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "backend_lint", "check", ".", "--no-cache", "--exit-zero", "-j", jobs, "--output-format", "json"],
            cwd=root, capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert "BKL201" in outputs[0] and "BKL202" in outputs[0]


def test_modules_renamed_by_the_import_roots_are_extracted_again_alike_in_a_pool(tmp_path: Path, monkeypatch) -> None:
    """A stray ``__init__.py`` above the real root (``apps/api/src`` imported as ``src``): the roots rename every
    module, and the index extracts them again, in its pool when there are 200 or more: the same modules and
    facts as one process. (A cold build guesses these roots before extracting; the guess is left out here, as
    when it is wrong, so that the renamed modules are extracted again.)"""
    monkeypatch.setattr(ProjectIndex, "_guess_units", lambda self, files, max_size: frozenset())
    src = tmp_path / "apps" / "api" / "src"
    src.mkdir(parents=True)
    (tmp_path / "apps" / "api" / "__init__.py").write_text("")
    (src / "__init__.py").write_text("")
    (src / "models.py").write_text("class Item:\n    owner_id: int\n")
    for i in range(210):
        (src / f"m{i}.py").write_text(f"from src.models import Item\n\n\ndef get_{i}(x: Item) -> Item:\n    return x\n")
    files = sorted(str(p) for p in tmp_path.rglob("*.py"))
    one = ProjectIndex.build(str(tmp_path), files, jobs=1)
    pooled = ProjectIndex.build(str(tmp_path), files, jobs=2)
    assert "src.m7" in one.modules and one.by_path[str(src / "m7.py")] == "src.m7"  # renamed by the roots
    assert pooled.by_path == one.by_path
    assert dict(pooled.modules) == dict(one.modules)


def test_an_index_built_on_a_thread_starts_its_pool_from_a_fresh_interpreter(tmp_path: Path) -> None:
    """The language server builds its first index on a thread beside its event loop. ``fork`` copies only the
    calling thread, so a lock another thread held at that moment (an import in progress) would stay held in
    the workers forever and the build would never end (seen once in the server bench: mlflow's index never
    came). With other threads alive the pool spawns its workers; the index equals a one-process build."""
    import threading

    from backend_lint.knowledge.index import pool_start_method

    for i in range(210):
        (tmp_path / f"m{i}.py").write_text(f"def get_{i}(x):\n    return x + {i}\n")
    files = sorted(str(p) for p in tmp_path.rglob("*.py"))
    one = ProjectIndex.build(str(tmp_path), files, jobs=1)
    seen: dict = {}
    release = threading.Event()
    other = threading.Thread(target=release.wait)  # another thread alive, like the server's loop
    other.start()

    def build() -> None:
        seen["method"] = pool_start_method()
        seen["index"] = ProjectIndex.build(str(tmp_path), files, jobs=2)

    try:
        worker = threading.Thread(target=build)
        worker.start()
        worker.join()
    finally:
        release.set()
        other.join()
    assert seen["method"] == "spawn"
    assert seen["index"].by_path == one.by_path
    assert dict(seen["index"].modules) == dict(one.modules)
