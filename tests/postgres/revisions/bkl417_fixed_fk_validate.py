"""BKL417 fixed, the follow-up revision: VALIDATE CONSTRAINT."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_fixed_fk_validate"
down_revision = "bkl417_fixed_fk"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT fk_accounts_owner_id")


def downgrade():
    pass
