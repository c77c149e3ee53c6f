"""The server sees a declared input change (a pin, here): the watched file's change reloads the projects
and forgets what the process remembered of the inputs (``ground/inputs.py``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.faces.server.session import Session

MODEL = (
    "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
    "class Item(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    created_at: datetime\n"
)


def test_a_pin_changed_on_disk_is_seen_by_the_open_buffers(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n\n[tool.backend-lint]\nselect = ['BKL305']\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("sqlmodel==0.0.24\n")
    path = str(tmp_path / "models.py")
    Path(path).write_text(MODEL)
    session = Session()
    session.open(path, MODEL, 1)
    assert [d.code for d in session.lint(path).diagnostics] == ["BKL305"]
    requirements.write_text("sqlmodel>=0.0.45\n")
    assert session.files_changed([(str(requirements), "changed")]) == [path]
    assert [d.code for d in session.lint(path).diagnostics] == []
    # a configuration file too forgets the pins it does not name
    requirements.write_text("sqlmodel==0.0.24\n")
    assert session.files_changed([(str(tmp_path / "pyproject.toml"), "changed")]) == [path]
    assert [d.code for d in session.lint(path).diagnostics] == ["BKL305"]
