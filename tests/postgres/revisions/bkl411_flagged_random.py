"""BKL411 flagged: a volatile server_default (random())."""
import sqlalchemy as sa
from alembic import op

revision = "bkl411_flagged_random"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("score", sa.Float(), nullable=False, server_default=sa.text("random()")))


def downgrade():
    pass
