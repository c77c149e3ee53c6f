"""BKL412 flagged: create_index on an existing table without postgresql_concurrently."""
import sqlalchemy as sa
from alembic import op

revision = "bkl412_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])


def downgrade():
    pass
