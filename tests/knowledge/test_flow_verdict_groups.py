"""``checks`` in the ``flow`` facts (``verdict_groups``: the parameters each decision of a function reads;
``decision_groups``: which of them are access decisions) and ``queries.callee_decides`` reading them: a project
helper handed the caller and a key is a check when one of its decisions reads both (or it hands both on to one
that does) and either its name says it checks or the decision refuses access (401 / 403 / 404, an exception
named for access or based on one, a predicate's answer); validation, quotas and choices on both are business
logic. A helper that only records, or decides on the key alone, is none."""

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


class QuotaExceeded(Exception):
    pass


class ShelfRefused(PermissionError):
    pass


def default_shelf(person, shelf_id):
    # the request names a shelf the person cannot pick as a default: an invalid request, not a refusal
    if shelf_id not in person.shelf_ids:
        raise ValueError("pick one of your shelves")


def quota(person, shelf_id):
    if COUNTS[(person.id, shelf_id)] > 10:
        raise QuotaExceeded


def hidden(person, shelf_id):
    if shelf_id not in person.shelf_ids:
        raise HTTPException(status_code=404)


def based(person, shelf_id):
    if shelf_id not in person.shelf_ids:
        raise ShelfRefused(shelf_id)


def chosen(person, shelf):
    if shelf.keeper_id == person.id:
        return shelf.default_view
    return person.default_view


def saved(person, shelf_id):
    # a writer that says whether it wrote: no predicate on the person and the shelf
    result = db.execute(insert(Loan).values(person_id=person.id, shelf_id=shelf_id))
    return result.rowcount > 0


def hands_quota(person, shelf_id):
    quota(person, shelf_id)


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
    # what each decision is: a refusal of the caller, a predicate's answer, an exception its bases decide
    assert checks["require_pair"]["access"] == [["person_id", "shelf_id"]]  # ``PermissionError``
    assert checks["refused"]["access"] == checks["denied"]["access"] == [["person", "shelf_id"]]
    assert checks["hidden"]["access"] == [["person", "shelf_id"]]  # a 404 hides the shelf
    assert checks["Keeper.allows"]["verdicts"] == checks["grade"]["verdicts"] == [["person", "shelf"]]
    assert checks["answers"]["verdicts"] == [["person", "shelf"]]
    assert checks["based"]["refuses"] == [["desk.rules.ShelfRefused", ["person", "shelf_id"]]]
    assert checks["quota"]["refuses"] == [["desk.rules.QuotaExceeded", ["person", "shelf_id"]]]
    for name in ("default_shelf", "chosen", "guarded_none", "saved"):  # business: a ``ValueError``, a choice, a write
        assert checks[name]["groups"] and set(checks[name]) == {"params", "groups"}, name
    for name in ("shelf_open", "log_only", "plan", "swallowed", "mailed", "hands_on", "hands_log", "Keeper._inner"):
        assert name not in checks, name


def test_callee_decides(tmp_path: Path) -> None:
    index = _index(tmp_path)

    def decides(target: str, first: object, second: object, cls: str | None = None, verdicts: bool = True) -> bool:
        callee = project_callee(index, cls, target)
        assert callee is not None, target
        return callee_decides(index, callee, first, second, verdicts=verdicts)

    assert decides("desk.rules.require_pair", 0, 1)
    assert decides("desk.rules.require_pair", "person_id", "shelf_id")
    assert not decides("desk.rules.shelf_open", 0, 1)  # the shelf alone
    assert not decides("desk.rules.log_only", 0, 1)
    assert not decides("desk.rules.plan", 0, 1)
    # not named like a check: an access decision in its body decides (a refusal of the caller, a predicate)
    assert decides("desk.rules.hands_on", 0, 1)  # handed on to ``require_pair``, which raises ``PermissionError``
    assert not decides("desk.rules.hands_log", 0, 1)
    assert decides("desk.rules.Keeper.allows", 0, 1)  # (a method: ``self`` is not an argument)
    assert not decides("desk.rules.Keeper.allows", 0, 1, verdicts=False)  # (the caller answers 402 on it)
    assert decides("self._inner", 0, 1, cls="desk.rules.Keeper")  # returns ``allows``' answer
    assert decides("desk.rules.hidden", 0, 1)
    assert decides("desk.rules.based", 0, 1)  # ``ShelfRefused(PermissionError)``
    assert decides("desk.rules.looked_up", 1, 2)
    # ... but validation, quotas and choices on both are its own business
    for name in ("default_shelf", "quota", "hands_quota", "chosen", "saved"):
        assert not decides(f"desk.rules.{name}", 0, 1), name
    assert decides("desk.rules.guarded_none", 0, 1)  # (named like a check, ``guard``: any decision on both, as before)
    assert project_callee(index, None, "print") is None  # not the project's: its name decides
