"""BKL413 flagged: a concurrent index drop outside autocommit_block()."""
import sqlalchemy as sa
from alembic import op

revision = "bkl413_flagged_drop"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_accounts_owner_id", table_name="accounts", postgresql_concurrently=True)


def downgrade():
    pass
