"""Scoping columns that are no identity field, inferred from where the project compares a column with the
caller (``knowledge.scoping``, ``index/extractors/scoping.py``); configuration still decides first."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_lint.ground.config import Settings, settings_from_table
from backend_lint.knowledge import models as M
from backend_lint.knowledge.scoping import caller_values, inferred_scoping, is_caller
from harness import index_of_files

SETTINGS = Settings()

PROJECT = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Account(Base):
            __tablename__ = "account_row"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(String(200))
            squad_id: Mapped[int] = mapped_column(ForeignKey("squad.id"))
            state: Mapped[str] = mapped_column(String(20))


        class Widget(Base):
            __tablename__ = "widget"
            id: Mapped[int] = mapped_column(primary_key=True)
            maker_email: Mapped[str] = mapped_column(String(200))


        class Gadget(Base):
            __tablename__ = "gadget"
            id: Mapped[int] = mapped_column(primary_key=True)
            squad_id: Mapped[int] = mapped_column(ForeignKey("squad.id"))


        class Poll(Base):
            __tablename__ = "poll"
            id: Mapped[int] = mapped_column(primary_key=True)
            section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))


        class Ballot(Base):
            __tablename__ = "ballot"
            id: Mapped[int] = mapped_column(primary_key=True)
            section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
            voter_ref: Mapped[int] = mapped_column(ForeignKey("account_row.id"))


        class Flag(Base):
            __tablename__ = "flag"
            id: Mapped[int] = mapped_column(primary_key=True)
            state: Mapped[str] = mapped_column(String(20))
    """,
    "app/service.py": """
        from sqlalchemy import select

        from .models import Account, Ballot, Flag, Gadget, Poll, Widget


        def my_widgets(session, user_email: str):
            return session.scalars(select(Widget).where(Widget.maker_email == user_email)).all()


        def read_gadget(session, gadget_id, current_user):
            gadget = session.get(Gadget, gadget_id)
            if gadget.squad_id != current_user.squad_id:
                raise PermissionError()
            return gadget


        def flags_like_mine(session, current_user):
            return session.scalars(select(Flag).where(Flag.state == current_user.state)).all()


        def already_voted(session, user_id, section_id) -> bool:
            return session.scalars(select(Ballot).where(Ballot.voter_ref == user_id, Ballot.section_id == section_id)).first() is not None


        def vote(session, poll_id, current_user):
            poll = session.get(Poll, poll_id)
            # a lookup keyed by the caller and the row's column whose answer refuses a second vote: no access decision
            if already_voted(session, current_user.id, poll.section_id):
                raise ValueError("voted")


        def me(session, user_email: str):
            return session.scalars(select(Account).where(Account.email == user_email)).first()
    """,
}


@pytest.fixture()
def project(tmp_path: Path):
    return index_of_files(tmp_path, PROJECT)


def test_caller_spellings() -> None:
    for who in ("current_user.id", "g.user.id", "user.email", "user.household_id", "self.user.id", "user_email", "requesting_user_email", "current_user_id", "current_principal_id", "get_jwt_identity()"):
        assert is_caller(who, SETTINGS), who
    for who in ("user.status", "user.name", "owner_email", "email", "payload.user_id", "team_id", "user.profile.id", "tool.owner_email", "principal_id"):
        assert not is_caller(who, SETTINGS), who


def test_columns_compared_with_the_caller_scope_their_model(project) -> None:
    found = inferred_scoping(project, SETTINGS)
    assert set(found) == {"app.models.Widget", "app.models.Gadget", "app.models.Ballot"}
    assert set(found["app.models.Ballot"]) == {"voter_ref"}  # (the membership row: keyed by the caller's id)
    assert set(found["app.models.Widget"]) == {"maker_email"}
    assert "app.service:" in found["app.models.Widget"]["maker_email"]
    assert set(found["app.models.Gadget"]) == {"squad_id"}
    assert M.is_owned(project, SETTINGS, "app.models.Widget")
    assert M.scoping_column(project, SETTINGS, "app.models.Gadget") == "squad_id"
    # compared with a principal attribute that is no identity, or the principal's own natural key: not owned
    assert not M.is_owned(project, SETTINGS, "app.models.Flag")
    assert not M.is_owned(project, SETTINGS, "app.models.Account")
    assert not M.is_owned(project, SETTINGS, "app.models.Poll")
    assert "maker_email" in M.project_identity_fields(project, SETTINGS)
    assert caller_values(project, SETTINGS) == frozenset({"user_email"})


def test_configuration_still_decides(project) -> None:
    table = {"not-owned-models": ["Widget"], "identity-fields": ["owner_id"]}
    settings = settings_from_table(table, Path("pyproject.toml"), Path("."))
    assert not M.is_owned(project, settings, "app.models.Widget")
    assert M.is_owned(project, settings, "app.models.Gadget")  # inferred whatever the identity fields
    assert M.identity_columns(project, settings, "app.models.Gadget") == ("squad_id",)


