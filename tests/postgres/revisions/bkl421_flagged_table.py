"""BKL421 flagged: drop_table of a table the running code still maps."""
import sqlalchemy as sa
from alembic import op

revision = "bkl421_flagged_table"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("owners")


def downgrade():
    pass
