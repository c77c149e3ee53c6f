"""Index facts for the caller decoded in a handler's body (``authenticating_function``) and for model
methods that authorise (``authorises`` of a ``methods`` entry), families 1 and 2."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.auth import authenticating_function
from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.queries import row_method_facts
from harness import index_of_files

TOKENS = {
    "svc/__init__.py": "",
    "svc/tokens.py": """
        import jwt
        from firebase_admin import auth


        def _claims(raw):
            return jwt.decode(raw, "k", algorithms=["HS256"])


        def caller(authorization):
            return _claims(authorization)["sub"]


        def caller_via_caller(authorization):
            return caller(authorization)


        def firebase_caller(authorization):
            return auth.verify_id_token(authorization)["uid"]


        def language(authorization):
            return authorization[:2]


        def loop_a(x):
            return loop_b(x)


        def loop_b(x):
            return loop_a(x)
    """,
}


def test_authenticating_functions_by_what_they_do(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, TOKENS)
    assert "decodes a token" in (authenticating_function(project, "svc.tokens._claims") or "")
    assert "`_claims()`" in (authenticating_function(project, "svc.tokens.caller") or "")
    assert authenticating_function(project, "svc.tokens.caller_via_caller") is not None  # two calls deep
    assert "verify_id_token" in (authenticating_function(project, "svc.tokens.firebase_caller") or "")
    assert authenticating_function(project, "svc.tokens.language") is None  # reads the header, decodes nothing
    assert authenticating_function(project, "svc.tokens.loop_a") is None  # a cycle authenticates nothing
    assert authenticating_function(project, "svc.tokens.missing") is None


MODELS = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


        class Base(DeclarativeBase):
            pass


        class Member(Base):
            __tablename__ = "members"
            id: Mapped[int] = mapped_column(primary_key=True)
            team_id: Mapped[int]
            user_id: Mapped[int]


        class TeamBase(Base):
            __abstract__ = True

            def led_by(self, user) -> bool:
                return str(self.lead_id) == str(user.id)


        class Team(TeamBase):
            __tablename__ = "teams"
            id: Mapped[int] = mapped_column(primary_key=True)
            lead_id: Mapped[int]
            colour: Mapped[str]
            members: Mapped[list[Member]] = relationship()

            def has(self, user_id: int) -> bool:
                return user_id in [m.user_id for m in self.members]

            def seats(self, session, user_id):
                return session.query(Member).filter_by(team_id=self.id, user_id=user_id).count()

            def painted(self, colour: str) -> bool:
                return self.colour == colour

            def same_team(self, other_id: int) -> bool:
                return other_id == 3

            def member_for(self, user_id: int):
                for m in self.members:
                    if m.user_id == user_id:
                        return m
                return None

            def __eq__(self, other) -> bool:
                return self.id == other.id
    """,
}


def test_model_methods_that_authorise(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, MODELS)
    methods = orm_facts(project.modules["shop.models"]).get("methods", {})
    assert methods["Team.has"]["authorises"] == ["user_id"]
    assert methods["Team.seats"]["authorises"] == ["user_id"]
    assert methods["TeamBase.led_by"]["authorises"] == ["user"]
    assert "authorises" not in methods["Team.painted"]  # a column that is no id, compared with a parameter
    assert "authorises" not in methods["Team.same_team"]  # a constant
    assert "authorises" not in methods["Team.member_for"]  # returns a member row, not a verdict
    assert "authorises" not in methods.get("Team.__eq__", {})  # compares two objects
    inherited = row_method_facts(project, "shop.models.Team", "led_by")
    assert inherited is not None and inherited["authorises"] == ["user"]


def test_facts_report_decoders_and_authorising_methods(tmp_path: Path) -> None:
    from backend_lint.ground.config import Settings
    from backend_lint.knowledge.index.report import project_facts

    project = index_of_files(tmp_path, {**TOKENS, **MODELS})
    data = project_facts(project, Settings())
    decoders = {f"{r['module']}.{r['name']}" for r in data["caller_decoders"]}
    assert {"svc.tokens.caller", "svc.tokens.firebase_caller"} <= decoders
    assert "svc.tokens.language" not in decoders
    helpers = {f"{r['module']}.{r['name']}": r["why"] for r in data["authorization_helpers"]}
    assert "`user_id`" in helpers["shop.models.Team.has"]
    assert "shop.models.Team.painted" not in helpers


def test_facts_leave_test_functions_out_of_the_authorisation_helpers(tmp_path: Path) -> None:
    """A test named like a check and given a user (``test_delete_shelf_permission(client, user)``) decides
    nothing a request asks for; the same function in the application is a helper."""
    from backend_lint.ground.config import Settings
    from backend_lint.knowledge.index.report import project_facts

    body = """
        def check_shelf_permission(db, user, shelf_id):
            if user.id not in db.members(shelf_id):
                raise PermissionError("no")
    """
    test_body = """
        def test_delete_shelf_permission(client, user):
            if user.id is None:
                raise AssertionError("no user")
    """
    files = {"lib/__init__.py": "", "lib/access.py": body, "lib/tests/__init__.py": "", "lib/tests/test_access.py": test_body}
    data = project_facts(index_of_files(tmp_path, files), Settings())
    helpers = {f"{r['module']}.{r['name']}" for r in data["authorization_helpers"]}
    assert "lib.access.check_shelf_permission" in helpers
    assert not any(".tests." in h for h in helpers)
