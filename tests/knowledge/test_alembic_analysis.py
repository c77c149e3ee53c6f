"""Family 4 details not covered by the inline fixtures: do-nothing and raising bodies, why no fix is
offered, what makes no BKL404 claim, and what the fix writes for each operation."""

from __future__ import annotations

import textwrap

import pytest

from backend_lint.ground.config import Settings
from backend_lint.engine.api import Engine
from backend_lint.engine.fixes import parses

HEADER = 'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "b2"\ndown_revision = "a1"\n\n\n'


def lint(upgrade: str, downgrade: str | None, codes=("BKL401", "BKL402", "BKL403", "BKL404")):
    text = HEADER + "def upgrade():\n" + textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ") + "\n"
    if downgrade is not None:
        text += "\n\ndef downgrade():\n" + textwrap.indent(textwrap.dedent(downgrade).strip("\n"), "    ") + "\n"
    engine = Engine(Settings(), list(codes))
    return text, engine, engine.lint_source(text, "versions/b2.py").diagnostics


def codes(diags) -> list[str]:
    return [d.code for d in diags]


ADD = 'op.add_column("t", sa.Column("c", sa.Integer()))'


@pytest.mark.parametrize(
    "body",
    [
        "pass",
        "...",
        '"""Nothing."""',
        "return",
        'print("downgrade is done")',
        'logger.warning("irreversible")',
        "if op.get_context().dialect.name == 'sqlite':\n    pass\nelse:\n    return",
        'with op.batch_alter_table("t") as batch_op:\n    pass',
        "try:\n    pass\nexcept Exception:\n    pass",
    ],
)
def test_every_do_nothing_body_is_empty(body: str) -> None:
    _, _, diags = lint(ADD, body)
    assert codes(diags) == ["BKL402"]


@pytest.mark.parametrize(
    "body",
    [
        "restore_defaults()",  # a helper
        'op.execute("ALTER TABLE t DROP COLUMN c")',
        'log_downgrade("t")',
        "if has_column('t', 'c'):\n    op.drop_column('t', 'c')",
    ],
)
def test_real_downgrades_are_not_empty(body: str) -> None:
    _, _, diags = lint(ADD, body)
    assert "BKL402" not in codes(diags)


@pytest.mark.parametrize(
    "body",
    [
        'raise NotImplementedError("no")',
        '"""Doc."""\nraise NotImplementedError',
        'op.drop_column("t", "c")\nraise RuntimeError("stop here")',
    ],
)
def test_unconditional_raise_is_irreversible_and_nothing_else(body: str) -> None:
    _, _, diags = lint(ADD + '\nop.create_table("x", sa.Column("id", sa.Integer()))', body)
    assert codes(diags) == ["BKL403"]


@pytest.mark.parametrize(
    "body",
    [
        'if op.get_bind().dialect.name == "mssql":\n    raise NotImplementedError\nop.drop_column("t", "c")',
        'for row in rows:\n    raise ValueError(row)\nop.drop_column("t", "c")',
        'try:\n    op.drop_column("t", "c")\nexcept Exception:\n    raise',
    ],
)
def test_conditional_raise_is_not_irreversible(body: str) -> None:
    _, _, diags = lint(ADD, body)
    assert "BKL403" not in codes(diags)


@pytest.mark.parametrize(
    "upgrade, reason",
    [
        (ADD + '\nop.execute("UPDATE t SET c = 1")', "`op.execute` in upgrade() runs SQL"),
        ('op.drop_index("ix_t_c", table_name="t")', "`op.drop_index` in upgrade() drops something"),
        ('with op.batch_alter_table("t") as b:\n    b.drop_column("c")', "`b.drop_column` in upgrade() drops something"),
        ('for t in TABLES:\n    op.add_column(t, sa.Column("c", sa.Integer()))', "upgrade() has a loop"),
        ("migrate_data()", "`migrate_data()`, which the fix cannot invert"),
        ('op.alter_column("t", "c", type_=sa.BigInteger())', "changes `type_` but does not say `existing_type`"),
        ('op.alter_column("t", "c", existing_type=sa.Integer(), postgresql_using="c::bigint", type_=sa.BigInteger())', "`postgresql_using`"),
        ('op.create_unique_constraint(None, "t", ["c"])', "unnamed constraint name"),
        ('op.create_table(name_for("t"), sa.Column("id", sa.Integer()))', "computed at run time"),
        ('op.create_table_comment("t", "Orders")', "does not say `existing_comment`"),
        ('with op.batch_alter_table("t", copy_from=OLD_T) as b:\n    b.add_column(sa.Column("c", sa.Integer()))', "copy_from"),
    ],
)
def test_no_fix_and_the_message_says_why(upgrade: str, reason: str) -> None:
    _, _, diags = lint(upgrade, "pass")
    [d] = [d for d in diags if d.code == "BKL402"]
    assert d.fix is None
    assert "(no fix: " in d.message and reason in d.message, d.message


