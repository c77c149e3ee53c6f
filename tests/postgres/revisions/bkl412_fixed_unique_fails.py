"""BKL412 fixed: a concurrent unique build that fails (duplicate values) leaves an INVALID index."""
import sqlalchemy as sa
from alembic import op

revision = "bkl412_fixed_unique_fails"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_balance", "accounts", ["balance"], unique=True, postgresql_concurrently=True)


def downgrade():
    pass