def test_the_principal_tables_own_key_is_no_scoping_column(tmp_path: Path) -> None:
    """``Member.member_uuid`` compared with a caller-named ``member_uuid``... is the row's own key (spelled with its
    table's name): the principal's own table is not owned by it. Another table's column so compared still is."""
    files = {
        "svc/__init__.py": "",
        "svc/models.py": """
            from sqlmodel import Field, SQLModel


            class Person(SQLModel, table=True):
                id: int = Field(primary_key=True)
                person_uuid: str = ""
                handle: str = ""


            class Note(SQLModel, table=True):
                id: int = Field(primary_key=True)
                writer_uuid: str = ""


            class Fan(SQLModel, table=True):
                # ``fan_id`` names its table but references another row: who the row is about, an owner
                fan_id: int = Field(foreign_key="person.id", primary_key=True)
                idol_id: int = Field(foreign_key="person.id", primary_key=True)
        """,
        "svc/service.py": """
            from sqlmodel import select

            from .models import Fan, Note, Person


            def confirm(session, token_data, user_uuid: str):
                if token_data["user_uuid"] != user_uuid:
                    raise ValueError("bad token")
                return session.exec(select(Person).where(Person.person_uuid == user_uuid)).first()


            def profile(session, current_user):
                return session.exec(select(Person).where(Person.person_uuid == current_user.person_uuid)).first()


            def my_idols(session, user_id: int):
                return session.exec(select(Fan).where(Fan.fan_id == user_id)).all()


            def my_notes(session, current_user):
                return session.exec(select(Note).where(Note.writer_uuid == current_user.uuid)).all()
        """,
    }
    idx = index_of_files(tmp_path, files)
    found = inferred_scoping(idx, SETTINGS)
    assert "svc.models.Person" not in found
    assert not M.is_owned(idx, SETTINGS, "svc.models.Person")
    assert set(found["svc.models.Note"]) == {"writer_uuid"}
    assert set(found["svc.models.Fan"]) == {"fan_id"}


OWN_ROW = {
    "ward/__init__.py": "",
    "ward/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String, insert
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Person(Base):
            __tablename__ = "people"
            id = Column(Integer, primary_key=True)


        class Nurse(Base):
            __tablename__ = "nurses"
            id = Column(Integer, primary_key=True)
            user_id = Column(Integer, ForeignKey("people.id"))


        class Round(Base):
            __tablename__ = "rounds"
            id = Column(Integer, primary_key=True)
            nurse_id = Column(Integer, ForeignKey("nurses.id"))


        class Bed(Base):
            __tablename__ = "beds"
            id = Column(Integer, primary_key=True)
            nurse_id = Column(Integer, ForeignKey("nurses.id"))


        class Cart(Base):
            __tablename__ = "carts"
            id = Column(Integer, primary_key=True)
            nurse_id = Column(Integer, ForeignKey("nurses.id"))


        class Tray(Base):
            __tablename__ = "trays"
            id = Column(Integer, primary_key=True)
            pusher = Column(Integer)


        class Note(Base):
            __tablename__ = "notes"
            id = Column(Integer, primary_key=True)
            writer_ref = Column(Integer)
    """,
    "ward/views.py": """
        from sqlalchemy import insert, select

        from .models import Bed, Cart, Note, Nurse, Round, Tray


        def read_round(db, current_user, round_id):
            rnd = db.get(Round, round_id)
            me = db.query(Nurse).filter(Nurse.user_id == current_user.id).first()
            if str(rnd.nurse_id) != str(me.id):
                raise PermissionError()
            return rnd


        def my_rounds(db, current_user):
            nurse = db.scalar(select(Nurse).where(Nurse.user_id == current_user.id))
            return db.scalars(select(Round).where(Round.nurse_id == nurse.id)).all()


        def read_bed(db, current_user, bed_id):
            # one comparison only: not enough
            bed = db.get(Bed, bed_id)
            me = db.query(Nurse).filter(Nurse.user_id == current_user.id).first()
            if bed.nurse_id != me.id:
                raise PermissionError()
            return bed


        def read_cart(db, current_user, cart_id, nurse_id):
            cart = db.get(Cart, cart_id)
            other = db.query(Nurse).filter(Nurse.id == nurse_id).first()  # a nurse the client names
            if cart.nurse_id != other.id:
                raise LookupError()
            return cart


        def move_cart(db, current_user, cart_id, nurse_id):
            cart = db.get(Cart, cart_id)
            other = db.query(Nurse).filter(Nurse.id == nurse_id).first()
            if cart.nurse_id != other.id:
                raise LookupError()
            return cart


        def read_tray(db, current_user, tray_id):
            tray = db.get(Tray, tray_id)
            me = db.query(Nurse).filter(Nurse.user_id == current_user.id).first()
            if tray.pusher != me.id:  # references no nurse
                raise PermissionError()
            return tray


        def push_tray(db, current_user, tray_id):
            tray = db.get(Tray, tray_id)
            me = db.query(Nurse).filter(Nurse.user_id == current_user.id).first()
            if tray.pusher != me.id:
                raise PermissionError()
            return tray


        async def write_note(db, user_id, text):
            await db.execute(insert(Note).values(writer_ref=user_id, body=text))
    """,
}


def test_columns_compared_with_a_row_the_caller_owns(tmp_path: Path) -> None:
    """``Round.nurse_id`` compared with the id of the caller's own ``Nurse`` row in two functions is Round's owner
    column; one function (``Bed``), a Nurse row the client named (``Cart``) or a column that references no nurse
    (``Tray.pusher``) are not. ``insert(Note).values(writer_ref=user_id)`` writes the caller into Note."""
    idx = index_of_files(tmp_path, OWN_ROW)
    found = inferred_scoping(idx, SETTINGS)
    assert set(found.get("ward.models.Round", {})) == {"nurse_id"}
    assert "the caller's own `Nurse`" in found["ward.models.Round"]["nurse_id"]
    assert M.scoping_column(idx, SETTINGS, "ward.models.Round") == "nurse_id"
    for model in ("Bed", "Cart", "Tray"):
        assert not M.is_owned(idx, SETTINGS, f"ward.models.{model}"), model
    assert set(found.get("ward.models.Note", {})) == {"writer_ref"}
