"""add tag color

Written on a branch that started before 0005 was merged: it revises 0004 too.

Revision ID: 0006
Revises: 0004
Create Date: 2026-04-03 09:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tag") as batch_op:
        batch_op.add_column(sa.Column("color", sa.String(length=7), nullable=True))


def downgrade():
    with op.batch_alter_table("tag") as batch_op:
        batch_op.drop_column("color")
