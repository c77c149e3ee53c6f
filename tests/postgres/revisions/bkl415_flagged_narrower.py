"""BKL415 flagged: a narrowing type change (varchar(50) -> varchar(10))."""
import sqlalchemy as sa
from alembic import op

revision = "bkl415_flagged_narrower"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "email", type_=sa.String(10), existing_type=sa.String(50), existing_nullable=False)


def downgrade():
    pass
