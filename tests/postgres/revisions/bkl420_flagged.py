"""BKL420 flagged: drop_column + add_column of the same type on one table (autogenerate renders a rename so)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl420_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("accounts", "legacy_code")
    op.add_column("accounts", sa.Column("code", sa.String(20), nullable=True))


def downgrade():
    # autogenerate's downgrade: it gives the dropped column's type (BKL420 compares it)
    op.add_column("accounts", sa.Column("legacy_code", sa.VARCHAR(length=20), autoincrement=False, nullable=True))
    op.drop_column("accounts", "code")