def fixed_downgrade(upgrade: str, downgrade: str | None = None) -> str:
    text, engine, _ = lint(upgrade, downgrade)
    fixed, result, applied = engine.fix_source(text, "versions/b2.py", unsafe=True)
    assert applied == 1 and parses(fixed)
    assert not [d for d in result.diagnostics if d.code in ("BKL401", "BKL402", "BKL404")], result.diagnostics
    return fixed.split("def downgrade():\n", 1)[1]


@pytest.mark.parametrize(
    "upgrade, expected",
    [
        ('op.create_table("x", sa.Column("id", sa.Integer()), schema="s", if_not_exists=True)', 'op.drop_table("x", schema="s", if_exists=True)'),
        ('op.add_column("t", sa.Column(name="c", type_=sa.Integer()))', 'op.drop_column("t", "c")'),
        ('op.create_index(op.f("ix"), "t", ["c"], unique=True, postgresql_concurrently=True)', 'op.drop_index(op.f("ix"), table_name="t", postgresql_concurrently=True)'),
        ('op.create_foreign_key("fk", "t", "u", ["u_id"], ["id"], source_schema="s")', 'op.drop_constraint("fk", "t", type_="foreignkey", schema="s")'),
        ('op.create_check_constraint("ck", "t", "c > 0")', 'op.drop_constraint("ck", "t", type_="check")'),
        ('op.create_primary_key("pk", "t", ["id"])', 'op.drop_constraint("pk", "t", type_="primary")'),
        ('op.create_exclude_constraint("ex", "t", ("period", "&&"))', 'op.drop_constraint("ex", "t")'),
        ('op.rename_table("a", "b")', 'op.rename_table("b", "a")'),
        ('op.create_table_comment("t", "new", existing_comment=None)', 'op.drop_table_comment("t", existing_comment="new")'),
        ('op.create_table_comment("t", "new", existing_comment="old")', 'op.create_table_comment("t", "old", existing_comment="new")'),
        ('op.alter_column("t", "c", existing_type=sa.Integer(), comment="n", existing_comment=None)', 'op.alter_column("t", "c", existing_type=sa.Integer(), existing_comment="n", comment=None)'),
    ],
)
def test_inverse_of_each_operation(upgrade: str, expected: str) -> None:
    assert fixed_downgrade(upgrade, "pass").strip() == expected


def test_names_from_locals_are_written_as_literals_and_constants_stay_names() -> None:
    text, engine, _ = lint('table = "audit"\nop.create_table(table, sa.Column("id", sa.Integer()))', "pass")
    fixed, _, applied = engine.fix_source(text, "versions/b2.py", unsafe=True)
    assert applied == 0  # ``table = "audit"`` is a statement of upgrade() the fix does not invert
    text = text.replace('revision = "b2"', 'AUDIT = "audit"\nrevision = "b2"').replace('table = "audit"\n    ', "").replace("(table,", "(AUDIT,")
    fixed, _, applied = Engine(Settings(), ["BKL402"]).fix_source(text, "versions/b2.py", unsafe=True)
    assert applied == 1 and "op.drop_table(AUDIT)" in fixed


@pytest.mark.parametrize("cycle", ["A = B\nB = A\n", "A = A\n", "A = B + C\nB = C\nC = A\n"])
def test_module_constants_bound_in_a_cycle_are_dynamic_not_an_endless_read(cycle: str) -> None:
    # each read of a module constant used to start a fresh module environment, whose guard never saw the names the
    # read before it was resolving: ``A = B; B = A`` recursed until Python stopped it (an internal error in BKL404)
    text = HEADER.replace('revision = "b2"', cycle + 'revision = "b2"') + (
        'def upgrade():\n    op.add_column(A, sa.Column("c", sa.Integer()))\n\n\n'
        'def downgrade():\n    op.drop_column(A, "c")\n'
    )
    engine = Engine(Settings(), ["BKL401", "BKL402", "BKL403", "BKL404"])
    result = engine.lint_source(text, "versions/b2.py")
    assert result.errors == [] and codes(result.diagnostics) == []


def test_empty_downgrade_is_bkl402_only_not_one_bkl404_per_operation() -> None:
    _, _, diags = lint(ADD + '\nop.create_table("x", sa.Column("id", sa.Integer()))', "pass")
    assert codes(diags) == ["BKL402"]


