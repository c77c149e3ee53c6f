"""BKL416 flagged: SET NOT NULL on an existing column."""
import sqlalchemy as sa
from alembic import op

revision = "bkl416_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "nickname", nullable=False, existing_type=sa.String(50))


def downgrade():
    pass
