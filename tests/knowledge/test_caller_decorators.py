"""Index facts for decorators that hand a Flask view the caller they authenticated (``passes_caller``,
``knowledge.auth.caller_decorator``) and for the privileged values their gates admit (``admin_decorated``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.auth import admin_decorated, caller_decorator, caller_decorator_names, no_claim_reason
from backend_lint.knowledge.facts import orm_facts
from harness import index_of_files

APP = {
    "web/__init__.py": "",
    "web/tokens.py": """
        import jwt


        def subject(token):
            return jwt.decode(token, "k", algorithms=["HS256"])["sub"]
    """,
    "web/models.py": """
        from .tokens import subject


        class Person:
            @staticmethod
            def from_token(token):
                return subject(token)
    """,
    "web/guards.py": """
        from functools import wraps

        from flask import request

        from .models import Person
        from .tokens import subject


        class Guard:
            def __call__(self, scopes=None, *, rank=None):
                def wrapper(f):
                    @wraps(f)
                    def inner(*args, **kwargs):
                        who = Person.from_token(request.headers["Authorization"])
                        if rank and who.rank < rank.value:
                            return {"error": "forbidden"}, 403
                        return f(who, *args, **kwargs)

                    return inner

                return wrapper


        guard = Guard()


        def login_needed(f):
            @wraps(f)
            def inner(*args, **kwargs):
                me = subject(request.cookies["session"])
                return f(me, *args, **kwargs)

            return inner


        def passes_first(f):
            @wraps(f)
            def inner(*args, **kwargs):
                first = args[0]
                return f(first, **kwargs)

            return inner


        def unverified(f):
            @wraps(f)
            def inner(*args, **kwargs):
                me = request.headers.get("X-User")
                return f(me, *args, **kwargs)

            return inner
    """,
    "web/helpers.py": """
        def staff_lookup(user, item_id):
            return item_id


        def shared_lookup(user, item_id):
            return item_id
    """,
    "web/views.py": """
        from flask import Blueprint

        from .guards import guard, login_needed
        from .helpers import shared_lookup, staff_lookup
        from .roles import Rank

        bp = Blueprint("v", __name__)


        @bp.route("/staff/<int:item_id>")
        @guard(["items:read"], rank=Rank.ADMIN)
        def staff(caller, item_id):
            return staff_lookup(caller, item_id)


        @bp.route("/moderation/<int:item_id>")
        @guard(None, Rank.MODERATOR)
        def moderation(caller, item_id):
            return item_id


        @bp.route("/members/<int:item_id>")
        @guard(rank=Rank.MEMBER)
        def members(caller, item_id):
            return shared_lookup(caller, item_id)


        @bp.route("/mine/<int:item_id>")
        @login_needed
        def mine(caller, item_id):
            return shared_lookup(caller, item_id)
    """,
    "web/roles.py": """
        import enum


        class Rank(enum.Enum):
            MEMBER = 1
            MODERATOR = 5
            ADMIN = 9
    """,
}


def _function(project, module: str, name: str) -> dict:
    return orm_facts(project.modules[module])["functions"][name]


def test_decorators_that_hand_the_view_an_authenticated_caller(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    found = caller_decorator(project, "web.guards.guard")
    assert found is not None and found["position"] == 0 and found["factory"] is True
    assert found["gates"] == {"rank": None}  # keyword-only: compared with the caller, then rejected
    assert "`from_token()`" in found["why"] and "decodes a token" in found["why"]
    bare = caller_decorator(project, "web.guards.login_needed")
    assert bare is not None and bare["factory"] is False and not bare["gates"]
    assert caller_decorator(project, "web.guards.passes_first") is None  # ``args[0]``: nothing proves the caller
    assert caller_decorator(project, "web.guards.unverified") is None  # a header read, never verified
    assert caller_decorator_names(project) == frozenset({"guard", "login_needed"})


def test_a_privileged_value_for_a_gate_makes_the_view_admin_only(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    assert admin_decorated(project, _function(project, "web.views", "staff"))
    assert not admin_decorated(project, _function(project, "web.views", "members"))  # a member's rank admits all
    assert not admin_decorated(project, _function(project, "web.views", "mine"))
    # ``rank`` is keyword-only: a second positional value is ``Guard``'s no parameter, so it gates nothing
    assert not admin_decorated(project, _function(project, "web.views", "moderation"))
    # a helper only admin-only views reach makes no claim; one a members' view reaches does
    assert no_claim_reason(project, None, "web.helpers.staff_lookup") == "only admin-only routes reach it"
    assert no_claim_reason(project, None, "web.helpers.shared_lookup") is None
