"""BKL419 flagged: a column rename while the old code reads the old name."""
import sqlalchemy as sa
from alembic import op

revision = "bkl419_flagged_column"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "legacy_code", new_column_name="code", existing_type=sa.String(20))


def downgrade():
    pass
