"""Words read on both sides of knowledge: by the index's extractors (on ``ast``) and by the analyses the rules call
(on libcst). Declared once here, libcst-free and importing nothing, so that the two sides never drift apart (like
``update_words`` and ``datetime_words`` for families 5 and 3)."""

from __future__ import annotations

# the packages whose ``select`` / ``and_`` / ``exists`` build a statement
STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
# the functions that start a statement on a table
STATEMENT_FUNCS = frozenset({"select", "update", "delete"})
# calls that wrap an id without changing which row it names (``str(user.id)``, ``UUID(key)``)
ID_WRAPPERS = frozenset({"str", "int", "UUID"})
# words in a name that say an elevated caller (``get_current_superuser``, ``is_admin``)
ADMIN_WORDS = ("superuser", "admin")
# the result reads that answer one row or nothing (``.scalar_one_or_none()``, ``.first()``)
ONE_ROW_READS = frozenset({"scalar_one_or_none", "one_or_none", "first", "scalar"})
