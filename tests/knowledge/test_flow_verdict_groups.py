"""``checks`` in the ``flow`` facts (``verdict_groups``: the parameters each decision of a function reads) and
``queries.callee_decides`` reading them: a project helper handed the caller and a key is a check when one of
its decisions reads both (or it hands both on to one that does), whatever its name; a helper that only
records, or decides on the key alone, is none."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import callee_decides, flow_facts, project_callee

FILES = {
    "desk/__init__.py": "",
    "desk/rules.py": '''
import enum


class Grade(enum.Enum):
    NONE = 0
    FULL = 1


def require_pair(person_id, shelf_id):
    if person_id not in SHELVES.get(shelf_id, ()):
        raise PermissionError


def shelf_open(person_id, shelf_id):
    return shelf_id > 0


def log_only(person_id, shelf_id):
    print(person_id, shelf_id)


def grade(person, shelf):
    return Grade.FULL if shelf.keeper_id == person.id else Grade.NONE


def answers(person, shelf):
    return {"read": shelf.keeper_id == person.id, "by": person.id}


def plan(person, shelf_id):
    return {"export": shelf_id in PREMIUM, "by": person.id}


def looked_up(db, person, shelf_id):
    row = db.get(Membership, (person.id, shelf_id))
    if row is None:
        raise PermissionError
    return row


def guarded_none(person, shelf):
    if shelf.keeper_id != person.id:
        return None
    return shelf


def swallowed(person, shelf_id):
    try:
        lookup(person, shelf_id)
    except KeyError:
        raise PermissionError


def mailed(person, shelf_id):
    sent = mail(person.email, shelf_id)
    if not sent:
        raise HTTPException(status_code=500)


def refused(person, shelf_id):
    seat = lookup(person, shelf_id)
    if seat is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN)


def denied(person, shelf_id):
    seat = lookup(person, shelf_id)
    if seat is None:
        raise_forbidden("no seat")


def allow_listed(shelf, person):
    if shelf.public:
        return
    if shelf.keeper_id == person.id:
        return
    raise PermissionError


def hands_on(person, shelf_id):
    require_pair(person.id, shelf_id)


def hands_log(person, shelf_id):
    log_only(person.id, shelf_id)


class Keeper:
    def __init__(self, rules):
        self.rules = rules

    def allows(self, person, shelf):
        return shelf.keeper_id == person.id

    def _inner(self, person, shelf):
        return self.allows(person, shelf)
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


def test_verdict_groups(tmp_path: Path) -> None:
    checks = flow_facts(_index(tmp_path), "desk.rules")["checks"]
    assert checks["require_pair"]["groups"] == [["person_id", "shelf_id"]]
    assert checks["grade"]["groups"] == [["person", "shelf"]]  # an enum chosen by a comparison
    assert checks["answers"]["groups"] == [["person", "shelf"]]  # the dict's answer, not the id beside it
    assert checks["looked_up"]["groups"] == [["db", "person", "shelf_id"]]  # a local made from both
    assert checks["guarded_none"]["groups"] == [["person", "shelf"]]
    assert checks["refused"]["groups"] == [["person", "shelf_id"]]  # a 403
    assert checks["denied"]["groups"] == [["person", "shelf_id"]]  # a helper that raises
    assert checks["allow_listed"]["groups"] == [["person", "shelf"]]  # early returns, then a refusal
    assert checks["Keeper.allows"]["params"] == ["self", "person", "shelf"]
    for name in ("shelf_open", "log_only", "plan", "swallowed", "mailed", "hands_on", "hands_log", "Keeper._inner"):
        assert name not in checks, name


def test_callee_decides(tmp_path: Path) -> None:
    index = _index(tmp_path)

    def decides(target: str, first: object, second: object, cls: str | None = None) -> bool:
        callee = project_callee(index, cls, target)
        assert callee is not None, target
        return callee_decides(index, callee, first, second)

    assert decides("desk.rules.require_pair", 0, 1)
    assert decides("desk.rules.require_pair", "person_id", "shelf_id")
    assert not decides("desk.rules.shelf_open", 0, 1)  # the shelf alone
    assert not decides("desk.rules.log_only", 0, 1)
    assert not decides("desk.rules.plan", 0, 1)
    # not named like a check: its body decides its own business (validation, quotas, defaults), not who asks
    assert not decides("desk.rules.hands_on", 0, 1)
    assert not decides("desk.rules.hands_log", 0, 1)
    assert not decides("desk.rules.Keeper.allows", 0, 1)  # (a method: ``self`` is not an argument; ``allows`` is not named like a check)
    assert not decides("self._inner", 0, 1, cls="desk.rules.Keeper")  # (the same: ``_inner`` is not named like a check)
    assert project_callee(index, None, "print") is None  # not the project's: its name decides
