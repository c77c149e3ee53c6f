"""A project linted with its files in another order, or one file alone, reports the same (session 26, H196).

Two handlers decode the caller's credential through project functions: ``z_notes`` four calls down to the
decoder (the caller is known: its unscoped lookup of an owned row is BKL201), ``a_legacy`` five calls down,
past the reading's reach, through a link of ``z_notes``'s chain. On main e63c48e, linting ``a_legacy`` first
(the whole project, sorted) kept that link's cut answer, and ``z_notes`` lost its finding; linted alone (a
one-file run) it had it."""

from __future__ import annotations

from pathlib import Path

from backend_lint.engine.api import Engine
from backend_lint.ground.config import discover_settings
from backend_lint.ground.discovery import iter_python_files
from backend_lint.knowledge.index import ProjectIndex
from clihelpers import DECODER_CHAIN

FILES = {
    "pyproject.toml": '[project]\nname = "probe"\n',
    "app/__init__.py": "",
    "app/models.py": '''
from sqlmodel import Field, SQLModel


class Note(SQLModel, table=True):
    id: int = Field(primary_key=True)
    owner_id: int
    body: str
''',
    "app/db.py": 'from sqlmodel import create_engine\n\nengine = create_engine("sqlite://")\n',
    "app/tokens.py": DECODER_CHAIN,
    "app/a_legacy.py": '''
from fastapi import APIRouter, Header
from sqlmodel import Session, select

from app.db import engine
from app.models import Note
from app.tokens import legacy_user_id

router = APIRouter()


@router.get("/legacy/notes/{note_id}")
def read_legacy_note(note_id: int, authorization: str = Header(None)):
    user_id = legacy_user_id(authorization)
    with Session(engine) as session:
        return session.exec(select(Note).where(Note.id == note_id)).first()
''',
    "app/z_notes.py": '''
from fastapi import APIRouter, Header
from sqlmodel import Session, select

from app.db import engine
from app.models import Note
from app.tokens import current_user_id

router = APIRouter()


@router.get("/notes/{note_id}")
def read_note(note_id: int, authorization: str = Header(None)):
    user_id = current_user_id(authorization)
    with Session(engine) as session:
        return session.exec(select(Note).where(Note.id == note_id)).first()
''',
}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def _lint(root: Path, order: list[str], prime: bool = False) -> dict[str, list]:
    settings = discover_settings(str(root))
    files = [str(f) for f in iter_python_files([str(root)], settings)]
    engine = Engine(settings, project=ProjectIndex.build(str(root), files, jobs=1))
    texts = {f: Path(f).read_text(encoding="utf-8") for f in files}
    if prime:
        engine.prime(sorted(texts.items()))
    out = {}
    for name in order:
        path = next(f for f in files if f.endswith(name))
        out[name] = [(d.code, d.row, d.message) for d in engine.lint_source(texts[path], path).diagnostics if d.code[:4] in ("BKL1", "BKL2")]  # (families 1-2)
    return out


def test_same_findings_whatever_order_the_files_are_linted_in(tmp_path: Path) -> None:
    root = _project(tmp_path)
    names = ["app/a_legacy.py", "app/tokens.py", "app/z_notes.py"]
    forward = _lint(root, names)
    assert [d[:2] for d in forward["app/z_notes.py"]] == [("BKL201", 16)]  # the caller is known: the unscoped lookup is reported
    assert _lint(root, list(reversed(names))) == forward
    assert _lint(root, names, prime=True) == forward
    # one file alone (a pre-commit run), cold
    assert _lint(root, ["app/z_notes.py"])["app/z_notes.py"] == forward["app/z_notes.py"]
