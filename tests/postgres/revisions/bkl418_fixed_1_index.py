"""BKL418 fixed, step 1: a unique index built concurrently."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_fixed_1_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("uq_accounts_email", "accounts", ["email"], unique=True, postgresql_concurrently=True)


def downgrade():
    pass
