"""BKL411 flagged: a volatile server_default (gen_random_uuid())."""
import sqlalchemy as sa
from alembic import op

revision = "bkl411_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("token", sa.Uuid(), nullable=False, server_default=sa.text("gen_random_uuid()")))


def downgrade():
    pass
