"""add item note

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-11 09:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("item", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    pass
