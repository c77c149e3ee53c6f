"""BKL405 (migration graph): per versions directory or per configured location set, through the CLI."""

from __future__ import annotations

from pathlib import Path

from clihelpers import make_project, run_cli

from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.index.extract import extract_module
from backend_lint.rules.migrations.migration_graph import MigrationGraph


def revision(rid: str, down, extra: str = "") -> str:
    down_code = "None" if down is None else repr(down).replace("'", '"')
    return f'''"""revision {rid}"""
revision = "{rid}"
down_revision = {down_code}
{extra}

def upgrade():
    pass


def downgrade():
    pass
'''


def graph_findings(root: Path) -> list[tuple[str, int, str]]:
    files = sorted(str(p) for p in root.rglob("*.py"))
    index = ProjectIndex.build(str(root), files)
    return sorted(
        (str(Path(d.path).relative_to(root)), d.row, d.message) for d in MigrationGraph.check_project(index, None)
    )


def test_extractor_reads_the_revision_header() -> None:
    facts = extract_module(revision("b2", ("a1", "a0"), 'branch_labels = ("shop",)'), "/p/v/b2.py", "v.b2", False)
    rev = facts["extra"]["alembic"]
    assert rev["revision"] == "b2" and rev["revision_line"] == 2
    assert rev["down_revision"] == ["a1", "a0"] and rev["down_static"]
    assert rev["branch_labels"] == ["shop"] and rev["has_downgrade"]
    assert "alembic" not in extract_module("revision = 3\n", "/p/x.py", "x", False)["extra"]
    computed = extract_module(revision("c3", None).replace("down_revision = None", "down_revision = PREVIOUS"), "/p/c.py", "c", False)
    assert computed["extra"]["alembic"]["down_static"] is False


def test_cli_reports_only_the_files_of_the_run_and_honours_noqa(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "migrations/versions/a1.py": revision("a1", None),
            "migrations/versions/b2.py": revision("b2", "a1"),
            "migrations/versions/c3.py": revision("c3", "a1"),
        },
    )
    r = run_cli("check", "--no-cache", "--select", "BKL405", "migrations/versions/b2.py", cwd=root)
    out = r.stdout.decode()
    assert r.returncode == 1
    assert "b2.py:2:1: BKL405 `migrations/versions` has 2 heads (`b2`, `c3`)" in out and "c3.py" not in out
    c3 = root / "migrations/versions/c3.py"
    c3.write_text(c3.read_text().replace('revision = "c3"', 'revision = "c3"  # noqa: BKL405'))
    r = run_cli("check", "--no-cache", "--select", "BKL405", ".", cwd=root)
    assert "c3.py" not in r.stdout.decode() and "b2.py:2:1: BKL405" in r.stdout.decode()
    r = run_cli("check", "--no-cache", "--ignore", "BKL405", ".", cwd=root)
    assert r.returncode == 0, r.stdout


def test_independent_trees_and_cross_tree_parents_make_no_claim(tmp_path: Path) -> None:
    files = {
        # the same ids in two trees are not duplicates
        "db/versions/sqlite/a1.py": revision("a1", None),
        "db/versions/sqlite/b2.py": revision("b2", "a1"),
        "db/versions/postgresql/a1.py": revision("a1", None),
        "db/versions/postgresql/b2.py": revision("b2", "a1"),
        # a branch location configured at run time: its parent lives in another tree
        "core/versions/x1.py": revision("x1", None),
        "plugin/versions/p1.py": revision("p1", None),
        "plugin/versions/p2.py": revision("p2", "x1"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert graph_findings(tmp_path) == []


def test_pyproject_tool_alembic_version_locations_make_one_graph(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "%(here)s/alembic"\nversion_locations = ["%(here)s/model_a", "%(here)s/model_b"]\n'
    )
    for name, text in {
        "model_a/a1.py": revision("a1", None),
        "model_a/a2.py": revision("a2", "a1"),
        "model_b/b1.py": revision("b1", "a2"),
        "model_b/b2.py": revision("b2", "a1"),
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = graph_findings(tmp_path)
    assert [(f, row) for f, row, _ in found] == [("model_b/b1.py", 2), ("model_b/b2.py", 2)]
    assert all("2 heads (`b1`, `b2`)" in m for _, _, m in found)


def test_package_resource_script_location(tmp_path: Path) -> None:
    (tmp_path / "myapp" / "db" / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "alembic.ini").write_text("[alembic]\nscript_location = myapp:db/migrations\nrecursive_version_locations = true\n")
    versions = tmp_path / "myapp" / "db" / "migrations" / "versions"
    (versions / "2024").mkdir()
    (versions / "2025").mkdir()
    (versions / "2024" / "a1.py").write_text(revision("a1", None))
    (versions / "2025" / "b2.py").write_text(revision("b2", "a9"))
    found = graph_findings(tmp_path)
    assert found == [("myapp/db/migrations/versions/2025/b2.py", 2, "`down_revision` names `a9`, which no revision in `myapp/db/migrations/versions` has")]


def test_duplicates_missing_parents_and_labels(tmp_path: Path) -> None:
    for name, text in {
        "v/a1.py": revision("a1", None),
        "v/b2.py": revision("b2", "a1"),
        "v/b2_again.py": revision("b2", "a1"),
        "w/a1.py": revision("a1", None),
        "w/b2.py": revision("b2", "a1", 'branch_labels = ("left",)'),
        "w/c3.py": revision("c3", "a1", 'branch_labels = ("right",)'),
        "x/a1.py": revision("a1", None),
        "x/m.py": revision("m", ("a1", "zz")),
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = graph_findings(tmp_path)
    assert found == [
        ("v/b2.py", 2, "Revision id `b2` is also used by `b2_again.py`"),
        ("v/b2_again.py", 2, "Revision id `b2` is also used by `b2.py`"),
        ("x/m.py", 2, "`down_revision` names `zz`, which no revision in `x` has"),
    ]
