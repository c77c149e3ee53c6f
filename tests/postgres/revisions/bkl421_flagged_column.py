"""BKL421 flagged: drop_column of a column the running code still maps."""
import sqlalchemy as sa
from alembic import op

revision = "bkl421_flagged_column"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("accounts", "legacy_code")


def downgrade():
    pass
