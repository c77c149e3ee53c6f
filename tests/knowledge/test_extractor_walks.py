"""The index extractors read each function from the walks they share (``_common.walk_function`` /
``own_nodes``): the readings that moved onto them give what their own walks gave (a reference reading kept
here), in the same order."""

from __future__ import annotations

import ast
import textwrap
from typing import Any

import pytest

from backend_lint.knowledge.index.extract import extract_module
from backend_lint.knowledge.index.extractors import orm
from backend_lint.knowledge.index.extractors._common import begin_module, end_module


def _reference_returns(fn: ast.AST) -> tuple[dict[str, ast.AST], list[ast.expr]]:
    """The dependency-factory reading's own walk before it read ``own_nodes``: the nested functions by name
    (a later one of a name wins) and the returned values, in the order of a stack started from the body."""
    nested: dict[str, ast.AST] = {}
    returned: list[ast.expr] = []
    stack: list[ast.AST] = list(fn.body)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            nested[node.name] = node  # type: ignore[attr-defined]
            continue
        if kind is ast.ClassDef or kind is ast.Lambda:
            continue
        if kind is ast.Return and node.value is not None:  # type: ignore[attr-defined]
            returned.append(node.value)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(node))
    return nested, returned


FACTORIES = {
    "branches": """
        def require(role, strict=False):
            if strict:
                async def checker(user=Depends(current_user)) -> User:
                    return user
            else:
                def checker(token: str = Depends(scheme)) -> User:
                    return decode(token)
            if role is None:
                return None
            return checker
    """,
    "shadowed": """
        def make(kind):
            def inner(x):
                def inner(user=Depends(current_user)):
                    return user
                return inner
            try:
                return inner
            finally:
                pass
    """,
    "no_factory": """
        def plain(a, b):
            f = lambda user=Depends(current_user): user
            class Local:
                def method(self):
                    return self
            for i in range(a):
                with open(b) as fh:
                    return fh.read()
            return f
    """,
    "two_returns": """
        def pick(flag):
            def first(user=Depends(current_user)):
                return user
            def second(token=Security(scheme)):
                return token
            return second if flag else first
            return first
    """,
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_reading_matches_its_own_walk(name: str) -> None:
    text = textwrap.dedent(FACTORIES[name])
    tree = ast.parse(text)
    fn = tree.body[0]
    begin_module(text)
    try:
        nodes, inner = orm.own_nodes(fn)
        nested = {f.name: f for f in inner}
        returned = [n.value for n in nodes if n.__class__ is ast.Return and n.value is not None]
    finally:
        end_module()
    want_nested, want_returned = _reference_returns(fn)
    assert list(nested) == list(want_nested) and all(nested[k] is want_nested[k] for k in nested)
    assert len(returned) == len(want_returned) and all(a is b for a, b in zip(returned, want_returned))


def _orm(text: str) -> dict[str, Any]:
    facts = extract_module(textwrap.dedent(text), "/p/app/deps.py", "app.deps", False)
    return facts["extra"].get("orm", {})


def test_factory_facts() -> None:
    found = _orm(FACTORIES["two_returns"])
    # (the stack pops the body from its end: the last ``return`` is read first, the conditional one never)
    assert found["functions"]["pick"]["makes"]["name"] == "first"
    found = _orm(FACTORIES["shadowed"])
    assert "makes" not in found["functions"]["make"]  # (the ``inner`` it returns takes no dependency itself)


def test_repository_init_read_from_the_shared_walk() -> None:
    found = _orm("""
        from app.models import Item, Session

        class ItemRepository(BaseRepository):
            def __init__(self, db: Session, other):
                if other:
                    super().__init__(Item, db)
                self.db = db
                self.cache: dict = {}
    """)
    assert found["class_models"] == {"ItemRepository": "app.models.Item"}
    assert found["self_types"] == {"ItemRepository": {"db": "app.models.Session", "cache": "dict"}}


def test_appliers_need_items_spelled() -> None:
    loop = """
        def update(row, payload):
            for key, value in payload.model_dump(exclude_unset=True).{attr}():
                setattr(row, key, value)
    """
    assert _orm(loop.format(attr="items"))["appliers"] == {"update": {"params": ["row", "payload"], "applies": {"payload": "dump"}}}
    assert "appliers" not in _orm(loop.format(attr="values"))


KINDS_MODULE = """
    def handler(item_id, user, db):
        row = db.get(Item, item_id)
        if not row:
            raise NotFound()
        def inner(x):
            return x.owner_id == user.id
        for child in row.children:
            if inner(child):
                return child
        return [c for c in row.children if c.owner_id == user.id]
"""


def test_walk_kinds_is_the_shared_walk_by_class() -> None:
    """``walk_kinds`` holds every item of ``walk_function`` once, under its class, each class in the walk's
    order (nested functions included); built once per function while a module is extracted, built afresh
    outside one."""
    from backend_lint.knowledge.index.extractors._common import walk_function, walk_kinds

    text = textwrap.dedent(KINDS_MODULE)
    fn = ast.parse(text).body[0]
    begin_module(text)
    try:
        nodes = walk_function(fn)
        kinds = walk_kinds(fn)
        assert walk_kinds(fn) is kinds  # (shared by the extractors)
        want: dict[type, list[Any]] = {}
        for n in nodes:
            want.setdefault(n.__class__, []).append(n)
        assert set(kinds) == set(want)
        for kind, found in kinds.items():
            assert len(found) == len(want[kind]) and all(a is b for a, b in zip(found, want[kind]))
        assert len(kinds[ast.Return]) == 3 and kinds[ast.FunctionDef][0] is fn
    finally:
        end_module()
    outside = walk_kinds(fn)
    assert outside is not kinds and {k: len(v) for k, v in outside.items()} == {k: len(v) for k, v in kinds.items()}
