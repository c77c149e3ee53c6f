"""BKL418 flagged: create_primary_key on an existing table."""
import sqlalchemy as sa
from alembic import op

revision = "bkl418_flagged_pk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_primary_key("pk_account_codes", "account_codes", ["code"])


def downgrade():
    pass
