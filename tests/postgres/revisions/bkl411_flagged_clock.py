"""BKL411 flagged: a volatile server_default (clock_timestamp())."""
import sqlalchemy as sa
from alembic import op

revision = "bkl411_flagged_clock"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("seen_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()")))


def downgrade():
    pass
