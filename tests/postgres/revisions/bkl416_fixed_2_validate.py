"""BKL416 fixed, step 2 (a later revision): VALIDATE the constraint."""
import sqlalchemy as sa
from alembic import op

revision = "bkl416_fixed_2_validate"
down_revision = "bkl416_fixed_1_check"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_nickname_not_null")


def downgrade():
    pass
