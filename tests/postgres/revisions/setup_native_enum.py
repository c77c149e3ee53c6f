"""Setup for bkl415_flagged_native_enum: a native enum column on the existing table (catalog only)."""
from alembic import op

revision = "setup_native_enum"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE plan AS ENUM ('free', 'pro')")
    op.execute("ALTER TABLE accounts ADD COLUMN plan plan NOT NULL DEFAULT 'free'")


def downgrade():
    pass
