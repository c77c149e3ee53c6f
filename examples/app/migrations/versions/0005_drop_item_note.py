"""drop item.note

Revision ID: 0005
Revises: 0004
Create Date: 2026-04-02 14:40:00
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("item", "note")


def downgrade():
    raise NotImplementedError("the notes are gone for good")
