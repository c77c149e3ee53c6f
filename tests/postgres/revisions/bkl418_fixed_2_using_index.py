"""BKL418 fixed, step 2: the constraint adopts the built index (USING INDEX)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_fixed_2_using_index"
down_revision = "bkl418_fixed_1_index"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE USING INDEX uq_accounts_email")


def downgrade():
    pass
