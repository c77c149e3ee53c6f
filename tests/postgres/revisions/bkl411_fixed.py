"""BKL411 fixed: the column without a default, then SET DEFAULT for new rows (no rewrite)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl411_fixed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("token", sa.Uuid(), nullable=True))
    op.alter_column("accounts", "token", server_default=sa.text("gen_random_uuid()"))


def downgrade():
    pass
