"""BKL419 flagged: a table rename while the old code reads the old name."""
import sqlalchemy as sa
from alembic import op

revision = "bkl419_flagged_table"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("accounts", "customer_accounts")


def downgrade():
    pass
