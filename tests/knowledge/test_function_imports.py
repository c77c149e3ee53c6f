"""``ImportTable.add_function_imports`` reads each block's statement fields directly (run 40): it must bind what
the reading through libcst's ``node.children`` bound, in the same order (two imports of one name: the one the
stack pops last wins)."""

from __future__ import annotations

import textwrap

import libcst as cst

from backend_lint.knowledge.imports import ImportTable


def _reference(table: ImportTable, func: cst.FunctionDef) -> None:
    """The reading before run 40 (through ``node.children``, which libcst rebuilds through a visitor)."""
    pending: list[cst.CSTNode] = [func.body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            table.add_import(node)
        elif isinstance(node, cst.SimpleStatementLine):
            pending.extend(node.body)
        elif isinstance(node, (cst.IndentedBlock, cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.With, cst.For, cst.While)):
            pending.extend(
                c for c in node.children
                if isinstance(c, (cst.BaseSuite, cst.BaseStatement, cst.BaseSmallStatement, cst.If, cst.Else, cst.ExceptHandler, cst.Finally))
            )


SOURCE = textwrap.dedent(
    '''
    from app.models import Thing

    def plain():
        from app.models.a import A
        import app.models.b as b
        from app.models.a2 import A

    async def blocks(flag, items):
        if flag:
            from app.one import X
        elif items:
            from app.two import X
        else:
            from app.three import X
        try:
            from app.t import T
        except ImportError:
            from app.t_fallback import T
        else:
            from app.t_else import E
        finally:
            from app.t_finally import F
        with open("f") as fh, open("g"):
            from app.w import W
        async with ctx() as c:
            from app.aw import AW
        for item in items:
            from app.f import L
        else:
            from app.f_else import L
        async for item in agen():
            from app.af import AF
        while flag:
            import app.wh
        else:
            from app.wh_else import WE
        if flag: from app.suite import S
        match flag:
            case 1:
                from app.m import M

    def nested():
        def inner():
            from app.inner import I
        class K:
            from app.klass import C
        from .rel import R
        from app.star import *

    def deep(a):
        if a:
            if a > 1:
                try:
                    for x in a:
                        with x:
                            from app.deep import D
                except Exception:
                    pass
    '''
)


def test_function_imports_bind_as_the_children_reading_did() -> None:
    module = cst.parse_module(SOURCE)
    fast = ImportTable.from_module(module, "app.routes", False)
    slow = ImportTable.from_module(module, "app.routes", False)
    functions = [s for s in module.body if isinstance(s, cst.FunctionDef)]
    assert len(functions) == 4
    for func in functions:
        fast.add_function_imports(func)
        _reference(slow, func)
        assert list(fast.bindings.items()) == list(slow.bindings.items()), func.name.value
        assert fast.local_names == slow.local_names
        assert fast.star_modules == slow.star_modules
    # (what the reading binds, for the record: block bodies and their branches, not nested scopes)
    assert fast.bindings["A"] == "app.models.a.A"  # (the stack pops the later import first)
    assert fast.bindings["X"] == "app.one.X"
    assert fast.bindings["D"] == "app.deep.D"
    assert "I" not in fast.bindings and "C" not in fast.bindings