@pytest.mark.parametrize(
    "downgrade",
    [
        'op.execute("DROP TABLE x")\nop.drop_column("t", "c")',  # SQL that names it
        'op.execute(f"DROP TABLE {name}")\nop.drop_column("t", "c")',  # SQL built at run time
        'for name in names():\n    op.drop_table(name)\nop.drop_column("t", "c")',  # names from a loop
        'drop_everything(op)\nop.drop_column("t", "c")',  # a helper that names nothing we can read
        'sa.Table("x", sa.MetaData()).drop(op.get_bind())\nop.drop_column("t", "c")',  # DDL through an object
        'for name in ["x", "y"]:\n    op.drop_table(name)\nop.drop_column("t", "c")',  # a literal loop is read
    ],
)
def test_what_the_downgrade_cannot_show_makes_no_claim(downgrade: str) -> None:
    _, _, diags = lint(ADD + '\nop.create_table("x", sa.Column("id", sa.Integer()))', downgrade)
    assert codes(diags) == []


def test_data_statements_in_the_downgrade_do_not_hide_a_missing_inverse() -> None:
    downgrade = (
        'conn = op.get_bind()\n'
        'rows = conn.execute(sa.text("SELECT id FROM t")).fetchall()\n'
        'for row in rows:\n'
        '    conn.execute(sa.text(f"UPDATE t SET c = NULL WHERE id = {row.id}"))\n'
        'session = Session(bind=conn)\n'
        'payload = json.loads("{}")\n'
        'op.drop_column("t", "c")'
    )
    _, _, diags = lint(ADD + '\nop.create_table("x", sa.Column("id", sa.Integer()))', downgrade)
    assert [(d.code, d.message) for d in diags] == [("BKL404", "`downgrade()` does not drop table `x` created here")]
    assert diags[0].row == 10  # the upgrade operation's first line


def test_alias_of_op_and_unbound_op_are_both_alembic() -> None:
    text = HEADER.replace("from alembic import op", "from alembic import op as alembic_op") + (
        'def upgrade():\n    alembic_op.create_table("x", sa.Column("id", sa.Integer()))\n\n\ndef downgrade():\n    alembic_op.drop_index("ix")\n'
    )
    diags = Engine(Settings(), ["BKL404"]).lint_source(text, "v.py").diagnostics
    assert [d.message for d in diags] == ["`downgrade()` does not drop table `x` created here"]


def test_names_imported_inside_upgrade_are_imported_again_in_the_downgrade() -> None:
    upgrade = (
        "from sqlalchemy.dialects import mysql\n"
        "import json\n"
        'op.alter_column("t", "c", existing_type=mysql.VARCHAR(10), type_=mysql.VARCHAR(20))'
    )
    written = fixed_downgrade(upgrade, "pass")
    assert written.splitlines()[0].strip() == "from sqlalchemy.dialects import mysql"
    assert "import json" not in written
    assert 'existing_type=mysql.VARCHAR(20), type_=mysql.VARCHAR(10)' in written


def test_every_reason_and_finding_the_analysis_gives_has_a_wording() -> None:
    """Knowledge gives structured reasons and findings; the rules word them (rules/migrations/_downgrade.py):
    every ``Reason`` code raised in ``knowledge/alembic/`` and every mirror ``problem`` has its text."""
    import re
    from pathlib import Path

    from backend_lint.knowledge import alembic
    from backend_lint.knowledge.alembic import Reason
    from backend_lint.knowledge.alembic.simulation import Finding
    from backend_lint.rules.migrations._downgrade import NO_FIX_REASONS, mirror_message, no_fix_reason

    package = Path(alembic.__file__).parent
    raised = set()
    for path in package.glob("*.py"):
        raised |= set(re.findall(r'(?:NotInvertible|Reason)\("([\w-]+)"', path.read_text()))
    assert raised and raised == set(NO_FIX_REASONS)
    assert no_fix_reason(Reason("upgrade-has", {"inner": Reason("result-used", {"op": "op.f(x)"})})) == (
        "upgrade() has the result of `op.f(x)` is used"
    )
    problems = set(re.findall(r'found = \("([\w-]+)"', (package / "simulation.py").read_text()))
    assert problems == {"not-dropped", "not-restored", "not-recreated", "comment-kept", "comment-lost", "rename-by-drop-add", "not-renamed-back"}
    for problem in problems:
        message = mirror_message(Finding(None, problem, "column", "t.c", (), "b"))  # type: ignore[arg-type]
        assert message.startswith("`downgrade()` ") and "`t.c`" in message
