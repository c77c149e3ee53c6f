"""BKL417 fixed: create_foreign_key with postgresql_not_valid=True."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_fixed_fk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_accounts_owner_id", "accounts", "owners", ["owner_id"], ["id"], postgresql_not_valid=True)


def downgrade():
    pass
