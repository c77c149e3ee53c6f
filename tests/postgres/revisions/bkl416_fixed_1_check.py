"""BKL416 fixed, step 1: a CHECK (col IS NOT NULL) NOT VALID constraint (no scan)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl416_fixed_1_check"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_accounts_nickname_not_null", "accounts", "nickname IS NOT NULL", postgresql_not_valid=True)


def downgrade():
    pass
