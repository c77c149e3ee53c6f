"""BKL412 fixed: postgresql_concurrently=True inside autocommit_block()."""
import sqlalchemy as sa
from alembic import op

revision = "bkl412_fixed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


def downgrade():
    pass
