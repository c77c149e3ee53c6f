"""Family 6's screens (BKL601/603/604/605) let a route module through only when the rule's visitor can
report in it: a table model within reach (its name, a project function returning one, an ``Annotated``
alias of one from another module, a re-export), an untyped body and a write. Each case is linted with
skipping on and off: the findings must be identical, and the screen must have kept libcst away where
the case says so (so the equivalence is not vacuous)."""

from __future__ import annotations

import os

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

MODELS = '''
from sqlmodel import Field, SQLModel


class Hero(SQLModel, table=True):
    id: int = Field(primary_key=True)
    name: str


class HeroOut(SQLModel):
    name: str
'''

DEPS = '''
from typing import Annotated

from fastapi import Depends

from .models import Hero


def load_hero(hero_id: int) -> Hero: ...


HeroDep = Annotated[Hero, Depends(load_hero)]
'''

CRUD = '''
from typing import Optional

from .models import Hero


def find_hero(session, hero_id: int) -> Optional[Hero]:
    return session.get(Hero, hero_id)
'''

REEXPORT = '''
from .models import Hero as Champion
'''

CODES = ["BKL601", "BKL603", "BKL604", "BKL605"]

# (route module, codes expected, whether libcst must see it)
CASES = {
    "alias": ('''
from fastapi import APIRouter
from .deps import HeroDep

router = APIRouter()


@router.get("/heroes/{hero_id}")
def read(hero: HeroDep):
    return hero
''', {"BKL601"}, True),
    "project_function": ('''
from fastapi import APIRouter
from . import crud

router = APIRouter()


@router.get("/heroes/{hero_id}")
def read(hero_id: int, session=None):
    return crud.find_hero(session, hero_id)
''', {"BKL601"}, True),
    "reexport": ('''
from fastapi import APIRouter
from .reexport import Champion

router = APIRouter()


@router.post("/heroes")
def create(hero: Champion, session=None) -> None:
    session.add(hero)
''', {"BKL604"}, True),
    "string_annotation": ('''
from fastapi import APIRouter
from . import models

router = APIRouter()


@router.get("/heroes/{hero_id}", response_model="models.Hero")
def read(hero_id: int):
    return {"id": hero_id}
''', {"BKL601"}, True),
    "schema_response": ('''
from fastapi import APIRouter
from .models import Hero, HeroOut

router = APIRouter()


@router.get("/heroes/{hero_id}", response_model=HeroOut)
def read(hero_id: int, session=None):
    return session.get(Hero, hero_id)
''', set(), False),
    "table_response": ('''
from fastapi import APIRouter
from .models import Hero, HeroOut

router = APIRouter()


@router.get("/heroes/{hero_id}", response_model=list["Hero"])
def read(hero_id: int, session=None) -> HeroOut:
    return session.get(Hero, hero_id)
''', {"BKL601"}, True),
    "no_table": ('''
from typing import Any

from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
def health(verbose: bool = False) -> dict:
    return {"ok": True, **({"details": 1} if verbose else {})}
''', set(), False),
    "untyped_body_written": ('''
from typing import Any

from fastapi import APIRouter

router = APIRouter()


@router.post("/events")
def create(data: dict, session=None):
    session.add_all([data])
    session.commit()
''', {"BKL603"}, True),
    "untyped_body_not_written": ('''
from fastapi import APIRouter

router = APIRouter()


@router.post("/echo")
def echo(data: dict):
    return data
''', set(), False),
    "request_read_written": ('''
from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/events")
async def create(request: Request, session=None):
    payload = await request.json()
    session.add_all([payload])
''', {"BKL603"}, True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_route_screens(tmp_path, name: str) -> None:
    source, expected, parsed = CASES[name]
    pkg = tmp_path / "app"
    files = {"__init__.py": "", "models.py": MODELS, "deps.py": DEPS, "crud.py": CRUD, "reexport.py": REEXPORT, "routes.py": source}
    sources = {}
    for rel, text in files.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        sources[str(path)] = text
    project = ProjectIndex.from_sources(str(tmp_path), sources)
    settings = Settings(root=str(tmp_path), select=("ALL",))
    target = os.path.join(str(pkg), "routes.py")
    fast = Engine(settings, CODES, project, skip=True).lint_source(source, target)
    slow = Engine(settings, CODES, project, skip=False).lint_source(source, target)
    assert [(d.code, d.row, d.message) for d in fast.diagnostics] == [(d.code, d.row, d.message) for d in slow.diagnostics]
    assert {d.code for d in slow.diagnostics} == expected
    assert fast.parsed is parsed
