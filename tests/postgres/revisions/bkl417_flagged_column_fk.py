"""BKL417 flagged: a ForeignKey inside add_column (no postgresql_not_valid)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_flagged_column_fk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("manager_id", sa.BigInteger(), sa.ForeignKey("owners.id"), nullable=True))


def downgrade():
    pass
