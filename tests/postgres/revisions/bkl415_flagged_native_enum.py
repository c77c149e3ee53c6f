"""BKL415 flagged: a native Postgres ENUM column changed to a string type."""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "bkl415_flagged_native_enum"
down_revision = "setup_native_enum"
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "accounts",
        "plan",
        type_=sa.String(),
        existing_type=postgresql.ENUM("free", "pro", name="plan"),
        postgresql_using="plan::text",
    )


def downgrade():
    pass
