"""BKL410 fixed: a required column with a constant server_default."""
import sqlalchemy as sa
from alembic import op

revision = "bkl410_fixed_server_default"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=False, server_default="free"))


def downgrade():
    pass
