"""Alembic revision modules, shared by family 4 (every migration can be rolled back).

The package, by seam (each module imports only those before it; ``ops`` names ``Env`` for type checking only):

- ``revision``: the module's header (``revision``, ``down_revision``), ``upgrade()``, ``downgrade()`` and
  module-level constants, read from the top level only.
- ``bodies``: the do-nothing and always-raising bodies (``is_noop_body``, ``unconditional_raise``: BKL402, BKL403).
- ``ops``: one Alembic operation read from a call (``Op``, ``Batch``) and the vocabularies of calls.
- ``env``: static resolution of names (literals, ``op.f("...")``, module constants, single-assignment locals).
- ``reader``: ``upgrade()`` and ``downgrade()`` read as lists of operations (``op.*`` and ``batch_op.*`` inside
  ``with op.batch_alter_table(...)``). What the reading cannot see through (``op.execute`` SQL, loops, helper
  functions, names computed at run time) is summed up as *mentions* (string literals it names) and
  *wildcards* (kinds of objects it might touch): they silence claims.
- ``simulation``: ``analyse``, upgrade operations whose inverse is missing from ``downgrade()`` (BKL404), by a
  small symbolic simulation of both functions over schema objects with identities.
- ``downgrade``: ``write_downgrade_body``, the lines of a ``downgrade()`` with inverse operations in reverse
  order, or the ``Reason`` why none can be written (``rules/migrations/_downgrade.py`` places the lines and
  words the reasons).

Nothing is imported or run: everything is read from the libcst tree.
"""

from __future__ import annotations

from .bodies import is_noop_body, unconditional_raise
from .downgrade import write_downgrade_body
from .reader import Reason
from .revision import RevisionModule, body_statements, revision_info, revision_module
from .simulation import Finding, MigrationAnalysis, analyse

__all__ = [
    "Finding",
    "MigrationAnalysis",
    "Reason",
    "RevisionModule",
    "analyse",
    "body_statements",
    "is_noop_body",
    "revision_info",
    "revision_module",
    "unconditional_raise",
    "write_downgrade_body",
]
