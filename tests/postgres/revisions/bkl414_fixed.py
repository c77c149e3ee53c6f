"""BKL414 fixed: postgresql_concurrently=True inside autocommit_block()."""
import sqlalchemy as sa
from alembic import op

revision = "bkl414_fixed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_owner_id", table_name="accounts", postgresql_concurrently=True)


def downgrade():
    pass
