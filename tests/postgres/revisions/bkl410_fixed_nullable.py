"""BKL410 fixed: the column is added nullable (backfill and SET NOT NULL come later)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl410_fixed_nullable"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=True))


def downgrade():
    pass
