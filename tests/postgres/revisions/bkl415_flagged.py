"""BKL415 flagged: a type change that rewrites the table (integer -> bigint)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl415_flagged"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "balance", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade():
    pass
