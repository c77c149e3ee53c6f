"""BKL412 fixed, then the revision fails: the concurrent build committed on its own and stays."""
import sqlalchemy as sa
from alembic import op

revision = "bkl412_fixed_then_fails"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
    op.execute("ALTER TABLE accounts ADD COLUMN no_such_type no_such_type")


def downgrade():
    pass
