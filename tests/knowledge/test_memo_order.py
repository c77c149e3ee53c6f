"""Facts the analysis memoises answer the same whichever question comes first (session 26, H196).

A memo that keeps an answer computed under a depth cut or a cycle guard, or keyed on less than the answer
depends on, hands later readers what the first reader happened to get: findings then depend on the order
files and functions are read in, and a one-file warm run (which asks in another order) can disagree with a
cold run. Each test asks the same questions in two orders on fresh indexes and wants the same answers; on main
e63c48e the two orders answered differently.
"""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import authenticating_function, authenticating_method
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts, helper_unscoped
from backend_lint.knowledge.queries.summaries import with_handed_modules
from clihelpers import DECODER_CHAIN

# ``clihelpers.DECODER_CHAIN`` (a decoder four calls down, a second chain cut three calls down), and two cycles
TOKENS = DECODER_CHAIN + '''

def ping(token):
    return pong(token)


def pong(token):
    if token:
        return ping(token[1:])
    return unwrap(token)


class Gate:
    def check(self, token):
        return self.inner(token)

    def inner(self, token):
        return self.check(token[1:]) if token.startswith(" ") else self.verify(token)

    def verify(self, token):
        return decode_subject(token)
'''


def _index(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    paths = []
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    return ProjectIndex.build(str(tmp_path), paths, jobs=1)


def _auth_answers(tmp_path: Path, order: list[str]) -> dict[str, object]:
    index = _index(tmp_path, {"svc/__init__.py": "", "svc/tokens.py": TOKENS})
    return {q: authenticating_function(index, f"svc.tokens.{q}") for q in order}


def test_authenticating_function_does_not_keep_an_answer_cut_by_depth(tmp_path: Path) -> None:
    # asked first, ``current_user_id`` reads the decoder four calls down
    alone = _auth_answers(tmp_path, ["current_user_id"])
    assert alone["current_user_id"] is not None
    # asked after ``legacy_user_id`` (which reads ``strip_scheme`` three calls down and stops there): on main the
    # cut ``None`` of ``strip_scheme`` / ``unwrap`` was kept, and ``current_user_id`` authenticated nothing
    after = _auth_answers(tmp_path, ["legacy_user_id", "current_user_id"])
    assert after["current_user_id"] == alone["current_user_id"]
    assert after["legacy_user_id"] is None  # (five calls down: past the reading's reach, whoever asks first)
    assert _auth_answers(tmp_path, ["current_user_id", "legacy_user_id"]) == {
        "current_user_id": alone["current_user_id"], "legacy_user_id": None,
    }


def test_authenticating_function_does_not_keep_a_cycle_marks_answer(tmp_path: Path) -> None:
    # ``ping`` -> ``pong`` -> ``ping`` ...; ``pong`` also calls ``unwrap``, which decodes. On main, asking ``pong``
    # first marked it ``None`` while it was read: ``ping`` (read inside it) kept "authenticates nothing"
    first = _auth_answers(tmp_path, ["ping", "pong"])
    second = _auth_answers(tmp_path, ["pong", "ping"])
    assert first["ping"] is not None and first["pong"] is not None
    assert second == first


def test_authenticating_method_answers_alike_in_either_order(tmp_path: Path) -> None:
    # ``Gate.check`` -> ``self.inner`` -> ``self.check`` (a cycle) or ``self.verify``, which decodes: on main,
    # asking ``inner`` first marked ``check`` ``None`` inside it and kept that
    def answers(order: list[str]) -> dict[str, object]:
        index = _index(tmp_path, {"svc/__init__.py": "", "svc/tokens.py": TOKENS})
        return {m: authenticating_method(index, "svc.tokens.Gate", m) for m in order}

    first = answers(["check", "inner"])
    assert first["check"] is not None and first["inner"] is not None
    assert answers(["inner", "check"]) == first


# a helper whose lookup runs on the module its caller hands in (``db.Note.get(note_id)``, ``with_handed_modules``)
HANDED = {
    "svc/__init__.py": "",
    "svc/models.py": '''
from sqlmodel import Field, SQLModel


class Note(SQLModel, table=True):
    id: int = Field(primary_key=True)
    owner_id: int
''',
    "svc/store.py": "from svc.models import Note\n",
    "svc/helpers.py": '''
def get_note(db, note_id):
    return db.Note.get(note_id)
''',
}


def test_helper_unscoped_keys_the_modules_a_call_hands_in(tmp_path: Path) -> None:
    settings = Settings()

    def answers(order: list[bool]) -> dict[bool, dict]:
        index = _index(tmp_path, HANDED)
        summary = flow_facts(index, "svc.helpers")["functions"]["get_note"]
        out = {}
        for handed in order:
            read = with_handed_modules(summary, 0, {"db": "svc.store"}) if handed else summary
            out[handed] = helper_unscoped(index, settings, "svc.helpers", None, "get_note", read)
        return out

    first = answers([True, False])
    assert first[True] and first[True]["note_id"][0].endswith("Note")  # handed the module: a lookup by the key
    assert first[False] == {}  # handed a session: no lookup the index can see
    assert answers([False, True]) == first  # on main, the first call's answer was every later call's


# response classes read three nested steps from a route: ``C`` is four steps inside ``X``'s response (its
# ``D`` past the cut there) and the response of a route of its own (``D`` one step down)
SCHEMAS = '''
from pydantic import BaseModel


class D(BaseModel):
    secret: str


class C(BaseModel):
    d: D


class B(BaseModel):
    c: C


class A(BaseModel):
    b: B


class X(BaseModel):
    a: A
'''


def _route(path: str, model: str) -> str:
    return f'''
from fastapi import APIRouter

from svc.schemas import {model}

router = APIRouter()


@router.get("{path}", response_model={model})
def read():
    return None
'''


def test_response_models_do_not_depend_on_which_route_is_read_first(tmp_path: Path) -> None:
    from backend_lint.knowledge.validation import response_models

    answers = []
    for deep_first, (first, second) in ((True, ("a_routes", "b_routes")), (False, ("b_routes", "a_routes"))):
        root = tmp_path / str(deep_first)
        files = {"svc/__init__.py": "", "svc/schemas.py": SCHEMAS}
        files[f"svc/{first}.py"] = _route("/x", "X") if deep_first else _route("/c", "C")
        files[f"svc/{second}.py"] = _route("/c", "C") if deep_first else _route("/x", "X")
        found = response_models(_index(root, files))
        answers.append(sorted(q.rsplit(".", 1)[-1] for q in found))
    # on main, read ``X``'s route first, ``C`` was kept from four steps down and ``D`` was never read
    assert answers[0] == answers[1] == ["A", "B", "C", "D", "X"]
