"""Ids read off a parameter and handed on (``attr_args`` of the ``flow`` summary: a body model's key, the
caller's id) and aggregates over a model (``select(func.max(Row.position))``), as ``helper_unscoped`` and
``principal_passes_through`` read them."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts, helper_unscoped, principal_passes_through

FILES = {
    "svc/__init__.py": "",
    "svc/models.py": '''
from sqlmodel import Field, SQLModel


class Note(SQLModel, table=True):
    id: int = Field(primary_key=True)
    folder_id: int
    owner_id: int
    rank: int = 0
''',
    "svc/notes.py": '''
from sqlmodel import delete, func, select

from svc.models import Note


def wipe(session, folder_id, author_id):
    session.exec(delete(Note).where(Note.folder_id == folder_id))
    session.add(Note(folder_id=folder_id, owner_id=author_id))


def last_rank(session, folder_id):
    return session.exec(select(func.max(Note.rank)).where(Note.folder_id == folder_id)).first()


def ensure_folder_owner(session, folder_id, user_id):
    raise NotImplementedError


def reset(session, user, body):
    wipe(session, body.folder_id, user.id)


def reset_checked(session, user, body):
    ensure_folder_owner(session, body.folder_id, user.id)
    wipe(session, body.folder_id, user.id)


def replace_requirements(session, folder_id, author_id):
    wipe(session, folder_id, author_id)


def reset_all(session, user, body):
    replace_requirements(session, body.folder_id, user.id)
''',
}


def _index(tmp_path: Path) -> ProjectIndex:
    paths = []
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    return ProjectIndex.build(str(tmp_path), paths, jobs=1)


def test_attr_args_and_aggregates(tmp_path: Path) -> None:
    index = _index(tmp_path)
    settings = Settings()
    fns = flow_facts(index, "svc.notes")["functions"]
    call = next(c for c in fns["reset"]["calls"] if c["target"] == "svc.notes.wipe")
    assert call["attr_args"] == [[1, "body"], [2, "user"]]
    assert "user" in fns["reset"]["idle"]  # ``user.id`` only handed on
    assert fns["last_rank"]["fetches"][0]["model"] == "svc.models.Note"  # ``func.max(Note.rank)``
    reached = helper_unscoped(index, settings, "svc.notes", None, "reset", fns["reset"])
    assert reached["body"][0] == "svc.models.Note"
    model = reached["body"][0]
    assert principal_passes_through(index, settings, "svc.notes", None, "reset", fns["reset"], "user", model, 0, "body")
    # the caller's id handed to a check beside the key decides
    assert not principal_passes_through(index, settings, "svc.notes", None, "reset_checked", fns["reset_checked"], "user", model, 0, "body")
    # ``requirement`` is a noun, not a ``require_*`` check
    assert principal_passes_through(
        index, settings, "svc.notes", None, "reset_all", fns["reset_all"], "user", model, 0, "body"
    )
