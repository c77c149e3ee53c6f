"""The index's facts patched for an edit inside one function (``faces/server/function_facts.py``) are a fresh
extraction's (but for the lagging line numbers of the statements after the function), in the same order.

A differential test: random edits inside the top-level functions of the fixture files of the families whose
extractors summarise functions, each patched from the function's facts in context (before and after) and
compared with the whole file extracted again; and the benchmark's edit (a call added in a route) is patched,
not extracted.
"""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

from backend_lint.engine.parsing import ParseFailure, parse_module
from backend_lint.faces.server.function_facts import patch_facts
from backend_lint.faces.server.statements import _mentioned, in_context, layout_of
from backend_lint.knowledge.index.extract import extract_module

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FAMILIES = ("identity", "isolation", "timezone", "partial_updates", "validation")
SNIPPETS = (
    "session.flush()",
    "row = session.get(Item, item_id)",
    "rows = session.exec(select(Item).where(Item.owner_id == user.id)).all()",
    "return row",
    "if user is None:\n    raise HTTPException(status_code=403)",
    "helper(session, item_id)",
    "data = item_in.model_dump(exclude_unset=True)",
    "background_tasks.add_task(send, item)",
    "pass",
)


def _no_lines(value):
    if isinstance(value, dict):
        return {k: _no_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_no_lines(v) for v in value]
    return value


def _facts(text: str, tree=None) -> dict:
    return extract_module(text, "/p/app/routes.py", "app.routes", False, tree=tree)


def _check(old: str, new: str, i: int) -> int:
    """Patch statement ``i``'s edit into ``old``'s facts; compare with ``new``'s. 0: not patched (the caller
    extracts the file), 1: the function's facts the same, 2: patched."""
    if old not in _OLD:  # (each fixture's layout and facts made once for its edits)
        _OLD.clear()
        _OLD[old] = (layout_of(old, parse_module(old)), _facts(old))
    layout, full = _OLD[old]
    if layout is None:
        return 0
    end = layout.offsets[i + 1] if i + 1 < len(layout.offsets) else len(old)
    delta = len(new) - len(old)
    old_part, new_part = old[layout.offsets[i]:end], new[layout.offsets[i]:end + delta]
    names = _mentioned(old_part, new_part)  # (as the server does: the other functions and classes they name)
    a, b = in_context(layout, i, old_part, names), in_context(layout, i, new_part, names)
    if a is None or b is None:
        return 0
    # (with the new file's text, as the server extracts both: the extractors' gates read the module's words)
    before, after = _facts(new, a), _facts(new, b)
    kept = json.dumps(_no_lines(full))
    name = _NAME[0] = layout.module.body[i].name.value
    patched = patch_facts(full, before, after, name, layout.rows[i])
    if patched is None:
        return 0
    fresh = _facts(new)
    # the same facts, keys in the same order (line numbers aside)
    assert json.dumps(_no_lines(patched)) == json.dumps(_no_lines(fresh)), (old_part, new_part)
    # the function's entries that changed have the file's line numbers
    for entry in _entries(patched, name):
        if entry is not _entry_at(full, entry):
            assert json.dumps(entry) in {json.dumps(e) for e in _entries(fresh, name)}
    assert json.dumps(_no_lines(full)) == kept  # (``full`` left as it was)
    return 1 if patched is full else 2


def _entries(value, name) -> list:
    """The parts of the facts under a key ``name``."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == name:
                out.append(v)
            else:
                out.extend(_entries(v, name))
    return out


def _entry_at(full, entry):
    """``entry`` itself when ``full`` holds that very object (kept, not patched)."""
    return entry if any(e is entry for e in _entries(full, _NAME[0])) else None


_NAME = [""]
_OLD: dict = {}


def _edits(text: str, rnd: random.Random, count: int):
    """(new text, statement index) for random one-line edits inside top-level functions' bodies."""
    try:
        module = parse_module(text)
    except ParseFailure:
        return
    layout = layout_of(text, module)
    if layout is None:
        return
    import libcst as cst

    functions = [i for i, s in enumerate(module.body) if isinstance(s, cst.FunctionDef) and isinstance(s.body, cst.IndentedBlock)]
    lines = text.split("\n")
    for _ in range(count if functions else 0):
        i = rnd.choice(functions)
        end_row = layout.rows[i + 1] - 1 if i + 1 < len(layout.rows) else len(lines)
        body = [r for r in range(layout.rows[i], end_row) if lines[r - 1].startswith("    ") and lines[r - 1].strip()]
        if not body:
            continue
        at = rnd.choice(body)  # 1-based row of a body line: insert after it, or remove it
        indent = "    "
        new_lines = list(lines)
        if rnd.random() < 0.75:
            snippet = rnd.choice(SNIPPETS).replace("\n", "\n" + indent)
            new_lines.insert(at, indent + snippet)
        else:
            del new_lines[at - 1]
        yield "\n".join(new_lines), i


def test_patched_facts_equal_a_fresh_extraction() -> None:
    rnd = random.Random(20)
    outcomes = [0, 0, 0]
    for family in FAMILIES:
        for path in sorted((FIXTURES / family).glob("BKL*/*.py")):
            if path.name.endswith(".fixed.py"):
                continue
            text = path.read_text()
            for new, i in _edits(text, rnd, 5):
                try:
                    ast.parse(new)
                except SyntaxError:
                    continue
                outcomes[_check(text, new, i)] += 1
    assert outcomes[2] >= 10 and sum(outcomes) >= 40, outcomes


ROUTES = '''from fastapi import APIRouter, Depends
from sqlmodel import Session

router = APIRouter()


def get_session():
    yield None


@router.patch("/items/{item_id}")
def update_item(item_id: int, session: Session = Depends(get_session)):
    item = session.get(Item, item_id)
    session.add(item)
    session.commit()
    return item


@router.get("/items")
def list_items(session: Session = Depends(get_session)):
    return session.exec(select(Item)).all()
'''


def test_a_call_added_in_a_route_is_patched() -> None:
    new = ROUTES.replace("    session.commit()\n", "    session.flush()\n    session.commit()\n")
    i = 4  # ``update_item``
    assert _check(ROUTES, new, i) == 2
    assert _check(new, ROUTES, i) == 2  # and removed again
