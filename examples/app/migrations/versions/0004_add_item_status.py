"""add item status and the item event table

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-20 11:05:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("item", sa.Column("status", sa.String(length=20), nullable=False, server_default="open"))
    op.create_table(
        "item_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
    )
    op.create_index(op.f("ix_item_event_item_id"), "item_event", ["item_id"])


def downgrade():
    op.drop_column("item", "status")
