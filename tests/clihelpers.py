"""Run the installed ``backend-lint`` entry point as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

BIN = Path(sys.executable).parent / "backend-lint"


def run_cli(*args: str, cwd: Optional[Path] = None, input: Optional[bytes] = None, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.pop("BACKEND_LINT_OUTPUT_FORMAT", None)
    full_env["NO_COLOR"] = "1"
    if env:
        full_env.update(env)
    return subprocess.run(
        [str(BIN), *args],
        cwd=str(cwd) if cwd else None,
        input=input,
        capture_output=True,
        env=full_env,
        timeout=300,
    )


EMPTY_DOWNGRADE = '''"""add note

Revision ID: a1
"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("item", sa.Column("note", sa.Text()))


def downgrade():
    pass
'''

MISSING_DOWNGRADE = '''revision = "b2"
down_revision = "a1"


def upgrade():
    op.drop_column("item", "note")
'''


def make_project(tmp_path: Path, files: dict[str, str], pyproject: Optional[str] = "[tool.backend-lint]\n") -> Path:
    root = tmp_path / "proj"
    root.mkdir(parents=True)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


# A credential decoded four calls down (``current_user_id`` -> ``bearer`` -> ``strip_scheme`` -> ``unwrap`` ->
# ``decode_subject``), and a second chain (``legacy_user_id``) that reaches ``strip_scheme`` three calls down,
# where the reading of who authenticates stops before the decoder: the order-independence tests
# (tests/knowledge/test_memo_order.py, tests/engine/test_lint_order.py) ask about both in two orders.
DECODER_CHAIN = '''
import jwt


def decode_subject(token):
    return jwt.decode(token, "secret", algorithms=["HS256"])["sub"]


def unwrap(token):
    return decode_subject(token)


def strip_scheme(token):
    return unwrap(token)


def bearer(token):
    return strip_scheme(token)


def current_user_id(authorization):
    return bearer(authorization)


def legacy_three(authorization):
    return strip_scheme(authorization)


def legacy_two(authorization):
    return legacy_three(authorization)


def legacy_user_id(authorization):
    return legacy_two(authorization)
'''
