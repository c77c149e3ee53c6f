"""BKL417 flagged: create_check_constraint without postgresql_not_valid."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_flagged_check"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_accounts_balance_positive", "accounts", "balance >= 0")


def downgrade():
    pass
