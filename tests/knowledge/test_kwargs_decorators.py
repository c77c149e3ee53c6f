"""Index facts for decorators that check the view's keyword arguments (``checks_kwargs``: keys verified against
another key, and the factory parameters a check is handed: ``gates``), ``include_router`` dependencies
(``included``) and the roles' literal permission lists (``permission_lists``, ``wildcard_only``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.auth import kwargs_access_checks, wildcard_only
from backend_lint.knowledge.facts import orm_facts
from harness import index_of_files

APP = {
    "lab/__init__.py": "",
    "lab/checks.py": """
        from fastapi import HTTPException


        def deny(reason):
            raise HTTPException(status_code=403, detail=reason)


        def may_open(db, who, row):
            if row is None or who is None:
                raise ValueError("missing")
            return row.owner_id == who.id


        def log_open(key, who):
            print(key, who)
    """,
    "lab/guards.py": """
        from functools import wraps

        from .checks import deny, log_open, may_open


        def guard(levels):
            def decorator(view):
                def _check(kw):
                    db = kw.get("db")
                    row = db.get(object, int(kw.get("box_id")))
                    if not may_open(db, kw.get("me"), row):
                        deny("no")

                @wraps(view)
                def run(*args, **kwargs):
                    _check(kwargs)
                    return view(*args, **kwargs)

                return run

            return decorator


        def logged(view):
            @wraps(view)
            def run(*args, **kwargs):
                log_open(kwargs["box_id"], kwargs["me"])
                return view(*args, **kwargs)

            return run


        def require(permission):
            def decorator(view):
                @wraps(view)
                async def run(*args, **kwargs):
                    ok = await may_open(None, kwargs.get("me"), permission)
                    if not ok:
                        raise PermissionError(permission)
                    return await view(*args, **kwargs)

                return run

            return decorator
    """,
    "lab/roles.py": """
        ROLES = [
            {"name": "root", "permissions": ["*"]},
            {"name": "member", "permissions": ["boxes.read", "boxes.write"]},
        ]
    """,
    "lab/main.py": """
        from fastapi import Depends, FastAPI

        from . import guards

        app = FastAPI()
        app.include_router(guards.router, dependencies=[Depends(guards.require)])
    """,
}


def test_keys_checked_with_another_key(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    found = kwargs_access_checks(project, "lab.guards.guard")
    assert found["box_id"] == frozenset({"db", "me"})  # the row looked up by it goes to a deciding check
    assert kwargs_access_checks(project, "lab.guards.logged") == {}  # a logger decides nothing


def test_factory_parameters_handed_to_a_stopping_check(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    fn = orm_facts(project.modules["lab.guards"])["functions"]["require"]
    assert fn["checks_kwargs"]["gates"] == {"permission": 0}
    assert "gates" not in (orm_facts(project.modules["lab.guards"])["functions"]["guard"].get("checks_kwargs") or {})


def test_included_router_dependencies_and_permission_lists(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    included = orm_facts(project.modules["lab.main"])["included"]
    assert included[0]["router"] == "lab.guards.router" and included[0]["dependencies"][0]["dependency"] == "lab.guards.require"
    assert wildcard_only(project, "logs:read")  # no role names it: only the wildcard role holds it
    assert not wildcard_only(project, "boxes.read")
    assert not wildcard_only(project, "*")


LICENSED = {
    "shop/__init__.py": "",
    # the Apache License's header spells the word; only the second module lists a role's permissions
    "shop/header_only.py": '''
        # See the License for the specific language governing permissions and limitations
        # under the License.
        ROLES = [{"name": "clerk", "grants": ["till.open"]}]
    ''',
    "shop/roles.py": '''
        # See the License for the specific language governing permissions and limitations
        # under the License.
        def make_role(**kw):
            return kw


        CLERK = make_role(name="clerk", permissions=["till.open", "till.close"])
        OWNER = {"name": "owner", 'permissions': ["*"]}
    ''',
}


def test_permission_lists_behind_a_license_header(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, LICENSED)
    assert "permission_lists" not in orm_facts(project.modules["shop.header_only"])
    assert orm_facts(project.modules["shop.roles"])["permission_lists"] == [["till.open", "till.close"], ["*"]]
