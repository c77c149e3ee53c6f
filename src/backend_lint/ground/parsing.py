"""Parsing with libcst without letting one pathological file take the run down.

libcst's native parser dies with a segmentation fault (no Python exception) on some valid-looking input:
about 1,500 nested brackets, or one expression of many thousands of terms on a line. Before handing a
file to it we look at cheap facts of the text:

- bracket depth over 200 cannot be valid Python (CPython's own limit): CPython's parser, which fails
  cleanly, decides and the file is reported as a syntax error without libcst;
- a file with a very long line or deep bracket nesting is parsed first in a throw-away child process
  (a "probe"); if the child dies, the file is reported instead of parsed here.

The probe costs a process start (~0.1 s) and only runs for such unusual files.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import warnings
from itertools import accumulate
from typing import Optional

MAX_BRACKET_DEPTH = 200  # CPython refuses deeper nesting ("too many nested parentheses")
PROBE_BRACKET_DEPTH = 100
PROBE_LINE_LENGTH = 10_000
_STEPS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


class ParseFailure(Exception):
    def __init__(self, row: int, col: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.col = col
        self.message = message


def _bracket_depth(source: str) -> int:
    if source.count("(") + source.count("[") + source.count("{") <= PROBE_BRACKET_DEPTH:
        return 0  # cannot be deeper than the number of openers
    only = "".join(re.findall(r"[()\[\]{}]+", source))
    return max(accumulate(map(_STEPS.__getitem__, only)), default=0)  # (``map``: no Python frame per bracket)


def _longest_line(source: str) -> int:
    if len(source) < PROBE_LINE_LENGTH:
        return len(source)
    return max(map(len, source.splitlines()), default=0)


def ast_syntax_error(source: str) -> Optional[ParseFailure]:
    """CPython's verdict (clean failure modes only)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as exc:
        return ParseFailure(exc.lineno or 1, max((exc.offset or 1) - 1, 0), f"SyntaxError: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseFailure(1, 0, f"Cannot parse file: {type(exc).__name__}")
    return None


_PROBE = (
    "import sys, libcst\n"
    "src = sys.stdin.buffer.read().decode('utf-8', 'surrogatepass')\n"
    "try:\n    libcst.parse_module(src)\nexcept BaseException:\n    pass\n"
)


def _probe_timeout() -> float:
    """Seconds a risky file's trial parse may take before the file is reported as one the parser gives up
    on (libcst's parser is cubic on some long expressions: 6,000 terms of a sum take ~45 s, 20,000 never
    end). ``BACKEND_LINT_PARSE_PROBE_TIMEOUT`` overrides the default 120."""
    try:
        return max(float(os.environ.get("BACKEND_LINT_PARSE_PROBE_TIMEOUT", "120")), 0.1)
    except ValueError:
        return 120.0


def _probe_survives(source: str) -> bool:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE],
            input=source.encode("utf-8", "surrogatepass"),
            capture_output=True,
            timeout=_probe_timeout(),
            env={**os.environ, "PYTHONFAULTHANDLER": ""},
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def risky(source: str) -> bool:
    return _longest_line(source) > PROBE_LINE_LENGTH or _bracket_depth(source) > PROBE_BRACKET_DEPTH


def parse_module(source: str):
    """``libcst.parse_module`` or ``ParseFailure`` (never a crash of this process)."""
    import libcst as cst  # (libcst: loaded only when a file is parsed; a warm run never loads it)

    if risky(source):
        if _bracket_depth(source) > MAX_BRACKET_DEPTH:
            failure = ast_syntax_error(source)
            if failure is not None:
                raise failure
        if not _probe_survives(source):
            raise ParseFailure(1, 0, "Cannot parse file: the parser crashed on it (too deeply nested or too long an expression)")
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        message = (exc.message or "").strip().splitlines()
        # libcst accepts newer syntax than the running CPython; prefer CPython's message when it agrees
        raise ParseFailure(exc.raw_line, exc.raw_column, f"SyntaxError: {message[0] if message else 'invalid syntax'}") from None
    except RecursionError:
        raise ParseFailure(1, 0, "Cannot parse file: too deeply nested") from None
    except MemoryError:
        raise ParseFailure(1, 0, "Cannot parse file: out of memory") from None
    except Exception as exc:  # the native parser gives up on some valid modules
        text = str(exc).strip().splitlines()
        raise ParseFailure(1, 0, f"Cannot parse file: {type(exc).__name__}: {text[0] if text else 'parser failure'}") from None


def syntax_error(source: str) -> Optional[ParseFailure]:
    """The file's syntax error, if any, as cheaply as possible: CPython's parser first; only when it
    refuses (it may be older than the file's syntax) does libcst get the last word."""
    failure = ast_syntax_error(source)
    if failure is None:
        return None
    try:
        parse_module(source)
    except ParseFailure as exc:
        return failure if failure.message.startswith("SyntaxError") else exc
    return None
