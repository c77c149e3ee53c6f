"""Index facts behind CRUD helpers that are handed the caller's id as it is, dump a body into a local before a
``setattr`` loop, or keep the principal on ``self`` only (``knowledge.auth.principal_fed_parameters``, the
``feeds`` and ``appliers`` of ``index/extractors/orm.py``, the ``kept`` of ``index/extractors/flow.py``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import principal_fed_parameters
from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts
from harness import index_of_files

FILES = {
    "app/__init__.py": "",
    "app/deps.py": """
        import jwt
        from fastapi import Depends
        from fastapi.security import OAuth2PasswordBearer

        bearer = OAuth2PasswordBearer(tokenUrl="t")

        class Account:
            id: int

        def raw_token(token: str = Depends(bearer)) -> str:
            return token

        def caller_id(access_token: str = Depends(raw_token)) -> int:
            return int(jwt.decode(access_token, "k", algorithms=["HS256"])["sub"])

        def caller_sub(access_token: str = Depends(raw_token)) -> str:
            return jwt.decode(access_token, "k", algorithms=["HS256"])["sub"]

        def caller(access_token: str = Depends(raw_token)) -> Account:
            jwt.decode(access_token, "k", algorithms=["HS256"])
            return Account()
    """,
    "app/routes.py": """
        from typing import Annotated

        from fastapi import APIRouter, Depends

        from .deps import Account, caller, caller_id, caller_sub, raw_token
        from .crud import laps, sub_laps, token_laps, account_laps, echo

        router = APIRouter()

        @router.get("/a/{ride_id}")
        def a(ride_id: int, uid: Annotated[int, Depends(caller_id)]):
            return laps(ride_id, uid)

        @router.get("/s/{ride_id}")
        def s(ride_id: int, sub: Annotated[str, Depends(caller_sub)]):
            return sub_laps(ride_id, sub)

        @router.get("/b/{ride_id}")
        def b(ride_id: int, token: Annotated[str, Depends(raw_token)]):
            return token_laps(ride_id, token)

        @router.get("/c/{ride_id}")
        def c(ride_id: int, me: Annotated[Account, Depends(caller)]):
            return account_laps(ride_id, me)

        @router.get("/d/{ride_id}")
        def d(ride_id: int, uid: Annotated[int, Depends(caller_id)], other: int):
            return echo(ride_id, uid), echo(ride_id, other)
    """,
    "app/crud.py": """
        def laps(ride_id, token_user_id):
            return ride_id, token_user_id

        def sub_laps(ride_id, owner_sub):
            return ride_id, owner_sub

        def token_laps(ride_id, token):
            return ride_id, token

        def account_laps(ride_id, who):
            return ride_id, who

        def echo(ride_id, whom):
            return ride_id, whom

        def edit(row, payload):
            data = payload.model_dump(exclude_unset=True)
            for key, value in data.items():
                setattr(row, key, value)
            row.user_id = 1
            return row

        def edit_filtered(row, payload):
            data = payload.model_dump(exclude_unset=True)
            data = {k: v for k, v in data.items() if k != "user_id"}
            for key, value in data.items():
                setattr(row, key, value)
            return row

        class Flow:
            def __init__(self, db, user, chat_id):
                self.user = user
                self.chat = db.get(Chat, chat_id)

        class Chat:
            pass
    """,
}


def _index(tmp_path: Path) -> ProjectIndex:
    return index_of_files(tmp_path, FILES)


def test_a_dependency_value_handed_on_whole_feeds_the_callee_when_it_is_the_callers_id(tmp_path: Path) -> None:
    fed = principal_fed_parameters(_index(tmp_path), Settings())
    assert fed.get("app.crud.laps") == ["token_user_id"]  # ``caller_id(...) -> int``
    assert fed.get("app.crud.sub_laps") == ["owner_sub"]  # a ``str`` the dependency decodes from the token
    assert "app.crud.token_laps" not in fed  # a credential (the raw token), not who asks
    assert "app.crud.account_laps" not in fed  # an object: typed or named parameters carry those
    assert "app.crud.echo" not in fed  # another call hands the same parameter a query value


def test_setattr_loops_over_a_local_dump_and_the_fields_written_afterwards(tmp_path: Path) -> None:
    appliers = orm_facts(_index(tmp_path).modules["app.crud"]).get("appliers", {})
    assert appliers["edit"]["applies"] == {"payload": "dump"}
    assert "user_id" in appliers["edit"]["writes"]
    assert "edit_filtered" not in appliers  # the local is bound twice (a filtered copy): no claim


def test_a_principal_only_kept_on_self(tmp_path: Path) -> None:
    summary = flow_facts(_index(tmp_path), "app.crud")["methods"]["Flow.__init__"]
    assert summary["kept"] == ["user"]
