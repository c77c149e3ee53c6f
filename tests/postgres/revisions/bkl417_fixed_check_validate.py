"""BKL417 fixed, the follow-up revision: VALIDATE CONSTRAINT."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_fixed_check_validate"
down_revision = "bkl417_fixed_check"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_balance_positive")


def downgrade():
    pass
