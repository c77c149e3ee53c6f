"""BKL414 flagged: drop_index without postgresql_concurrently."""
import sqlalchemy as sa
from alembic import op

revision = "bkl414_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_accounts_owner_id", table_name="accounts")


def downgrade():
    pass
