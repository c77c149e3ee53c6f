"""BKL415 not flagged: widening varchar(50) -> varchar(200)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl415_not_flagged_wider"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "nickname", type_=sa.String(200), existing_type=sa.String(50))


def downgrade():
    pass
