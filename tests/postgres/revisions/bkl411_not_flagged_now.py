"""BKL411 not flagged: now() is stable, not volatile."""
import sqlalchemy as sa
from alembic import op

revision = "bkl411_not_flagged_now"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")))


def downgrade():
    pass
