"""BKL413 not flagged: the revision switches its own DBAPI connection to autocommit around the concurrent
build (modelled on phoenix's 4aad9107d196)."""
import sqlalchemy as sa
from alembic import op

revision = "bkl413_not_flagged_dbapi_ac"
down_revision = None
branch_labels = None
depends_on = None


def _enable_autocommit() -> None:
    dbapi_conn = op.get_bind().connection.dbapi_connection
    dbapi_conn.commit()
    dbapi_conn.autocommit = True


def _disable_autocommit() -> None:
    op.get_bind().connection.dbapi_connection.autocommit = False


def upgrade():
    _enable_autocommit()
    try:
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
    finally:
        _disable_autocommit()


def downgrade():
    pass
