"""BKL418 fixed (primary key), step 2: PRIMARY KEY USING INDEX."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_fixed_pk_2_using_index"
down_revision = "bkl418_fixed_pk_1_index"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE account_codes ADD CONSTRAINT pk_account_codes PRIMARY KEY USING INDEX pk_account_codes")


def downgrade():
    pass
