"""BKL416 fixed, step 3: SET NOT NULL, proven by the valid CHECK (no scan), then the CHECK dropped."""
import sqlalchemy as sa
from alembic import op

revision = "bkl416_fixed_3_set_not_null"
down_revision = "bkl416_fixed_2_validate"
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "nickname", nullable=False, existing_type=sa.String(50))
    op.drop_constraint("ck_accounts_nickname_not_null", "accounts", type_="check")


def downgrade():
    pass
