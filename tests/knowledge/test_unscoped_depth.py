"""``helper_unscoped`` stops reading three calls down; its memo is per depth, so a helper first read deep inside
another's chain does not hand its shortened answer to a later reader (found in session 23: a screen that read
helpers early changed the analyser's later findings on one hold-out app)."""

from __future__ import annotations

from pathlib import Path

from harness import index_of_files

from backend_lint.ground.config import Settings
from backend_lint.knowledge.queries import flow_facts, helper_unscoped

FILES = {
    "svc/__init__.py": "",
    "svc/models.py": '''
from sqlmodel import Field, SQLModel


class Note(SQLModel, table=True):
    id: int = Field(primary_key=True)
    owner_id: int
''',
    "svc/chain.py": '''
from sqlmodel import select

from svc.models import Note


def load(session, note_id):
    return session.exec(select(Note).where(Note.id == note_id)).first()


def step3(session, note_id):
    return load(session, note_id)


def step2(session, note_id):
    return step3(session, note_id)


def step1(session, note_id):
    return step2(session, note_id)
''',
}


def test_answer_does_not_depend_on_who_asked_first(tmp_path: Path) -> None:
    settings = Settings()
    fresh = index_of_files(tmp_path / "a", FILES)
    fns = flow_facts(fresh, "svc.chain")["functions"]
    alone = helper_unscoped(fresh, settings, "svc.chain", None, "step3", fns["step3"])
    assert alone["note_id"][0] == "svc.models.Note"  # step3 -> load: an unscoped lookup by the key

    index = index_of_files(tmp_path / "b", FILES)
    fns = flow_facts(index, "svc.chain")["functions"]
    # read deep first (as the last link of a chain three calls down), then as a helper of its own
    helper_unscoped(index, settings, "svc.chain", None, "step3", fns["step3"], 3)
    assert helper_unscoped(index, settings, "svc.chain", None, "step3", fns["step3"]) == alone
