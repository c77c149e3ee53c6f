"""BKL418 flagged: create_unique_constraint on an existing table."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])


def downgrade():
    pass
