"""Fixes never lose a byte outside their edits: encoding, BOM, line endings, mode, concurrent changes."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from backend_lint.ground.io import SourceReadError, WriteError, read_source, write_source
from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli

NOQA_LINE = "x = 'é'  # noqa: BKL401\n"


def _with_unused_noqa(text: str) -> str:
    return text + NOQA_LINE


def test_fix_keeps_crlf_bom_and_mode(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})
    path = root / "m.py"
    text = _with_unused_noqa(EMPTY_DOWNGRADE).replace("\n", "\r\n")
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    os.chmod(path, 0o640)
    r = run_cli("check", "--no-cache", "--fix", "m.py", cwd=root)
    assert r.returncode == 1  # BKL402 has no fix and remains
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data == codecs.BOM_UTF8 + (EMPTY_DOWNGRADE + "x = 'é'\n").replace("\n", "\r\n").encode("utf-8")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_fix_keeps_a_declared_encoding(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})
    path = root / "m.py"
    text = "# -*- coding: latin-1 -*-\n" + _with_unused_noqa(EMPTY_DOWNGRADE)
    path.write_bytes(text.encode("latin-1"))
    run_cli("check", "--no-cache", "--fix", "m.py", cwd=root)
    assert path.read_bytes() == ("# -*- coding: latin-1 -*-\n" + EMPTY_DOWNGRADE + "x = 'é'\n").encode("latin-1")


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": _with_unused_noqa(EMPTY_DOWNGRADE)})
    before = (root / "m.py").read_bytes()
    r = run_cli("check", "--no-cache", "--diff", "m.py", cwd=root)
    assert r.returncode == 1
    out = r.stdout.decode()
    assert "-x = 'é'  # noqa: BKL401" in out and "+x = 'é'" in out
    assert (root / "m.py").read_bytes() == before
    clean = make_project(tmp_path / "c", {"m.py": "x = 1\n"})
    assert run_cli("check", "--no-cache", "--diff", "m.py", cwd=clean).returncode == 0


def test_read_only_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": _with_unused_noqa(EMPTY_DOWNGRADE)})
    os.chmod(root / "m.py", 0o444)
    r = run_cli("check", "--no-cache", "--fix", "m.py", cwd=root)
    assert b"m.py: fixes not written: file is read-only" in r.stderr and b"Traceback" not in r.stderr
    assert (root / "m.py").read_text() == _with_unused_noqa(EMPTY_DOWNGRADE)


def test_write_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    src = read_source(str(path))
    path.write_text("x = 2\n")
    with pytest.raises(WriteError, match="changed on disk"):
        write_source(src, "x = 3\n")
    assert path.read_text() == "x = 2\n"


def test_write_refuses_unwritable_files(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    src = read_source(str(path))
    os.chmod(path, 0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_source(src, "x = 3\n")


def test_undecodable_and_nul_files(tmp_path: Path) -> None:
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "bad.py").write_bytes(b"x = '\xff\xfe'\n")
    with pytest.raises(SourceReadError):
        read_source(str(tmp_path / "nul.py"))
    with pytest.raises(SourceReadError):
        read_source(str(tmp_path / "bad.py"))
    r = run_cli("check", "--no-cache", str(tmp_path))
    out = r.stdout.decode()
    assert "nul.py:1:1: BKL900" in out and "bad.py:1:1: BKL900" in out
    assert b"Traceback" not in r.stderr


def test_fix_writes_through_a_symlink(tmp_path: Path) -> None:
    # the link sorts before its target: a walk meets the link first
    root = make_project(tmp_path, {"real.py": _with_unused_noqa(EMPTY_DOWNGRADE)})
    os.symlink("real.py", root / "a_link.py")
    fixed = (EMPTY_DOWNGRADE + "x = 'é'\n").encode("utf-8")
    for args in (["a_link.py"], ["."], ["a_link.py", "real.py"]):
        (root / "real.py").write_text(_with_unused_noqa(EMPTY_DOWNGRADE), encoding="utf-8")
        os.chmod(root / "real.py", 0o640)
        r = run_cli("check", "--no-cache", "--fix", *args, cwd=root)
        assert r.returncode == 1, r.stderr  # BKL402 has no fix and remains
        assert os.path.islink(root / "a_link.py"), args
        assert (root / "real.py").read_bytes() == fixed, args
        assert stat.S_IMODE(os.stat(root / "real.py").st_mode) == 0o640
        assert "(1 fixed, 1 remaining)." in r.stdout.decode(), (args, r.stdout)
        assert b"warning" not in r.stderr, r.stderr


def test_fix_keeps_a_hard_linked_file_s_inode(tmp_path: Path) -> None:
    # 16 more files: with -j 2 the files are linted by a pool of workers, the two names at the same time
    others = {f"c{i:02}.py": "x = 1\n" for i in range(16)}
    root = make_project(tmp_path, {"a.py": _with_unused_noqa(EMPTY_DOWNGRADE), **others})
    os.link(root / "a.py", root / "b.py")
    os.link(root / "a.py", tmp_path / "outside.py")
    os.chmod(root / "a.py", 0o640)
    inode = os.stat(root / "a.py").st_ino
    fixed = (EMPTY_DOWNGRADE + "x = 'é'\n").encode("utf-8")
    for jobs in ("1", "2"):
        for name in ("a.py", "b.py"):
            (root / name).write_text(_with_unused_noqa(EMPTY_DOWNGRADE), encoding="utf-8")
        r = run_cli("check", "--no-cache", "--fix", "-j", jobs, ".", cwd=root)
        assert r.returncode == 1, r.stderr
        assert b"warning" not in r.stderr, r.stderr  # fixed once, not refused as changed meanwhile
        for p in (root / "a.py", root / "b.py", tmp_path / "outside.py"):
            assert os.stat(p).st_ino == inode and p.read_bytes() == fixed
        assert stat.S_IMODE(os.stat(root / "a.py").st_mode) == 0o640
        assert os.stat(root / "a.py").st_nlink == 3
        assert "1 fixed" in r.stdout.decode(), r.stdout


def test_in_place_write_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    os.link(path, tmp_path / "other.py")
    src = read_source(str(path))
    path.write_text("x = 2\n")
    with pytest.raises(WriteError):
        write_source(src, "x = 3\n")
    assert path.read_text() == "x = 2\n"
    src = read_source(str(path))
    write_source(src, "y = 22222\n")
    write_source(read_source(str(path)), "z\n")
    assert (tmp_path / "other.py").read_text() == "z\n"
