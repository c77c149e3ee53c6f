"""The engine's name for the guarded libcst parse, which lives in ``ground/parsing.py`` (the index's
extraction uses it too, to read modules written for a newer Python: ``knowledge/newer_syntax.py``)."""

from __future__ import annotations

from ..ground.parsing import (  # noqa: F401 (re-exported)
    MAX_BRACKET_DEPTH,
    PROBE_BRACKET_DEPTH,
    PROBE_LINE_LENGTH,
    ParseFailure,
    ast_syntax_error,
    parse_module,
    risky,
    syntax_error,
)
