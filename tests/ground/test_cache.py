"""The result cache: reused when nothing that matters changed, invalidated when something did, and never
trusted when damaged. Every check compares a cached run with a ``--no-cache`` run of the same tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backend_lint.ground.cache import ResultCache
from backend_lint.ground.config import Settings
from backend_lint.values import FixAvailability
from backend_lint.engine.api import Engine
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.engine.registry import all_rules
from backend_lint.rules.api import Rule
from backend_lint.engine.run import RunOptions, lint_paths

from clihelpers import EMPTY_DOWNGRADE, MISSING_DOWNGRADE, make_project, run_cli

MODELS_OWNED = '''from sqlmodel import Field, SQLModel


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    owner_id: int = Field(foreign_key="user.id")
'''

ROUTES = '''from fastapi import APIRouter, Depends
from sqlmodel import Session

from .deps import get_current_user, get_session
from .models import Item

router = APIRouter()


@router.get("/items/{item_id}")
def read_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
    return session.get(Item, item_id)
'''

DEPS = "def get_current_user(): ...\n\n\ndef get_session(): ...\n"


def _json(root: Path, *args: str) -> list:
    r = run_cli("check", "--output-format", "json", "--exit-zero", *args, ".", cwd=root)
    assert r.returncode == 0, r.stderr.decode()
    return sorted((d["filename"], d["location"]["row"], d["code"], d["message"]) for d in json.loads(r.stdout))


def _agree(root: Path, *args: str) -> list:
    """A cached run, and a --no-cache run of the same tree: they must report the same."""
    cached = _json(root, *args)
    fresh = _json(root, "--no-cache", *args)
    assert cached == fresh
    return cached


def _app(tmp_path: Path) -> Path:
    return make_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS_OWNED,
            "app/routes.py": ROUTES,
            "app/deps.py": DEPS,
            "migrations/a1.py": EMPTY_DOWNGRADE,
        },
    )


def test_a_changed_model_invalidates_the_files_that_depend_on_it(tmp_path: Path) -> None:
    root = _app(tmp_path)
    first = _agree(root)
    assert any(code == "BKL201" and f.endswith("routes.py") for f, _, code, _ in first)
    assert _agree(root) == first  # warm
    # models.py changes: Item is no longer owned. routes.py did not change, its finding must go.
    (root / "app/models.py").write_text(MODELS_OWNED.replace('    owner_id: int = Field(foreign_key="user.id")\n', '    note: str = ""\n'))
    second = _agree(root)
    assert not any(code == "BKL201" for _, _, code, _ in second)
    # and back
    (root / "app/models.py").write_text(MODELS_OWNED)
    assert _agree(root) == first


def test_an_edit_that_changes_no_facts_keeps_other_files_cached(tmp_path: Path) -> None:
    root = _app(tmp_path)
    cache_dir = root / ".backend_lint_cache"
    files = [str(p) for p in sorted(root.rglob("*.py"))]
    settings = Settings(root=str(root))

    def run() -> list:
        project = ProjectIndex.build(str(root), files, cache_dir=str(cache_dir))
        engine = Engine(settings, project=project)
        return lint_paths(engine, files, RunOptions(cache_dir=str(cache_dir)))

    run()
    assert all(o.cached for o in run())
    # a comment in models.py changes its text, not its facts: only models.py is linted again
    (root / "app/models.py").write_text(MODELS_OWNED + "# a comment\n")
    out = {Path(o.path).name: o.cached for o in run()}
    assert out["models.py"] is False
    assert out["routes.py"] is True and out["a1.py"] is True
    # a new column changes the facts: files whose rules read the index are linted again, others not
    (root / "app/models.py").write_text(MODELS_OWNED + "    extra: str = ''\n")
    again = {Path(o.path).name: o for o in run()}
    assert again["routes.py"].cached is False
    assert again["a1.py"].cached is True  # the migration rules never read the index for it


class _ReadsModels(Rule):
    """Reports `Thing(` calls when a project module declares a class `Thing` with a field `owner_id`."""

    code = "BKL995"
    name = "reads-models"
    message = "uses an owned `Thing`"
    fix_availability = FixAvailability.NONE
    requires = ("Thing(",)

    def visit_Call(self, node) -> None:
        import libcst as cst

        if isinstance(node.func, cst.Name) and node.func.value == "Thing" and self.ctx.project is not None:
            for _, cls in self.ctx.project.iter_classes():
                if "owner_id" in cls.get("fields", {}):
                    self.report(node)


def test_project_reads_are_recorded_per_file(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"models.py": "class Thing:\n    owner_id: int\n", "use.py": "x = Thing()\n", "other.py": "y = 1\n"},
    )
    files = [str(root / n) for n in ("models.py", "use.py", "other.py")]
    cache_dir = str(root / ".cache")
    rules = tuple(all_rules()) + (_ReadsModels,)

    def run() -> dict:
        project = ProjectIndex.build(str(root), files, cache_dir=cache_dir)
        engine = Engine(Settings(root=str(root)), [r.code for r in rules], project, rules=rules)
        return {Path(o.path).name: o for o in lint_paths(engine, files, RunOptions(cache_dir=cache_dir, jobs=1))}

    first = run()
    assert [d.code for d in first["use.py"].diagnostics] == ["BKL995"]
    assert first["use.py"].uses_project and not first["other.py"].uses_project
    (root / "models.py").write_text("class Thing:\n    title: str\n")
    second = run()
    assert second["use.py"].cached is False and second["use.py"].diagnostics == []
    assert second["other.py"].cached is True


def test_findings_are_cached_too_and_served_unchanged(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m1.py": EMPTY_DOWNGRADE, "m2.py": MISSING_DOWNGRADE, "bad.py": "def f(:\n"})
    first = run_cli("check", "--output-format", "json", ".", cwd=root)
    second = run_cli("check", "--output-format", "json", ".", cwd=root)
    assert first.returncode == second.returncode == 1
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert json.loads(first.stdout) == json.loads(run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root).stdout)


def test_settings_and_selection_are_part_of_the_key(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m1.py": EMPTY_DOWNGRADE})
    assert [c for _, _, c, _ in _agree(root)] == ["BKL402"]
    assert _agree(root, "--ignore", "BKL402") == []
    assert [c for _, _, c, _ in _agree(root)] == ["BKL402"]
    (root / "pyproject.toml").write_text('[tool.backend-lint]\nignore = ["BKL4"]\n')
    assert _agree(root) == []


def test_no_cache_writes_nothing_and_cache_dir_is_honoured(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m1.py": EMPTY_DOWNGRADE})
    run_cli("check", "--no-cache", ".", cwd=root)
    assert not (root / ".backend_lint_cache").exists()
    other = tmp_path / "elsewhere"
    run_cli("check", "--cache-dir", str(other), ".", cwd=root)
    assert not (root / ".backend_lint_cache").exists()
    assert any(p.name.startswith("results-") for p in other.iterdir())
    assert (other / ".gitignore").read_text().strip().endswith("*")
    r = run_cli("cache", "clean", "--cache-dir", str(other), cwd=root)
    assert r.returncode == 0 and not other.exists()
    run_cli("check", ".", cwd=root)
    assert (root / ".backend_lint_cache").is_dir()
    r = run_cli("cache", "clean", cwd=root)
    assert r.returncode == 0 and not (root / ".backend_lint_cache").exists()


def _cache_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".backend_lint_cache").iterdir() if p.suffix == ".json")


def _settle(root: Path) -> None:
    """Date every file and directory of the project a minute back: a stored listing is then always trusted
    (one written within two seconds of a directory's change never is), whatever the timing of the run."""
    past = time.time() - 60
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            os.utime(os.path.join(dirpath, name), (past, past))
        os.utime(dirpath, (past, past))


def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    root = _app(tmp_path)
    (root / ".backend_lint_cache").mkdir()  # (creating it later would change the root's mtime)
    _settle(root)
    expected = _agree(root)
    assert any(p.name.startswith("walk-") for p in _cache_files(root))  # every kind of stored artifact is damaged
    for damage in ("truncate", "flip", "garbage", "empty", "wrong-shape"):
        for p in _cache_files(root):
            data = p.read_bytes()
            if damage == "truncate":
                p.write_bytes(data[: len(data) // 2])
            elif damage == "flip":  # a plausible edit inside the body: still valid JSON, wrong checksum
                p.write_bytes(data.replace(b"BKL201", b"BKL202").replace(b'"app', b'"xpp'))
            elif damage == "garbage":
                p.write_bytes(os.urandom(300))
            elif damage == "empty":
                p.write_bytes(b"")
            else:
                header = json.loads(data.split(b"\n", 1)[0])
                body = b'{"files": {"x": [1, 2]}, "project": 7}'
                import hashlib

                header["sections"] = [hashlib.sha256(body).hexdigest()] * len(header.get("sections", [1]))
                p.write_bytes(json.dumps(header).encode() + b"\n" + b"\n".join([body] * len(header["sections"])) + b"\n")
        assert _json(root) == expected, damage
        assert _json(root) == expected, damage  # and the rebuilt cache is good


def test_a_forged_entry_with_a_valid_checksum_is_validated_entry_by_entry(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m1.py": EMPTY_DOWNGRADE})
    expected = _agree(root)
    results = [p for p in _cache_files(root) if p.name.startswith("results-")]
    assert results
    import hashlib

    forged = 0
    for p in results:
        lines = p.read_bytes().split(b"\n")
        header = json.loads(lines[0])
        sections = lines[1 : 1 + len(header["sections"])]
        for i in range(1, len(sections)):  # (section 0: the project-wide findings; then the files' buckets)
            body = json.loads(sections[i])
            for key in body:
                body[key] = ["not-a-digest", None, None, [["BKL999"]]]
                forged += 1
            sections[i] = json.dumps(body).encode()
        header["sections"] = [hashlib.sha256(raw).hexdigest() for raw in sections]
        p.write_bytes(json.dumps(header).encode() + b"\n" + b"\n".join(sections) + b"\n")
    assert forged
    assert _json(root) == expected


def test_concurrent_runs_do_not_corrupt_the_cache(tmp_path: Path) -> None:
    files = {f"m{i}.py": EMPTY_DOWNGRADE.replace('"a1"', f'"r{i}"') for i in range(12)}
    files.update({f"ok{i}.py": f"x = {i}\n" for i in range(12)})
    root = make_project(tmp_path, files)
    expected = _json(root, "--no-cache")
    results: list = []

    def go(select: str) -> None:
        r = run_cli("check", "--output-format", "json", "--exit-zero", "--jobs", "1", *select.split(), ".", cwd=root)
        results.append((select, r.returncode, r.stdout))

    threads = [threading.Thread(target=go, args=(s,)) for s in ["", "", "", "--select BKL4", "--select BKL402", ""]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for select, rc, out in results:
        assert rc == 0
        got = sorted((d["filename"], d["location"]["row"], d["code"], d["message"]) for d in json.loads(out))
        if not select:
            assert got == expected
    for p in _cache_files(root):
        assert ResultCache  # framed files: header + sections
        first = p.read_bytes().split(b"\n", 1)[0]
        json.loads(first)
    assert _json(root) == expected
    leftovers = [p for p in (root / ".backend_lint_cache").iterdir() if p.name.startswith(".tmp-")]
    assert not leftovers


def test_a_save_merges_what_another_run_wrote_and_keeps_it_on_the_next_save(tmp_path: Path) -> None:
    """``ResultCache.save`` reads the file again only when another run replaced it since (its identity: the
    same inode, size and mtime is the file this run read or wrote), and what it merged stays for its next save."""
    cache_dir, root = str(tmp_path / "c"), str(tmp_path)
    first, second = ResultCache(cache_dir, root, "k"), ResultCache(cache_dir, root, "k")
    first.store("/a.py", "da", "a", None, [])
    first.save()
    second.store("/b.py", "db", "b", None, [])
    second.save()  # (another run wrote since it read: merged)
    second.store("/c.py", "dc", "c", None, [])
    second.save()  # (its own file: not read again, the merged entry kept)
    first.store("/d.py", "dd", "d", None, [])
    first.save()
    assert sorted(ResultCache(cache_dir, root, "k").entries) == ["/a.py", "/b.py", "/c.py", "/d.py"]


def test_a_warm_run_with_nothing_to_lint_does_not_import_libcst(tmp_path: Path) -> None:
    root = _app(tmp_path)
    _agree(root)
    code = (
        "import sys\n"
        "from backend_lint.faces.cli import main\n"
        "try:\n"
        "    main(['check', '--exit-zero', '-q', '.'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST')\n"
        "print('RULES' if any(m.startswith('backend_lint.rules.') and m.count('.') >= 3 for m in sys.modules) else 'NO-RULES')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120).stdout
    assert "NO-LIBCST" in out and "NO-RULES" in out, out


def test_the_stored_project_listing_follows_the_directories(tmp_path: Path) -> None:
    """The project listing a run stores is reused only while no directory it read, nor a ``.gitignore`` in
    one, has changed; a listing younger than the file system's timestamp resolution is not trusted."""
    import os
    import time

    from backend_lint.ground import discovery as files_mod
    from backend_lint.ground.config import Settings

    root = tmp_path / "proj"
    (root / "app" / "sub").mkdir(parents=True)
    (root / "app" / "a.py").write_text("x = 1\n")
    (root / "app" / "sub" / "b.py").write_text("y = 2\n")
    cache = str(tmp_path / "cache")
    settings = Settings(root=str(root))

    def listing() -> list[str]:
        files_mod._WALKS.clear()
        return sorted(files_mod.project_python_files(str(root), settings, True, cache))

    def age(*paths: Path) -> None:  # as if the tree had been written long before the listing
        for p in paths:
            os.utime(p, ns=(time.time_ns() - 10_000_000_000,) * 2)

    age(root, root / "app", root / "app" / "sub")
    first = listing()
    assert [os.path.basename(f) for f in first] == ["a.py", "b.py"]
    walks = []
    real = files_mod._iter_python_files
    files_mod._iter_python_files = lambda *a, **k: (walks.append(1), real(*a, **k))[1]
    try:
        assert listing() == first and not walks  # reused: nothing listed again
        (root / "app" / "sub" / "c.py").write_text("z = 3\n")  # a new file changes its directory
        assert [os.path.basename(f) for f in listing()] == ["a.py", "b.py", "c.py"] and walks
        age(root / "app" / "sub")
        (root / "app" / ".gitignore").write_text("sub/\n")  # an ignore file read by the walk
        age(root / "app", root / "app" / ".gitignore")
        walks.clear()
        assert [os.path.basename(f) for f in listing()] == ["a.py"] and walks
        walks.clear()
        assert [os.path.basename(f) for f in listing()] == ["a.py"] and not walks
        (root / "app" / "a.py").unlink()
        assert listing() == [] and walks
    finally:
        files_mod._iter_python_files = real


def test_a_stored_listing_replays_in_the_spelling_asked_for_and_follows_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing of a directory named on the command line is stored too (a warm ``check .`` does not
    walk): it replays with the spelling of the path given, and is walked again when a repository appears
    above it (its ``.gitignore`` files now apply) or when the walk could not read a directory."""
    import os
    import time

    from backend_lint.ground import discovery as files_mod
    from backend_lint.ground.config import Settings

    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "a.py").write_text("x = 1\n")
    (root / "b.py").write_text("y = 2\n")
    cache = str(tmp_path / "cache")
    settings = Settings(root=str(root))
    old = (time.time_ns() - 10_000_000_000,) * 2
    for d in (root, root / "app"):
        os.utime(d, ns=old)
    monkeypatch.chdir(root)
    walks: list[int] = []
    real = files_mod._iter_python_files
    monkeypatch.setattr(files_mod, "_iter_python_files", lambda *a, **k: (walks.append(1), real(*a, **k))[1])

    def listing(path: str) -> list[str]:
        files_mod._WALKS.clear()
        return list(files_mod.iter_python_files([path], settings, cache_dir=cache))

    assert listing(".") == [os.path.join("app", "a.py"), "b.py"] and len(walks) == 1
    assert listing(".") == [os.path.join("app", "a.py"), "b.py"] and len(walks) == 1  # stored
    assert listing(str(root)) == [str(root / "app" / "a.py"), str(root / "b.py")] and len(walks) == 1
    assert listing("./") == [os.path.join("app", "a.py"), "b.py"] and len(walks) == 1
    # a repository above the project: its .gitignore applies now
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("b.py\n")
    assert listing(".") == [os.path.join("app", "a.py")] and len(walks) == 2
    # a directory the walk cannot read: warned about, and the listing is not stored
    (root / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):  # as if permission were denied
        if os.path.basename(os.path.normpath(path)) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    for d in (tmp_path, tmp_path / ".gitignore", root, root / "locked"):
        os.utime(d, ns=old)
    monkeypatch.setattr(files_mod.os, "scandir", scandir)
    for count in (3, 4):  # (were the first listing stored, the second would replay it)
        warned: list[str] = []
        files_mod._WALKS.clear()
        list(files_mod.iter_python_files(["."], settings, warn=warned.append, cache_dir=cache))
        assert warned and len(walks) == count
    monkeypatch.setattr(files_mod.os, "scandir", real_scandir)
    assert listing(".") == [os.path.join("app", "a.py")] and len(walks) == 5
    assert listing(".") == [os.path.join("app", "a.py")] and len(walks) == 5


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_a_listing_that_met_a_symbolic_link_is_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a link leads can change, or a dangling one come to life, with no directory's mtime changing."""
    import time

    from backend_lint.ground import discovery as files_mod
    from backend_lint.ground.config import Settings

    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "a.py").write_text("x = 1\n")
    (root / "lib").symlink_to(tmp_path / "shared")  # dangling for now
    old = (time.time_ns() - 10_000_000_000,) * 2
    for d in (root, root / "app"):
        os.utime(d, ns=old)
    monkeypatch.chdir(root)
    settings = Settings(root=str(root))
    cache = str(tmp_path / "cache")

    def listing() -> list[str]:
        files_mod._WALKS.clear()
        return list(files_mod.iter_python_files(["."], settings, cache_dir=cache))

    assert listing() == [os.path.join("app", "a.py")]
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "b.py").write_text("y = 2\n")
    assert listing() == [os.path.join("app", "a.py"), os.path.join("lib", "b.py")]


def test_the_one_entry_returns_what_the_cli_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend_lint.engine.workspace import Request, run

    root = _app(tmp_path)
    expected = _json(root, "--no-cache")
    monkeypatch.chdir(root)
    result = run(Request(paths=["."], use_cache=False))
    got = sorted((os.path.abspath(d.path), d.row, d.code, d.message) for d in result.diagnostics)
    assert got == expected
    assert not result.errors and not result.warnings and result.fixed == 0
    assert not (root / ".backend_lint_cache").exists()  # use_cache=False: nothing read or written


def test_a_workspace_lints_an_unsaved_buffer_against_its_warm_index(tmp_path: Path) -> None:
    """What a language server does: the buffer's facts replace the file's, and the other files see them."""
    from backend_lint.engine.workspace import Workspace

    root = _app(tmp_path)
    workspace = Workspace(Settings(root=str(root)))
    routes, models = str(root / "app/routes.py"), str(root / "app/models.py")
    codes = lambda path, text: [d.code for d in workspace.lint_buffer(path, text).diagnostics]  # noqa: E731
    assert "BKL201" in codes(routes, ROUTES)
    unowned = MODELS_OWNED.replace('    owner_id: int = Field(foreign_key="user.id")\n', '    note: str = ""\n')
    codes(models, unowned)  # unsaved: the file on disk still has owner_id
    assert "BKL201" not in codes(routes, ROUTES)
    codes(models, MODELS_OWNED)
    assert "BKL201" in codes(routes, ROUTES)
    assert (root / "app/models.py").read_text() == MODELS_OWNED  # a buffer is never written


def test_the_stored_listing_sees_ignore_files_edited_in_place(tmp_path: Path) -> None:
    """The stored listing stats a directory's ``.gitignore`` and ``.git/info/exclude`` only where they were
    there (an entry added to a directory changes its mtime); an existing one edited in place, or an exclude
    file created inside an existing ``.git``, still makes the listing stale."""
    import os
    import time

    from backend_lint.ground import discovery as files_mod
    from backend_lint.ground.config import Settings

    root = tmp_path / "proj"
    (root / ".git" / "info").mkdir(parents=True)
    (root / "app" / "sub").mkdir(parents=True)
    (root / "app" / "a.py").write_text("x = 1\n")
    (root / "app" / "sub" / "b.py").write_text("y = 2\n")
    (root / "app" / ".gitignore").write_text("nothing/\n")
    cache = str(tmp_path / "cache")
    settings = Settings(root=str(root))
    tick = [20]

    def listing() -> list[str]:
        files_mod._WALKS.clear()
        return sorted(os.path.relpath(f, root) for f in files_mod.project_python_files(str(root), settings, True, cache))

    def age(*paths: Path) -> None:  # as if written long before the listing (each time at another moment)
        tick[0] -= 1
        for p in paths:
            os.utime(p, ns=(time.time_ns() - tick[0] * 1_000_000_000,) * 2)

    everything = [root, root / ".git", root / ".git" / "info", root / "app", root / "app" / "sub", root / "app" / ".gitignore"]
    age(*everything)
    both = [os.path.join("app", "a.py"), os.path.join("app", "sub", "b.py")]
    assert listing() == both
    walks = []
    real = files_mod._iter_python_files
    files_mod._iter_python_files = lambda *a, **k: (walks.append(1), real(*a, **k))[1]
    try:
        assert listing() == both and not walks  # stored
        (root / "app" / ".gitignore").write_text("sub/\n")  # edited in place: its directory's mtime stays
        age(root / "app" / ".gitignore")
        assert listing() == [os.path.join("app", "a.py")] and walks
        walks.clear()
        assert listing() == [os.path.join("app", "a.py")] and not walks
        (root / ".git" / "info" / "exclude").write_text("app/a.py\n")  # inside .git: the root's mtime stays
        age(root / ".git" / "info" / "exclude", root / ".git" / "info")
        assert listing() == [] and walks
    finally:
        files_mod._iter_python_files = real


def test_a_save_re_encodes_only_the_buckets_it_changed(tmp_path: Path) -> None:
    """The results file holds one section per bucket of files: a run that stores one file's entry decodes and
    writes again that file's bucket only, copies the others as they were, and never copies a damaged one."""
    from backend_lint.ground import cache as cache_mod

    cache_dir, root = str(tmp_path / "c"), str(tmp_path)
    first = ResultCache(cache_dir, root, "k")
    paths = [f"/p/m{i}.py" for i in range(300)]
    for p in paths:
        first.store(p, "d" + p, p, None, [])
    first.save()

    def sections() -> list[bytes]:
        lines = Path(first.path).read_bytes().split(b"\n")
        return lines[1 : 1 + len(json.loads(lines[0])["sections"])]

    before = sections()
    one = ResultCache(cache_dir, root, "k")
    assert one.lookup(paths[0], "d" + paths[0], paths[0], None, paths[0]) == []
    one.store(paths[1], "new", paths[1], None, [])
    one.save()
    touched = {cache_mod._bucket(paths[0]), cache_mod._bucket(paths[1])}
    assert set(one._buckets) == touched  # (decoded: the buckets of the two files it asked about)
    after = sections()
    changed = [i for i in range(len(after)) if after[i] != before[i]]
    assert changed == [1 + cache_mod._bucket(paths[1])]
    damaged = 1 + next(i for i in range(cache_mod._BUCKETS) if i not in touched and before[1 + i] != b"{}")
    data = Path(first.path).read_bytes().replace(after[damaged], after[damaged].replace(b'"d/p', b'"X/p', 1))
    Path(first.path).write_bytes(data)
    other = ResultCache(cache_dir, root, "k")
    other.store(paths[1], "newer", paths[1], None, [])
    other.save()
    entries = ResultCache(cache_dir, root, "k").entries
    assert entries[paths[1]][0] == "newer"
    assert sections()[damaged] == b"{}" and len(entries) == 300 - sum(cache_mod._bucket(p) == damaged - 1 for p in paths)


def test_a_sized_framed_file_is_read_section_by_section_and_checked(tmp_path: Path) -> None:
    """``Framed.open`` (the index's base of facts) reads the header, then only the sections asked for; a
    section that fails its checksum, a truncated or a padded file is never trusted."""
    from backend_lint.ground.cache import Framed, write_framed

    path = str(tmp_path / "base.json")
    sections = [json.dumps({"n": i, "pad": "x" * i}).encode() for i in range(50)]
    assert write_framed(path, {"key": "k"}, sections, sized=True)
    framed = Framed.open(path, "k")
    assert framed is not None and framed.section(7) == {"n": 7, "pad": "x" * 7} and framed.section(49)["n"] == 49
    assert Framed.open(path, "other") is None
    data = Path(path).read_bytes()
    Path(path).write_bytes(data.replace(b'{"n": 7,', b'{"n": 6,'))  # same size, wrong checksum
    damaged = Framed.open(path, "k")
    assert damaged is not None and damaged.section(7) is None and damaged.section(8) == {"n": 8, "pad": "x" * 8}
    for bad in (data[:-1], data + b"\n"):
        Path(path).write_bytes(bad)
        assert Framed.open(path, "k") is None


_ORCHARD = Path(__file__).resolve().parents[1] / "fixtures" / "isolation" / "BKL201" / "checked_parent_dependency" / "orchard"
# ``member_bed`` hands the bed's key together with the checked garden: a dependency handing on a row it checked
_CHECKED_BED = "crud.bed.get_in_garden(db, garden_id=garden.id, bed_id=bed_id)"
_UNTIED_BED = "crud.bed.get_in_garden(db, garden_id=None, bed_id=bed_id)"


def _orchard(tmp_path: Path) -> Path:
    return make_project(tmp_path, {f"orchard/{p.name}": p.read_text() for p in sorted(_ORCHARD.glob("*.py"))})


def _one_file(root: Path, path: str, *args: str) -> list:
    r = run_cli("check", "--output-format", "json", "--exit-zero", "--select", "BKL2", *args, path, cwd=root)
    assert r.returncode == 0, r.stderr.decode()
    return sorted((d["location"]["row"], d["code"], d["message"]) for d in json.loads(r.stdout))


def test_a_one_file_warm_run_follows_an_edit_of_a_dependency_in_another_module(tmp_path: Path) -> None:
    """Family 2's checked-parent dependencies (``queries.checked_parent_dependencies``) are stored with the index;
    a one-file run of the routes after an edit of ``deps.py`` (module A) must see the route's findings (module B)
    change, as a --no-cache run does, and come back when the edit is undone."""
    root = _orchard(tmp_path)
    assert _CHECKED_BED in (root / "orchard/deps.py").read_text()
    _json(root, "--select", "BKL2")  # warm: the index, the stored facts, every file's findings
    before = _one_file(root, "orchard/routes.py")
    assert before == _one_file(root, "orchard/routes.py", "--no-cache")
    assert {row for row, code, _ in before if code == "BKL201"} >= {19, 27}  # children of the checked bed
    deps = root / "orchard/deps.py"
    deps.write_text(deps.read_text().replace(_CHECKED_BED, _UNTIED_BED))  # the bed is no longer checked
    after = _one_file(root, "orchard/routes.py")
    assert after == _one_file(root, "orchard/routes.py", "--no-cache")
    assert not {row for row, code, _ in after if code == "BKL201"} & {19, 27}
    deps.write_text(deps.read_text().replace(_UNTIED_BED, _CHECKED_BED))
    assert _one_file(root, "orchard/routes.py") == before
