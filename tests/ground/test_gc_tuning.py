"""The collector pause around the project index build (``ground/gc_tuning.collections_paused``), and what the
extraction leaves for the collector: no module's tree may wait in a reference cycle while it is paused."""

from __future__ import annotations

import ast
import gc

import pytest

from backend_lint.ground.gc_tuning import collections_paused
from backend_lint.knowledge.index.extract import extract_module


def test_paused_inside_restored_after_and_on_error(monkeypatch) -> None:
    monkeypatch.delenv("BACKEND_LINT_DEFAULT_GC", raising=False)
    seen = []

    @collections_paused
    def work(fail: bool) -> str:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")
        return "done"

    assert gc.isenabled()
    assert work(False) == "done"
    assert gc.isenabled()
    with pytest.raises(ValueError):
        work(True)
    assert gc.isenabled()
    assert seen == [False, False]


def test_left_disabled_when_it_was() -> None:
    @collections_paused
    def work() -> bool:
        return gc.isenabled()

    gc.disable()
    try:
        assert work() is False
        assert not gc.isenabled()
    finally:
        gc.enable()


SOURCE = '''
from sqlalchemy import event

@event.listens_for(Session, "do_orm_execute")
def scoped(state):
    state.statement = state.statement.options(with_loader_criteria(Item, Item.owner_id == 1))

class Repo:
    def get(self, session, item_id: int):
        if item_id < 0:
            raise ValueError(item_id)
        return session.get(Item, item_id)

def route(item_id: int, user=Depends(current_user)):
    return Repo().get(db, item_id)
'''


def test_extraction_leaves_no_tree_in_a_cycle() -> None:
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        facts = extract_module(SOURCE, "/p/app/items.py", "app.items", False)
        gc.collect()
        trees = [o for o in gc.garbage if isinstance(o, ast.AST)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert facts["parsed"]
    assert trees == []


# Each recursive reading of a function that the extractors define inside another (``decides``, ``decision_groups``,
# ``_recorded_only``, ``_local_provenance``, the ORM extractor's ``visit_*``): a caller's id compared with a
# row's owner, a refusal under the test, a local made from two parameters, the id written down.
DECIDING = '''
from fastapi import Depends, HTTPException

class Note(Base):
    __tablename__ = "notes"

def check_owner(note_id: int, user_id: int, db):
    note = db.get(Note, note_id)
    pair = (note_id, user_id)
    if note.owner_id != user_id:
        raise HTTPException(status_code=403)
    for item in pair:
        if item is None:
            raise HTTPException(status_code=404)
    return note

def stamp(note, user_id: int, other: int):
    audit = Audit(created_by=user_id)
    note.modified_by = user_id
    if other and user_id:
        log.info(f"{user_id}")
    return audit
'''


def test_extraction_leaves_nothing_in_a_cycle() -> None:
    extract_module(DECIDING, "/p/app/notes.py", "app.notes", False)  # (imports and first-use caches, out of the count)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        facts = extract_module(DECIDING, "/p/app/notes.py", "app.notes", False)
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert facts["parsed"]
    assert left == []


def test_a_tuned_process_freezes_what_a_paused_build_made(monkeypatch) -> None:
    from backend_lint.ground import gc_tuning

    monkeypatch.delenv("BACKEND_LINT_DEFAULT_GC", raising=False)
    made: list = []

    @collections_paused
    def build() -> None:
        made.append([{"fact": [i]} for i in range(1000)])  # (2,000 objects the collector tracks: dicts holding lists)

    thresholds = gc.get_threshold()
    try:
        monkeypatch.setattr(gc_tuning, "_tuned", False)
        before = gc.get_freeze_count()
        build()
        after = gc.get_freeze_count()
        # (not tuned: left to the collector, nothing frozen; an object frozen earlier in this process may be freed
        # meanwhile, so the count can only stay or fall)
        assert after <= before
        monkeypatch.setattr(gc_tuning, "_tuned", True)
        build()
        assert gc.get_freeze_count() >= after + 1000  # (the build made 2,000 tracked objects; earlier frozen ones may be freed)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_release_freed_memory_trims_the_c_heap_on_linux_only(monkeypatch) -> None:
    """``release_freed_memory`` (before a pool forks) asks glibc for ``malloc_trim(0)``; elsewhere, or where the
    C library has no such function, it does nothing."""
    import ctypes

    from backend_lint.ground import gc_tuning

    calls: list[int] = []

    class Libc:
        def malloc_trim(self, pad: int) -> int:
            calls.append(pad)
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    monkeypatch.setattr(gc_tuning.sys, "platform", "linux")
    gc_tuning.release_freed_memory()
    assert calls == [0]
    monkeypatch.setattr(gc_tuning.sys, "platform", "darwin")
    gc_tuning.release_freed_memory()
    assert calls == [0]
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # (musl: no ``malloc_trim``)
    monkeypatch.setattr(gc_tuning.sys, "platform", "linux")
    gc_tuning.release_freed_memory()
    assert calls == [0]
