"""Baselines survive code moving; --add-noqa touches nothing but comments."""

from __future__ import annotations

import json
from pathlib import Path

from clihelpers import EMPTY_DOWNGRADE, MISSING_DOWNGRADE, make_project, run_cli


def test_baseline_ignores_known_findings_and_survives_moves(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": EMPTY_DOWNGRADE, "n.py": MISSING_DOWNGRADE})
    r = run_cli("check", "--no-cache", "--write-baseline", "bl.json", ".", cwd=root)
    assert r.returncode == 0 and b"Wrote a baseline of 2 findings" in r.stderr
    data = json.loads((root / "bl.json").read_text())
    assert len(data["findings"]) == 2
    assert run_cli("check", "--no-cache", "--baseline", "bl.json", ".", cwd=root).returncode == 0
    # the code moves down by five lines: still known
    (root / "m.py").write_text("\n\n\n# moved\n\n" + EMPTY_DOWNGRADE)
    r = run_cli("check", "--no-cache", "--baseline", "bl.json", ".", cwd=root)
    assert r.returncode == 0, r.stdout
    # a new finding is reported
    (root / "o.py").write_text(EMPTY_DOWNGRADE.replace('"a1"', '"c3"').replace("down_revision = None", 'down_revision = "b2"'))
    r = run_cli("check", "--no-cache", "--baseline", "bl.json", ".", cwd=root)
    assert r.returncode == 1 and b"o.py:16:5: BKL402" in r.stdout and b"m.py" not in r.stdout


def test_bad_baseline_is_exit_2(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": EMPTY_DOWNGRADE})
    (root / "bl.json").write_text("{not json")
    r = run_cli("check", "--no-cache", "--baseline", "bl.json", ".", cwd=root)
    assert r.returncode == 2 and b"not valid JSON" in r.stderr and b"Traceback" not in r.stderr
    r = run_cli("check", "--no-cache", "--baseline", "missing.json", ".", cwd=root)
    assert r.returncode == 2 and b"cannot read baseline" in r.stderr


def test_add_noqa_only_adds_comments(tmp_path: Path) -> None:
    text = EMPTY_DOWNGRADE.replace("def downgrade():", "def downgrade():  # keep: E501")
    root = make_project(tmp_path, {"m.py": text.replace("\n", "\r\n"), "n.py": MISSING_DOWNGRADE})
    r = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=root)
    assert r.returncode == 0 and b"Added 2 noqa directives." in r.stderr
    m = (root / "m.py").read_bytes().decode()
    assert m == text.replace("def downgrade():  # keep: E501", "def downgrade():  # keep: E501  # noqa: BKL402").replace("\n", "\r\n")
    n = (root / "n.py").read_text()
    assert n.splitlines()[0] == 'revision = "b2"  # noqa: BKL401'
    assert n.splitlines()[1:] == MISSING_DOWNGRADE.splitlines()[1:]
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0


def test_add_noqa_extends_an_existing_directive(tmp_path: Path) -> None:
    text = EMPTY_DOWNGRADE.replace("def downgrade():", "def downgrade():  # noqa: E501")
    root = make_project(tmp_path, {"m.py": text})
    run_cli("check", "--no-cache", "--add-noqa", ".", cwd=root)
    assert "def downgrade():  # noqa: E501, BKL402\n" in (root / "m.py").read_text()
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0


def test_add_noqa_goes_after_a_multiline_string_in_a_file_without_noqa(tmp_path: Path) -> None:
    """A finding inside a multi-line f-string takes its comment after the string: inside it, the comment
    would change the string. The file has no ``noqa`` yet (its multi-line strings are still read)."""
    text = 'from datetime import datetime\n\nstamp = f"""\n{datetime.now()}\n"""\nlabel = ("a"\n         f"{datetime.now()}")\n'
    # one string closes and another opens on the finding's line: the comment goes after the second
    chained = 'from datetime import datetime\n\nprint("""\na""", datetime.now(), """\nb""")\n'
    root = make_project(tmp_path, {"m.py": text, "n.py": chained})
    r = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=root)
    assert b"Added 3 noqa directives." in r.stderr, r.stderr
    assert (root / "m.py").read_text() == text.replace('\n"""\n', '\n"""  # noqa: BKL301\n').replace(
        'f"{datetime.now()}")\n', 'f"{datetime.now()}")  # noqa: BKL301\n'
    )
    assert (root / "n.py").read_text() == chained.replace('b""")\n', 'b""")  # noqa: BKL301\n')
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0
