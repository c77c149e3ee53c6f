"""Flask facts for families 1 and 2 (``knowledge.flask``): the index fact ``flask_auth`` of decorators and hooks
that authenticate, the ``flask.g`` attributes they bind, and the bases a declarative base made by a call was given
(``ProjectIndex.class_mro``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.fastapi import path_parameters
from backend_lint.knowledge.flask import authenticating_decorator, principal_g_attributes
from harness import index_of_files

APP = {
    "den/__init__.py": "",
    "den/records.py": """
        class DenRecord:
            @classmethod
            def fetch(cls, key):
                return cls.query.filter(cls.id == key).first()
    """,
    "den/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy.orm import declarative_base

        from .records import DenRecord

        db = SQLAlchemy(model_class=DenRecord)
        Base = declarative_base(cls=DenRecord)
    """,
    "den/models.py": """
        import sqlalchemy as sa

        from .extensions import Base, db

        Model = db.Model


        class Burrow(Model):
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer)


        class Tunnel(Base):
            __tablename__ = "tunnel"

            id = sa.Column(sa.Integer, primary_key=True)
    """,
    "den/guards.py": """
        from functools import wraps

        from flask import abort, g, request
        from flask_jwt_extended import get_jwt_identity, jwt_required

        from .models import Burrow


        def only(kinds=("badger",)):
            def wrap(view):
                @wraps(view)
                def inner(*args, **kwargs):
                    g.badger = Burrow.query.get(get_jwt_identity())
                    g.kind = kinds[0]
                    return view(*args, **kwargs)

                return jwt_required()(inner)

            return wrap


        with_badger = only(("badger",))


        def signed_in(view):
            @wraps(view)
            def inner(*args, **kwargs):
                if not g.visitor:
                    abort(401)
                return view(*args, **kwargs)

            return inner


        def timed(view):
            @wraps(view)
            def inner(*args, **kwargs):
                return view(*args, **kwargs)

            return inner


        def identify():
            g.visitor = Burrow.verify_session_token(request.headers.get("Authorization"))
    """,
}


def test_decorators_that_authenticate(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    functions = orm_facts(project.modules["den.guards"])["functions"]
    assert functions["only"]["flask_auth"]["factory"] is True
    assert functions["signed_in"]["flask_auth"]["wraps"] is True
    assert "flask_auth" not in functions["timed"]  # wraps the view, authenticates nothing
    assert functions["identify"]["flask_auth"]["g"] == ["visitor"]  # binds the caller it verified
    assert authenticating_decorator(project, "den.guards.only", called=True) is not None
    assert authenticating_decorator(project, "den.guards.only", called=False) is None
    assert authenticating_decorator(project, "den.guards.with_badger", called=False) is not None  # an alias of the result
    assert authenticating_decorator(project, "den.guards.signed_in", called=False) is not None
    assert authenticating_decorator(project, "den.guards.timed", called=False) is None
    assert authenticating_decorator(project, "flask_login.login_required", called=False) is not None
    # ``g.kind = kinds[0]`` binds a constant's element, not a caller
    assert principal_g_attributes(project) == frozenset({"badger", "visitor"})


def test_bases_made_by_a_call(tmp_path: Path) -> None:
    project = index_of_files(tmp_path, APP)
    assert "den.records.DenRecord" in [name for name, _ in project.class_mro("den.models.Burrow")]
    assert "den.records.DenRecord" in [name for name, _ in project.class_mro("den.models.Tunnel")]


def test_flask_rule_parameters() -> None:
    assert path_parameters("/burrows/<int:burrow_id>/<name>") == frozenset({"burrow_id", "name"})
    assert path_parameters("/burrows/{burrow_id}") == frozenset({"burrow_id"})
