"""Modules written for a newer Python than the one running backend-lint (``knowledge/newer_syntax.py``): the
index reads them through a respelling on the same lines, a module it still cannot read is said once on stderr
by ``check``, and a module no parser reads stays a BKL900 as before.

The respelling is tested directly (``older_tree``), so these tests hold on every Python the suite runs on; the
fixture project ``isolation/_projects/pep695_app`` has one snapshot, which a run under Python 3.11 and one under
3.12 or 3.13 must both match."""

from __future__ import annotations

import ast
import json
import sys
import textwrap
from pathlib import Path

import pytest

from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.index.extract import extract_module
from backend_lint.knowledge.newer_syntax import older_tree, respelled
from backend_lint.ground.parsing import parse_module
from clihelpers import make_project, run_cli

_T_STRING = sys.version_info < (3, 14)  # (PEP 750 t-strings: newer than any Python below 3.14, never respelled)


def _older(source: str) -> tuple[str, str, ast.Module]:
    source = textwrap.dedent(source).lstrip("\n")
    text = respelled(source, parse_module(source))
    assert text is not None
    tree, newer = older_tree(source)
    assert tree is not None and newer
    assert text.count("\n") == source.count("\n")
    return source, text, tree


def _col(source: str, line: int, word: str) -> int:
    return source.splitlines()[line - 1].index(word)


def test_type_parameters_become_spaces_on_the_same_lines_and_columns() -> None:
    source, text, tree = _older('''
        class Repository[RowT: Base, *Ts, **P](Generic, metaclass=Meta):
            def get[K: (int, str) = int](self, key: K) -> RowT | None:
                return self.rows.get(key)
    ''')
    assert text.splitlines()[0] == "class Repository" + " " * len("[RowT: Base, *Ts, **P]") + "(Generic, metaclass=Meta):"
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef) and [b.id for b in cls.bases] == ["Generic"]  # type: ignore[attr-defined]
    assert cls.bases[0].col_offset == _col(source, 1, "Generic") and cls.keywords[0].value.col_offset == _col(source, 1, "Meta")
    method = cls.body[0]
    assert isinstance(method, ast.FunctionDef) and method.lineno == 2 and [a.arg for a in method.args.args] == ["self", "key"]
    assert method.args.args[1].col_offset == _col(source, 2, "key:")
    assert isinstance(method.body[0], ast.Return) and method.body[0].lineno == 3


def test_a_type_parameter_list_over_several_lines_keeps_every_line_number() -> None:
    source, text, tree = _older('''
        async def fetch[
            RowT: Base,  # the row

            KeyT,
        ](session, key: KeyT) -> RowT:
            return await session.get(key)
    ''')
    fn = tree.body[0]
    assert isinstance(fn, ast.AsyncFunctionDef) and fn.lineno == 1 and fn.body[0].lineno == 6
    assert fn.args.args[1].lineno == 5 and fn.args.args[1].col_offset == _col(source, 5, "key")
    assert "#" not in text


def test_a_type_statement_is_an_assignment() -> None:
    source, text, tree = _older('''
        type CurrentUser = Annotated[User, Depends(get_current_user)]


        class Box:
            type Pair[T] = tuple[T, T]
    ''')
    alias = tree.body[0]
    assert isinstance(alias, ast.Assign) and alias.targets[0].id == "CurrentUser"  # type: ignore[attr-defined]
    assert alias.value.col_offset == _col(source, 1, "Annotated")  # (the value stays put; the name moves to the keyword's column)
    inner = tree.body[1].body[0]  # type: ignore[attr-defined]
    assert isinstance(inner, ast.Assign) and inner.lineno == 5 and inner.targets[0].col_offset == 4


def test_except_without_parentheses_and_fstrings_reusing_their_quote() -> None:
    source, text, tree = _older('''
        try:
            pass
        except ValueError, KeyError:
            log(f"{row["id"]}: {f"{n}"!r}")
    ''')
    assert text.splitlines()[2] == "except(ValueError, KeyError):"
    handler = tree.body[0].handlers[0]  # type: ignore[attr-defined]
    assert [e.id for e in handler.type.elts] == ["ValueError", "KeyError"] and handler.type.elts[0].col_offset == _col(source, 3, "ValueError")
    assert text.splitlines()[3] == '''    log(f"{row['id']}: {f'{n}'!r}")'''


def test_a_syntax_error_is_not_newer_syntax() -> None:
    assert older_tree("def f(:\n    pass\n") == (None, False)


