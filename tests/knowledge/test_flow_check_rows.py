"""Locals handed to a check (``rows`` of the ``flow`` summary) and ``principal_passes_through`` reading them: a
check given the caller and a row made from another parameter than the client's key decides nothing about the
key's row; one given a row made from the key, the key itself, or a constant still decides."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts, principal_passes_through

FILES = {
    "yard/__init__.py": "",
    "yard/models.py": '''
from sqlmodel import Field, SQLModel


class Site(SQLModel, table=True):
    id: int = Field(primary_key=True)


class Crate(SQLModel, table=True):
    id: int = Field(primary_key=True)
    org_id: int
''',
    "yard/crates.py": '''
from yard.models import Crate, Site


def fetch(db, model, key):
    return db.get(model, key)


def check_crew(user, site):
    if user not in site.crew:
        raise PermissionError


def check_rank(user, rank):
    if user.rank != rank:
        raise PermissionError


def other_site(db, site_id, crate_id, user):
    site = fetch(db, Site, site_id)
    check_crew(user=user, site=site)
    return fetch(db, Crate, crate_id)


def own_site(db, crate_id, user):
    crate = fetch(db, Crate, crate_id)
    site = fetch(db, Site, crate.org_id)
    check_crew(user, site)
    return crate


def ranked(db, crate_id, user):
    check_rank(user, "lead")
    return fetch(db, Crate, crate_id)


def check_site_crew(db, user, site_id):
    if user not in fetch(db, Site, site_id).crew:
        raise PermissionError


def check_crate(db, user, crate_id):
    if fetch(db, Crate, crate_id).org_id not in user.sites:
        raise PermissionError


def by_site_key(db, site_id, crate_id, user):
    check_site_crew(db, user, site_id)
    return fetch(db, Crate, crate_id)


def by_crate_key(db, crate_id, user):
    check_crate(db, user, crate_id)
    return fetch(db, Crate, crate_id)
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


def test_check_of_another_row(tmp_path: Path) -> None:
    index = _index(tmp_path)
    settings = Settings()
    fns = flow_facts(index, "yard.crates")["functions"]
    model = "yard.models.Crate"

    def passes(name: str) -> bool:
        return principal_passes_through(index, settings, "yard.crates", None, name, fns[name], "user", model, 0, "crate_id")

    call = next(c for c in fns["other_site"]["calls"] if c["target"] == "yard.crates.check_crew")
    assert call["rows"] == [["site", ["db", "site_id"]]]
    assert passes("other_site")  # membership of the path's site: nothing about the crate
    own = next(c for c in fns["own_site"]["calls"] if c["target"] == "yard.crates.check_crew")
    assert own["rows"] == [[1, ["crate_id", "db"]]]
    assert not passes("own_site")  # the crate's own site: decided
    rank = next(c for c in fns["ranked"]["calls"] if c["target"] == "yard.crates.check_rank")
    assert "rows" not in rank and "whole" not in rank  # a constant: not every argument accounted for
    assert not passes("ranked")
    assert passes("by_site_key")  # membership checked by the site's key
    assert not passes("by_crate_key")  # the check is handed the crate's key
