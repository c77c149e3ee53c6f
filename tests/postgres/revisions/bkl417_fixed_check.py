"""BKL417 fixed: create_check_constraint with postgresql_not_valid=True."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_fixed_check"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_accounts_balance_positive", "accounts", "balance >= 0", postgresql_not_valid=True)


def downgrade():
    pass
