"""BKL415 not flagged: varchar(50) -> text."""
import sqlalchemy as sa
from alembic import op

revision = "bkl415_not_flagged_text"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("accounts", "nickname", type_=sa.Text(), existing_type=sa.String(50))


def downgrade():
    pass
