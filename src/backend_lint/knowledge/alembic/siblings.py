"""What the other revisions of a versions directory create, read as text (BKL421).

A drop in an old revision of what a model maps today is no hazard when a later revision created it again
(``zenml``'s ``remove_triggers`` drops ``trigger``, a later revision brings the table back). Ordering the
revision graph is not needed for the common shapes: counting the *other* revisions whose ``upgrade()``
creates the object tells them apart. One creation elsewhere is the original one (the drop is real); two
or more mean it came back after a drop. Only the text before ``def downgrade`` is read (downgrades
re-create what their upgrade drops). Nothing is imported or run.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

_DOWNGRADE = re.compile(r"^def downgrade", re.M)
_LIMIT = 2000  # files read per directory, at most


@lru_cache(maxsize=64)
def _upgrade_texts(directory: str) -> tuple:
    out = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ()
    for name in names[:_LIMIT]:
        if not name.endswith(".py"):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(500_000)
        except OSError:
            continue
        if "upgrade" not in text:
            continue
        cut = _DOWNGRADE.search(text)
        out.append((os.path.abspath(path), text[: cut.start()] if cut else text))
    return tuple(out)


def creations_elsewhere(path: str, table: str, column: str | None = None) -> int:
    """How many other revisions beside ``path`` create ``table`` (``create_table("table", ...)``), or, with
    ``column``, add that column to it (``Column("column", ...)`` in a revision that names the table)."""
    here = os.path.abspath(path)
    quoted = r"""["']""" + re.escape(table) + r"""["']"""
    if column is None:
        pattern = re.compile(r"create_table\(\s*" + quoted)
        return sum(1 for p, text in _upgrade_texts(os.path.dirname(here)) if p != here and pattern.search(text))
    col = re.compile(r"Column\(\s*[\"']" + re.escape(column) + r"[\"']")
    name = re.compile(quoted)
    return sum(
        1 for p, text in _upgrade_texts(os.path.dirname(here)) if p != here and col.search(text) and name.search(text)
    )
