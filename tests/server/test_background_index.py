"""A project's first index is built on a thread (``Session.post`` set, as the server sets it): the open
file is linted alone meanwhile, then linted again with the index once it is in. No timing: the test waits
for the thread's hand-over itself (a queue), as the server's loop does."""

from __future__ import annotations

import queue
from pathlib import Path

from backend_lint.faces.server.session import Session

SCHEMAS = """from pydantic import BaseModel


class ItemUpdate(BaseModel):
    title: str | None = None
"""

SERVICES = """from .schemas import ItemUpdate


def update_item(item, item_in: ItemUpdate):
    item.title = item_in.title
    return item
"""


def test_the_first_lint_does_not_wait_for_the_index(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "schemas.py").write_text(SCHEMAS)
    path = str(tmp_path / "app" / "services.py")
    Path(path).write_text(SERVICES)

    # what a full lint with the index finds (BKL503 needs ``ItemUpdate``'s fields, from the other file)
    indexed = Session()
    indexed.open(path, SERVICES, 1)
    want = sorted((d.code, d.row) for d in indexed.lint(path).diagnostics)
    assert ("BKL503", 5) in want

    handed: queue.Queue = queue.Queue()
    ready: list[list[str]] = []
    session = Session()
    session.post = handed.put  # the thread hands its work over; the test runs it, as the loop would
    session.on_ready = ready.append
    session.open(path, SERVICES, 1)
    alone = session.lint(path)  # at once, without the project index
    assert alone.workspace is not None and alone.workspace.index is None
    assert ("BKL503", 5) not in [(d.code, d.row) for d in alone.diagnostics]
    work = handed.get(timeout=120)  # the index is built
    work()
    assert ready == [[path]]  # the open file is to be linted again
    again = session.lint(path)
    assert again.workspace is not None and again.workspace.index is not None
    assert sorted((d.code, d.row) for d in again.diagnostics) == want


def test_a_configuration_reload_drops_a_build_under_way(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    path = str(tmp_path / "app.py")
    Path(path).write_text("x = 1\n")
    handed: queue.Queue = queue.Queue()
    ready: list[list[str]] = []
    session = Session()
    session.post = handed.put
    session.on_ready = ready.append
    session.open(path, "x = 1\n", 1)
    session.lint(path)
    session.config_changed()  # before the thread is done
    handed.get(timeout=120)()
    assert ready == []  # that build's workspace is not installed