@pytest.mark.skipif(not _T_STRING, reason="Python 3.14 reads t-strings itself")
def test_newer_syntax_that_cannot_be_respelled_is_said() -> None:
    assert older_tree("def f[T](x: T):\n    return t'{x}'\n") == (None, True)


_PROJECT = {
    "app/__init__.py": "",
    "app/security.py": '''
        from typing import Annotated

        from fastapi import Depends

        from .models import Account


        def first_or_none[T](rows: list[T]) -> T | None:
            return rows[0] if rows else None


        def current_account(token: str) -> Account:
            raise NotImplementedError


        type CurrentAccount = Annotated[Account, Depends(current_account)]
    ''',
    "app/repository.py": '''
        from .db import Base


        class Repository[RowT: Base]:
            def get(self, session, row_id: int) -> RowT | None:
                return session.get(self.model, row_id)
    ''',
}


def _write(root: Path, files: dict[str, str]) -> list[str]:
    out = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        out.append(str(path))
    return out


def test_the_index_keeps_the_facts_of_modules_in_newer_syntax(tmp_path: Path) -> None:
    index = ProjectIndex.build(str(tmp_path), _write(tmp_path, _PROJECT), jobs=1)
    security = index.modules["app.security"]
    assert security["parsed"] and {"first_or_none", "current_account"} <= set(security["functions"])
    assert security["assignments"]["CurrentAccount"]["value"] == "Annotated[Account, Depends(current_account)]"
    repository = index.modules["app.repository"]
    assert repository["parsed"] and "get" in repository["classes"]["Repository"]["methods"]
    assert index.newer_syntax_paths() == []


@pytest.mark.skipif(sys.version_info < (3, 12), reason="compares with the tree of a Python that reads PEP 695 itself")
def test_the_respelled_tree_gives_the_facts_of_the_native_one() -> None:
    for name, text in _PROJECT.items():
        source = textwrap.dedent(text).lstrip("\n")
        if not source:
            continue
        tree, newer = older_tree(source, name)
        assert tree is not None and newer
        native = extract_module(source, name, "app.m", False)
        assert extract_module(source, name, "app.m", False, tree=tree) == native


def _unreadable_project(tmp_path: Path) -> Path:
    files = {k: textwrap.dedent(v).lstrip("\n") for k, v in _PROJECT.items()}
    files["app/report.py"] = "def summary[T](rows: list[T]) -> str:\n    return t'{rows}'\n"
    files["app/broken.py"] = "def oops(:\n    pass\n"
    return make_project(tmp_path, files)


@pytest.mark.skipif(not _T_STRING, reason="Python 3.14 reads t-strings itself")
def test_check_says_once_on_stderr_which_modules_have_no_facts(tmp_path: Path) -> None:
    root = _unreadable_project(tmp_path)
    r = run_cli("check", "--no-cache", "--jobs", "1", "--select", "BKL3", cwd=root)
    err = r.stderr.decode()
    assert r.returncode == 0 and "Traceback" not in err, err
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert err.count("warning:") == 1, err
    assert f"1 module (app/report.py) uses syntax newer than Python {version}" in err
    assert "Run backend-lint under the project's Python" in err
    assert "broken.py" not in err  # (a syntax error is BKL900's to say)
    r = run_cli("check", "--no-cache", "--jobs", "1", "--output-format", "json", cwd=root)
    data = json.loads(r.stdout)
    assert [(Path(d["filename"]).name, d["code"]) for d in data if d["code"] == "BKL900"] == [("broken.py", "BKL900")]
    assert r.stderr.decode().count("syntax newer than Python") == 1
    for _ in range(2):  # (a cold run that stores the index, then a warm one that reads it)
        r = run_cli("check", "--cache-dir", str(tmp_path / "cache"), "--jobs", "1", "--select", "BKL3", cwd=root)
        assert r.stderr.decode().count("uses syntax newer than Python") == 1
    r = run_cli("facts", "--no-cache", "--output-format", "json", cwd=root)
    facts = json.loads(r.stdout)
    assert facts["unparsed_modules"] == ["app/broken.py", "app/report.py"]
    assert facts["newer_syntax_modules"] == ["app/report.py"]


def test_check_says_nothing_when_every_module_is_read(tmp_path: Path) -> None:
    files = {k: textwrap.dedent(v).lstrip("\n") for k, v in _PROJECT.items()}
    files["app/broken.py"] = "def oops(:\n    pass\n"
    r = run_cli("check", "--no-cache", "--jobs", "1", "--output-format", "json", cwd=make_project(tmp_path, files))
    assert "syntax newer" not in r.stderr.decode()
    assert [d["code"] for d in json.loads(r.stdout)] == ["BKL900"]
