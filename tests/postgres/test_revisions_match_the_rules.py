"""The revisions the Postgres tests run are the ones the rules judge: every ``bklNNN_flagged*.py`` in
revisions/ is reported by BKLNNN, every ``bklNNN_fixed*.py`` / ``bklNNN_not_flagged*.py`` is not. So a
lock claim shown on a flagged revision is a claim about what the rule reports, and the fixed forms the
docs advise pass the rule. No Postgres needed (the linter never runs the code it reads)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

REVISIONS = Path(__file__).parent / "revisions"
NAME = re.compile(r"^bkl(\d{3})_(flagged|fixed|not_flagged)")

# BKL421 reads the project's models: the tables of harness.SCHEMA, as the application maps them
MODELS = '''
from sqlalchemy import BigInteger, Column, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Owner(Base):
    __tablename__ = "owners"
    id = Column(BigInteger, primary_key=True)
    name = Column(Text, nullable=False)


class Account(Base):
    __tablename__ = "accounts"
    id = Column(BigInteger, primary_key=True)
    email = Column(String(50), nullable=False)
    nickname = Column(String(50))
    balance = Column(Integer, nullable=False)
    owner_id = Column(BigInteger)
    legacy_code = Column(String(20))
'''

CASES = sorted(p for p in REVISIONS.glob("bkl*.py") if NAME.match(p.name))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_revision_is_reported_exactly_when_flagged(path: Path, tmp_path: Path):
    number, kind = NAME.match(path.name).groups()
    code = f"BKL{number}"
    revision = tmp_path / "migrations" / "versions" / path.name
    revision.parent.mkdir(parents=True)
    text = path.read_text(encoding="utf-8")
    revision.write_text(text, encoding="utf-8")
    models = tmp_path / "app" / "models.py"
    models.parent.mkdir()
    models.write_text(MODELS, encoding="utf-8")
    project = ProjectIndex.from_sources(str(tmp_path), {str(revision): text, str(models): MODELS})
    found = [d for d in Engine(Settings(), [code], project).lint_source(text, str(revision)).diagnostics if d.code == code]
    if kind == "flagged":
        assert found, f"{path.name}: {code} does not report the revision the Postgres tests show the hazard on"
    else:
        assert not found, f"{path.name}: {code} reports a fixed form: {[d.message for d in found]}"
