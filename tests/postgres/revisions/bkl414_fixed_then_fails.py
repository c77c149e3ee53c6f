"""BKL414 fixed, then the revision fails: the concurrent drop committed on its own and is not undone."""
import sqlalchemy as sa
from alembic import op

revision = "bkl414_fixed_then_fails"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_owner_id", table_name="accounts", postgresql_concurrently=True)
    op.execute("ALTER TABLE accounts ADD COLUMN no_such_type no_such_type")


def downgrade():
    pass
