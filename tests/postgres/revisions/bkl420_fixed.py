"""BKL420 fixed: the rename it meant (BKL419 then applies: expand/contract)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl420_fixed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "legacy_code", new_column_name="code", existing_type=sa.String(20))


def downgrade():
    pass
