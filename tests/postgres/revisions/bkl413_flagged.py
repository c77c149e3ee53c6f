"""BKL413 flagged: a concurrent index outside autocommit_block()."""
import sqlalchemy as sa
from alembic import op

revision = "bkl413_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


def downgrade():
    pass
