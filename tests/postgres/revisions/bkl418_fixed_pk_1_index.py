"""BKL418 fixed (primary key), step 1: a unique index built concurrently."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_fixed_pk_1_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("pk_account_codes", "account_codes", ["code"], unique=True, postgresql_concurrently=True)


def downgrade():
    pass
