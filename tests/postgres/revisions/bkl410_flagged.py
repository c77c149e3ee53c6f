"""BKL410 flagged: a required column with no server_default on a populated table."""
import sqlalchemy as sa
from alembic import op

revision = "bkl410_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=False))


def downgrade():
    pass
