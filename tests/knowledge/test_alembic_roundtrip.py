"""Proof against the real thing: generated downgrades run on Alembic and restore the schema.

Each case copies migration fixtures (``tests/fixtures/migrations/_roundtrip``, our own files) into a
temporary Alembic script directory with an ``env.py`` written here, runs ``alembic upgrade`` through the
Python API on a temporary SQLite database and snapshots the schema after every revision. Then every
downgrade is removed (the function deleted, BKL401, or its body made ``pass``, BKL402), the engine's
``fix_source(..., unsafe=True)`` writes it again, and ``alembic downgrade`` must bring the schema back to
each earlier snapshot, step by step. Nothing here needs a server; the linted files are never imported by
the linter (Alembic imports them to run them, as it would in the project).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")
alembic_command = pytest.importorskip("alembic.command")
from alembic.config import Config  # noqa: E402
import libcst as cst  # noqa: E402

from backend_lint.ground.config import Settings  # noqa: E402
from backend_lint.engine.api import Engine  # noqa: E402
from backend_lint.engine.fixes import parses  # noqa: E402

ROUNDTRIP = Path(__file__).parent.parent / "fixtures" / "migrations" / "_roundtrip"

ENV_PY = '''
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''

CHAIN_ORDER = ["r01", "r02", "r03", "r04", "r05a", "r05b", "r06", "r07"]


# --- helpers ---------------------------------------------------------------------------------------------

def snapshot(url: str) -> dict:
    """The schema as the inspector sees it (order of columns and of constraints does not matter)."""
    engine = sa.create_engine(url)
    try:
        insp = sa.inspect(engine)
        out = {}
        for table in sorted(insp.get_table_names()):
            if table == "alembic_version":
                continue
            columns = sorted(
                (c["name"], str(c["type"]), bool(c["nullable"]), str(c.get("default"))) for c in insp.get_columns(table)
            )
            pk = insp.get_pk_constraint(table)
            out[table] = {
                "columns": columns,
                "pk": tuple(pk.get("constrained_columns") or ()),
                "fks": sorted(
                    (fk.get("name"), tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                    for fk in insp.get_foreign_keys(table)
                ),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
                "uniques": sorted((u.get("name"), tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
                "checks": sorted((c.get("name"), c["sqltext"]) for c in insp.get_check_constraints(table)),
            }
        return out
    finally:
        engine.dispose()


def make_env(tmp: Path, files: list[Path], crlf: bool = False) -> tuple[Config, str, Path]:
    script = tmp / "migrations"
    versions = script / "versions"
    versions.mkdir(parents=True)
    (script / "env.py").write_text(ENV_PY)
    for f in files:
        text = f.read_text(encoding="utf-8")
        if crlf:
            text = text.replace("\n", "\r\n")
        (versions / f.name).write_bytes(text.encode("utf-8"))
    url = f"sqlite:///{tmp / 'db.sqlite'}"
    cfg = Config(stdout=io.StringIO())
    cfg.set_main_option("script_location", str(script))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg, url, versions


def strip_downgrade(text: str, mode: str) -> str:
    """``missing``: delete ``def downgrade``; ``empty``: make its body ``pass``."""
    module = cst.parse_module(text)
    body = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "downgrade":
            if mode == "missing":
                continue
            stmt = stmt.with_changes(body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])]))
        body.append(stmt)
    return module.with_changes(body=body).code


def regenerate(path: Path, mode: str) -> str:
    """Remove the downgrade, then let the fix write it; returns the new text (also written)."""
    raw = path.read_bytes().decode("utf-8")
    stripped = strip_downgrade(raw, mode)
    engine = Engine(Settings(), ["BKL401", "BKL402", "BKL404"])
    fixed, result, applied = engine.fix_source(stripped, str(path), unsafe=True)
    assert parses(fixed), fixed
    assert "def downgrade" in fixed
    left = [d for d in result.diagnostics if d.code in ("BKL401", "BKL402", "BKL404")]
    assert not left, [(d.code, d.message) for d in left]
    if mode == "missing" or "pass" not in stripped.split("def upgrade", 1)[1].split("def downgrade", 1)[0]:
        assert applied >= 1 or "down_revision = (" in raw, f"no fix applied to {path.name}"
    path.write_bytes(fixed.encode("utf-8"))
    return fixed


# --- the chain -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["missing", "empty"])
def test_chain_downgrades_written_by_the_fix_restore_every_schema(tmp_path: Path, mode: str) -> None:
    cfg, url, versions = make_env(tmp_path, sorted((ROUNDTRIP / "chain").glob("*.py")))
    snapshots = {"base": snapshot(url)}
    for rev in CHAIN_ORDER:
        alembic_command.upgrade(cfg, rev)
        snapshots[rev] = snapshot(url)
    # every revision but the merge changes the schema, so each comparison below has something to prove
    for before, after in zip(["base"] + CHAIN_ORDER, CHAIN_ORDER):
        assert (snapshots[before] == snapshots[after]) == (after == "r06"), after

    for path in sorted(versions.glob("*.py")):
        regenerate(path, mode)

    # one revision at a time, back to the start (the merge first splits into its two heads)
    alembic_command.downgrade(cfg, "r06")
    assert snapshot(url) == snapshots["r06"], "r07"
    alembic_command.downgrade(cfg, "r05a")  # unmerge: heads r05a, r05b
    assert snapshot(url) == snapshots["r06"], "r06 (merge)"
    alembic_command.downgrade(cfg, "r04")  # both branch revisions undone
    assert snapshot(url) == snapshots["r04"], "r05a, r05b"
    for rev, previous in (("r04", "r03"), ("r03", "r02"), ("r02", "r01")):
        alembic_command.downgrade(cfg, previous)
        assert snapshot(url) == snapshots[previous], rev
    alembic_command.downgrade(cfg, "base")
    assert snapshot(url) == snapshots["base"], "r01"

    # and the regenerated history upgrades again to the same schema
    alembic_command.upgrade(cfg, "heads")
    assert snapshot(url) == snapshots["r07"]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROUNDTRIP / "single").glob("*.py")))
@pytest.mark.parametrize("mode", ["missing", "empty"])
def test_single_revision_downgrade_written_by_the_fix_restores_the_schema(tmp_path: Path, name: str, mode: str) -> None:
    cfg, url, versions = make_env(tmp_path, [ROUNDTRIP / "single" / name], crlf="crlf" in name)
    before = snapshot(url)
    alembic_command.upgrade(cfg, "head")
    after = snapshot(url)
    assert after != before
    fixed = regenerate(versions / name, mode)
    if "crlf" in name:
        assert "\r\n" in fixed and "\n" not in fixed.replace("\r\n", "")
    alembic_command.downgrade(cfg, "base")
    assert snapshot(url) == before


def test_generated_downgrade_keeps_the_file_style(tmp_path: Path) -> None:
    cfg, url, versions = make_env(tmp_path, [ROUNDTRIP / "single" / "aliases.py"])
    fixed = regenerate(versions / "aliases.py", "missing")
    downgrade = fixed.split("def downgrade", 1)[1]
    assert "migration.drop_table('team')" in downgrade
    assert "migration.drop_index('ix_team_slug', table_name='team')" in downgrade
    assert "with migration.batch_alter_table('team') as team_ops:" in downgrade
    assert "team_ops.drop_constraint('ck_team_slug_not_empty', type_='check')" in downgrade
    # inverse operations in reverse order
    assert downgrade.index("team_ops.drop_column('archived')") < downgrade.index("migration.drop_index") < downgrade.index("drop_table")


def test_no_fix_when_an_upgrade_operation_is_not_invertible(tmp_path: Path) -> None:
    text = (ROUNDTRIP / "chain" / "r05a_weight.py").read_text()
    text = text.replace(
        'op.add_column("product", sa.Column("weight", sa.Numeric(10, 2), server_default="0", nullable=False))',
        'op.drop_column("product", "sku")',
    )
    engine = Engine(Settings(), ["BKL401", "BKL402"])
    stripped = strip_downgrade(text, "missing")
    fixed, result, applied = engine.fix_source(stripped, "r05a.py", unsafe=True)
    assert applied == 0 and fixed == stripped
    [d] = result.diagnostics
    assert d.code == "BKL401" and "no fix" in d.message and "drop_column" in d.message
