"""A warm workspace (an editor's) forgets what it read of the declared inputs when one of them changed,
whichever directory the next buffer is in (``Workspace._forget_changed_inputs``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.engine.workspace import Workspace
from backend_lint.ground.config import Settings

from clihelpers import make_project

MODEL = (
    "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
    "class Item(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    created_at: datetime\n"
)


def test_the_first_buffer_of_another_directory_sees_a_root_pin_changed_since(tmp_path: Path) -> None:
    """The root's pin changes after a buffer of ``app/`` was linted: the first buffer of ``jobs/`` (a
    directory no buffer came from yet) is linted with the new pin, not the one remembered for ``app/``."""
    root = make_project(tmp_path, {"app/__init__.py": "", "app/models.py": MODEL, "jobs/__init__.py": "", "jobs/models.py": MODEL})
    (root / "requirements.txt").write_text("sqlmodel==0.0.24\n")
    workspace = Workspace(Settings(root=str(root)), codes=["BKL305"])
    assert [d.code for d in workspace.lint_buffer(str(root / "app" / "models.py"), MODEL).diagnostics] == ["BKL305"]
    (root / "requirements.txt").write_text("sqlmodel>=0.0.45\n")
    assert [d.code for d in workspace.lint_buffer(str(root / "jobs" / "models.py"), MODEL).diagnostics] == []
    # and the first directory sees it too, then the pin put back from a third directory's point of view
    assert [d.code for d in workspace.lint_buffer(str(root / "app" / "models.py"), MODEL).diagnostics] == []
    (root / "requirements.txt").write_text("sqlmodel==0.0.24\n")
    assert [d.code for d in workspace.lint_buffer(str(root / "jobs" / "models.py"), MODEL).diagnostics] == ["BKL305"]


def test_an_input_of_a_deeper_directory_changed_is_seen_from_a_sibling_buffer(tmp_path: Path) -> None:
    """A pin in ``app/`` (above ``app/api/``) changes while the buffers come from ``app/api/`` and then
    ``app/``: each directory's own inputs are stamped, so the change is seen from either."""
    root = make_project(tmp_path, {"app/__init__.py": "", "app/models.py": MODEL, "app/api/__init__.py": "", "app/api/models.py": MODEL})
    (root / "app" / "requirements.txt").write_text("sqlmodel==0.0.24\n")
    workspace = Workspace(Settings(root=str(root)), codes=["BKL305"])
    assert [d.code for d in workspace.lint_buffer(str(root / "app" / "api" / "models.py"), MODEL).diagnostics] == ["BKL305"]
    (root / "app" / "requirements.txt").write_text("sqlmodel>=0.0.45\n")
    assert [d.code for d in workspace.lint_buffer(str(root / "app" / "models.py"), MODEL).diagnostics] == []
