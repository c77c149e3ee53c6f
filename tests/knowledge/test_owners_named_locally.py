"""Owner columns learned where a route imports the model inside its body (``knowledge.scoping._local_model``)
and the caller's id handed by keyword to a static method called on its class (``knowledge.auth.
principal_fed_parameters`` through ``_class_method``): hold-out 27's pronaflow (bench/families12/README.md,
"Session 24, H172")."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import principal_fed_parameters
from backend_lint.knowledge.scoping import inferred_scoping
from harness import index_of_files

FILES = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Member(Base):
            __tablename__ = "members"
            id = Column(Integer, primary_key=True)


        class Parcel(Base):
            __tablename__ = "parcels"
            id = Column(Integer, primary_key=True)
            consignee_id = Column(Integer, ForeignKey("members.id"))


        class Voucher(Base):
            __tablename__ = "vouchers"
            id = Column(Integer, primary_key=True)
            holder_ref = Column(Integer, ForeignKey("members.id"))
    """,
    "shop/old/__init__.py": "",
    "shop/old/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer

        from ..models import Base


        class Voucher(Base):
            __tablename__ = "old_vouchers"
            id = Column(Integer, primary_key=True)
            holder_ref = Column(Integer, ForeignKey("members.id"))
    """,
    "shop/deps.py": """
        def get_db():
            raise NotImplementedError


        def get_current_user():
            raise NotImplementedError
    """,
    "shop/service.py": """
        class ParcelDesk:
            @staticmethod
            def release(db, parcel_id: int, receiver_ref: int):
                return None

            @staticmethod
            def hand_over(db, parcel_id: int, receiver_ref: int):
                return None
    """,
    "shop/routes.py": """
        from fastapi import APIRouter, Depends

        from .deps import get_current_user, get_db
        from .service import ParcelDesk

        router = APIRouter()


        @router.get("/parcels")
        def parcels(db=Depends(get_db), current_user=Depends(get_current_user)):
            from .models import Parcel

            return db.query(Parcel).filter(Parcel.consignee_id == current_user.id).all()


        @router.get("/vouchers")
        def vouchers(db=Depends(get_db), current_user=Depends(get_current_user)):
            from .models import Voucher

            return db.query(Voucher).filter(Voucher.holder_ref == current_user.id).all()


        @router.post("/parcels/{parcel_id}/release")
        def release(parcel_id: int, db=Depends(get_db), current_user=Depends(get_current_user)):
            return ParcelDesk.release(db=db, parcel_id=parcel_id, receiver_ref=current_user.id)


        @router.post("/parcels/{parcel_id}/hand-over")
        def hand_over(parcel_id: int, db=Depends(get_db), current_user=Depends(get_current_user)):
            return ParcelDesk.hand_over(db, parcel_id, current_user.id)
    """,
}


def test_a_model_imported_in_the_function_is_the_one_table_of_that_name(tmp_path: Path) -> None:
    found = inferred_scoping(index_of_files(tmp_path, FILES), Settings())
    assert "consignee_id" in found.get("shop.models.Parcel", {})
    # two table models are named `Voucher`: the bare name stands for neither
    assert "shop.models.Voucher" not in found and "shop.old.models.Voucher" not in found


def test_the_callers_id_handed_by_keyword_to_a_method_called_on_its_class(tmp_path: Path) -> None:
    fed = principal_fed_parameters(index_of_files(tmp_path, FILES), Settings())
    assert fed.get("shop.service.ParcelDesk.release") == ["receiver_ref"]
    # passed by position to a static method: the index knows its first parameter is `db` (no `self` / `cls`), so
    # the caller's id binds to `receiver_ref` as it does by keyword
    assert fed.get("shop.service.ParcelDesk.hand_over") == ["receiver_ref"]
