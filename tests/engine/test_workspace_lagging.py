"""A language server's update of one file's facts after an edit inside one function
(``Workspace.update_file(lagging=True)``): the facts equal a fresh extraction but for the line numbers
of what did not change, which stay the index's objects; a later update without ``lagging`` (a save)
gives the fresh facts."""

from __future__ import annotations

import ast
from pathlib import Path

from backend_lint.engine.workspace import LAGGING, Workspace, share_facts
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index.extract import extract_module

from clihelpers import make_project

ROUTES = '''from fastapi import APIRouter, Depends
from sqlmodel import Field, Session, SQLModel

router = APIRouter()


def get_session():
    yield None


@router.patch("/jobs/{job_id}")
def update_job(job_id: int, session: Session = Depends(get_session)):
    job = session.get(Job, job_id)
    return job


class Job(SQLModel, table=True):
    id: int = Field(primary_key=True)
    user_id: int
'''


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_share_facts_keeps_the_old_objects_of_what_did_not_change() -> None:
    old = {"classes": {"A": {"line": 3, "fields": {"x": {"line": 4}}}}, "functions": {"f": {"calls": ["a"]}}}
    moved = {"classes": {"A": {"line": 5, "fields": {"x": {"line": 6}}}}, "functions": {"f": {"calls": ["a"]}}}
    assert share_facts(moved, old) is old  # the same but for line numbers
    changed = {"classes": {"A": {"line": 5, "fields": {"x": {"line": 6}}}}, "functions": {"f": {"calls": ["a", "b"]}}}
    shared = share_facts(changed, old)
    assert shared is not old and shared["classes"] is old["classes"]
    assert shared["functions"] == {"f": {"calls": ["a", "b"]}}
    assert share_facts([1, 2, 3], [1, 2]) == [1, 2, 3] and share_facts({"a": 1}, {"a": 1, "b": 2}) == {"a": 1}


def test_a_lagging_update_then_a_save(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/__init__.py": "", "app/routes.py": ROUTES})
    path = str(root / "app" / "routes.py")
    workspace = Workspace(Settings(root=str(root)))
    index = workspace.index
    entry = index.entry(path)
    before = entry.facts
    # a line added inside ``update_job`` that changes its facts (a new call): the class after it moves
    edited = ROUTES.replace("    return job\n", "    session.flush()\n    return job\n")
    fresh = extract_module(edited, path, entry.module, False)
    # (the server passes the previous tree with the function spliced in: ``statements._spliced_tree``)
    assert workspace.update_file(path, edited, lagging=True, tree=ast.parse(edited)) is True
    lagging = index.entry(path)
    assert lagging.digest.startswith(LAGGING)
    assert _strip(lagging.facts) == _strip(fresh)
    assert lagging.facts["classes"] is before["classes"]  # the class's line lags (17, not 18)
    assert lagging.facts["classes"]["Job"]["line"] == before["classes"]["Job"]["line"] != fresh["classes"]["Job"]["line"]
    # the same text again with ``lagging``: nothing changes; a save reads it in full
    assert workspace.update_file(path, edited, lagging=True) is False
    assert workspace.update_file(path, edited) is True
    assert index.entry(path).facts == fresh and not index.entry(path).digest.startswith(LAGGING)


def test_an_edited_service_file_keeps_its_name_and_findings(tmp_path: Path) -> None:
    """A service monorepo (``knowledge/index/services.py``): an update of a service's file (an editor's buffer,
    a save) names it as the index does (``services.orders.app.routes.items``, not the colliding
    ``app.routes.items``) and reads its ``app.*`` imports within its service, so that its findings stay."""
    import shutil

    root = tmp_path / "service_monorepo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "_projects" / "service_monorepo", root)
    path = str(root / "services" / "orders" / "app" / "routes" / "items.py")
    text = Path(path).read_text()
    workspace = Workspace(Settings(root=str(root)))
    index = workspace.index
    name = "services.orders.app.routes.items"
    assert index.entry(path).module == name

    def findings(source: str) -> list:
        outcome, _ = workspace.lint_open(path, source)
        return sorted((d.code, d.row) for d in outcome.diagnostics if d.code.startswith("BKL2"))

    fresh = findings(text)
    assert [c for c, _ in fresh] == ["BKL201", "BKL201"], fresh
    # a comment: the same facts (nothing changes); a new function: new facts, under the same name and imports
    assert workspace.update_file(path, text + "\n# edit\n") is False
    assert index.entry(path).module == name
    edited = text + "\n\ndef helper():\n    return Item\n"
    assert workspace.update_file(path, edited) is True
    assert index.entry(path).module == name and name in index.modules
    assert "app.routes.items" not in index.modules
    assert findings(edited) == fresh
    # a lagging update (the server's edit inside one function) names it the same way
    assert workspace.update_file(path, edited + "\n\ndef other():\n    return 1\n", lagging=True) is True
    assert index.entry(path).module == name
