"""Alembic's operations as the family 4 analysis reads them: parameter names, keyword aliases, and the
calls that name an object. Shared by ``knowledge.alembic`` (libcst) and the family-4 rules' screens (``ast``),
so it imports neither."""

from __future__ import annotations

# Positional parameter names of the operations we read (``Operations`` / ``BatchOperations``), and the
# keyword spellings of older Alembic releases.
PARAMS: dict[str, list[str]] = {
    "create_table": ["table_name"],
    "drop_table": ["table_name"],
    "add_column": ["table_name", "column"],
    "drop_column": ["table_name", "column_name"],
    "create_index": ["index_name", "table_name", "columns"],
    "drop_index": ["index_name", "table_name"],
    "create_foreign_key": ["constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"],
    "create_unique_constraint": ["constraint_name", "table_name", "columns"],
    "create_check_constraint": ["constraint_name", "table_name", "condition"],
    "create_primary_key": ["constraint_name", "table_name", "columns"],
    "create_exclude_constraint": ["constraint_name", "table_name"],
    "drop_constraint": ["constraint_name", "table_name", "type_"],
    "rename_table": ["old_table_name", "new_table_name"],
    "alter_column": ["table_name", "column_name"],
    "create_table_comment": ["table_name", "comment"],
    "drop_table_comment": ["table_name"],
}
TABLE_PARAM = {"create_foreign_key": "source_table", "rename_table": "old_table_name"}
ALIASES: dict[str, dict[str, str]] = {
    "create_index": {"name": "index_name", "tablename": "table_name"},
    "drop_index": {"name": "index_name", "tablename": "table_name"},
    "create_foreign_key": {"name": "constraint_name", "source": "source_table", "referent": "referent_table"},
    "create_unique_constraint": {"name": "constraint_name", "source": "table_name", "local_cols": "columns"},
    "create_check_constraint": {"name": "constraint_name", "source": "table_name"},
    "create_primary_key": {"name": "constraint_name", "cols": "columns"},
    "drop_constraint": {"name": "constraint_name"},
    "alter_column": {"name": "new_column_name"},
}
OP_METHODS = frozenset(PARAMS)

# ``logger.info(...)`` and the like: output, not schema changes
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"})
# ``op.f("name")``, ``conv("name")``, ``quoted_name("x", ...)``: a name given through a wrapper
NAME_WRAPPERS = frozenset({"f", "conv", "quoted_name", "text", "literal_column"})

# output, not schema changes: ``print(...)``, ``warnings.warn(...)``, ``click.echo(...)``, and log calls on a
# receiver named like a logger or made by ``logging.getLogger(...)``
PRINT_FUNCTIONS = frozenset({"print", "pprint"})
OUTPUT_CALLS = frozenset({"warnings.warn", "click.echo", "click.secho", "sys.stdout.write", "sys.stderr.write"})
LOGGER_FACTORIES = frozenset({"logging.getLogger"})

# the operations that create a named constraint, and those that drop an object
CREATE_CONSTRAINT = frozenset(
    {"create_foreign_key", "create_unique_constraint", "create_check_constraint", "create_primary_key", "create_exclude_constraint"}
)
DROP_METHODS = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint", "drop_table_comment"})
