"""The stored compiled methods of dataclasses (``backend_lint.dataclass_code``): libcst's and the rules'
classes come out the same with the table, without it, and from a damaged one; the table is reused, and
nothing is left shadowed in ``dataclasses``."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from backend_lint import dataclass_code
from backend_lint.dataclass_code import compiled_dataclasses, file_name

from clihelpers import run_cli

# Imports libcst (with its matchers, about 600 more dataclasses) and every rule inside the block, then prints
# a digest of every generated method of every dataclass in those packages, and the table's counts.
_PROBE = r'''
import dataclasses, hashlib, json, sys, types
from backend_lint import dataclass_code
from backend_lint.dataclass_code import compiled_dataclasses
import backend_lint.fixes  # what writing the table imports: the same modules in every run

cache = sys.argv[1] or None
with compiled_dataclasses(cache):
    import libcst, libcst.matchers, libcst.metadata
    from backend_lint.registry import all_rules
    all_rules()
assert "exec" not in vars(dataclasses)


def const(c):
    if isinstance(c, types.CodeType):
        return key(c)
    if isinstance(c, frozenset):  # ``name in {...}`` of frozen classes: its repr's order follows string hashes
        return ("frozenset", sorted(map(repr, c)))
    return repr(c)


def key(code):
    consts = tuple(const(c) for c in code.co_consts)
    return (code.co_name, getattr(code, "co_qualname", ""), code.co_filename, code.co_firstlineno, code.co_argcount,
            code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags, code.co_code.hex(), code.co_names,
            code.co_varnames, code.co_freevars, code.co_cellvars, consts)


h = hashlib.sha256()
classes = methods = 0
for name in sorted(sys.modules):
    if not name.startswith(("libcst", "backend_lint")):
        continue
    for attr, obj in sorted(vars(sys.modules[name]).items()):
        if not (isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == name):
            continue
        classes += 1
        for fname, fn in sorted(vars(obj).items()):
            code = getattr(fn, "__code__", None)
            if code is None or code.co_filename != "<string>":
                continue
            methods += 1
            ann = {k: repr(v) for k, v in getattr(fn, "__annotations__", {}).items()}
            h.update(repr((name, attr, fname, fn.__qualname__, key(code), sorted(ann.items()))).encode())
print(json.dumps({"digest": h.hexdigest(), "classes": classes, "methods": methods, **dataclass_code.counts}))
'''


def _probe(cache: Optional[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(cache) if cache else ""], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_classes_are_the_same_with_the_table_without_it_and_from_a_damaged_one(tmp_path: Path) -> None:
    plain = _probe(None)
    assert plain["classes"] > 400 and plain["methods"] > 1000
    assert plain["compiled"] == plain["reused"] == 0  # no cache directory: dataclasses compiles as usual

    cache = tmp_path / "cache"
    first = _probe(cache)
    table = cache / file_name()
    assert table.is_file()
    assert first["digest"] == plain["digest"] and first["compiled"] > 200  # (3.13 compiles one text per class)
    stored = table.read_bytes()

    again = _probe(cache)
    assert again["digest"] == plain["digest"]
    assert again["compiled"] == 0 and again["reused"] == first["compiled"] + first["reused"]
    assert table.read_bytes() == stored  # nothing missing: not rewritten

    for damage in (stored[: len(stored) // 2], stored[:-1] + bytes([stored[-1] ^ 1]), b"", b"\x00" * 64, b"garbage"):
        table.write_bytes(damage)
        hurt = _probe(cache)
        assert hurt["digest"] == plain["digest"] and hurt["compiled"] == first["compiled"], damage[:16]
        assert _probe(cache)["compiled"] == 0  # rewritten whole


def test_the_shadow_is_removed_even_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with compiled_dataclasses(str(tmp_path)):
            assert "exec" in vars(dataclasses)
            raise RuntimeError
    assert "exec" not in vars(dataclasses)
    with compiled_dataclasses(None):
        assert "exec" not in vars(dataclasses)  # --no-cache: nothing changes
    assert not any(tmp_path.iterdir())  # nothing was compiled in the blocks: nothing written


def test_the_shadow_runs_code_like_exec(tmp_path: Path) -> None:
    """Defaults are the caller's namespaces; no ``__future__`` flag of this module leaks into the code."""
    with compiled_dataclasses(str(tmp_path)):
        ns: dict = {}
        dataclasses.exec("where = __name__\ndef f(x: int) -> int: return x\n", None, ns)  # type: ignore[attr-defined]
        assert ns["where"] == __name__
        assert ns["f"].__annotations__ == {"x": int, "return": int}  # not strings: no `annotations` future
        g: dict = {}
        dataclasses.exec(compile("y = 2", "<t>", "exec"), g)  # type: ignore[attr-defined]
        assert g["y"] == 2


def test_the_table_drops_what_no_longer_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataclass_code, "_table", None)
    monkeypatch.setattr(dataclass_code, "_used", {})
    stale = {f"x{i} = {i}\n": compile(f"x{i} = {i}\n", "<string>", "exec") for i in range(50)}
    dataclass_code._write(str(tmp_path / file_name()), stale)
    with compiled_dataclasses(str(tmp_path)):

        @dataclasses.dataclass(frozen=True)
        class Point:
            x: int
            y: int = 0

    assert Point(1) == Point(1, 0) and repr(Point(2)) == "test_the_table_drops_what_no_longer_serves.<locals>.Point(x=2, y=0)"
    kept = dataclass_code._read(str(tmp_path / file_name()))
    assert kept and not set(kept) & set(stale)  # 50 unused entries outnumbered the few used: dropped


def test_a_cli_run_keeps_the_table_in_the_users_cache_never_the_projects(tmp_path: Path) -> None:
    """The table is code: a repository could ship one in its cache directory, so it lives in the user's."""
    (tmp_path / "app.py").write_text("from datetime import datetime\n\nstamp = datetime.now()\n")
    cache, user = tmp_path / "cache", tmp_path / "xdg"
    env = {"XDG_CACHE_HOME": str(user)}
    out = run_cli("check", "--cache-dir", str(cache), "app.py", cwd=tmp_path, env=env)
    assert b"BKL301" in out.stdout, out.stderr
    assert (user / "backend-lint" / file_name()).is_file()
    assert not list(cache.glob("dataclass-code-*"))
    (user / "backend-lint" / file_name()).unlink()
    out = run_cli("check", "--no-cache", "--cache-dir", str(tmp_path / "none"), "app.py", cwd=tmp_path, env=env)
    assert b"BKL301" in out.stdout and not os.path.exists(tmp_path / "none")
    assert not (user / "backend-lint" / file_name()).exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_a_table_others_may_write_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = {"x = 1\n": compile("x = 2\n", "<string>", "exec")}  # (what a planted table could hold)
    path = tmp_path / file_name()
    dataclass_code._write(str(path), table)
    assert dataclass_code._read(str(path))
    path.chmod(0o666)
    assert dataclass_code._read(str(path)) == {}
    path.chmod(0o600)
    tmp_path.chmod(0o777)
    try:
        assert dataclass_code._read(str(path)) == {}
    finally:
        tmp_path.chmod(0o700)
    assert dataclass_code.table_dir() == os.path.join(os.environ["XDG_CACHE_HOME"], "backend-lint")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert dataclass_code.table_dir() == os.path.join(os.path.expanduser("~"), ".cache", "backend-lint")
