"""BKL417 flagged: create_foreign_key without postgresql_not_valid."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_flagged_fk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_accounts_owner_id", "accounts", "owners", ["owner_id"], ["id"])


def downgrade():
    pass
