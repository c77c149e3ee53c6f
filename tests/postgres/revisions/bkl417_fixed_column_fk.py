"""BKL417 fix as the spec words it for add_column: postgresql_not_valid=True on the ForeignKey."""
import sqlalchemy as sa
from alembic import op

revision = "bkl417_fixed_column_fk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("manager_id", sa.BigInteger(), sa.ForeignKey("owners.id", postgresql_not_valid=True), nullable=True))


def downgrade():
    pass
