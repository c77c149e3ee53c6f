"""Modules written for a newer Python than the one running backend-lint, read by its ``ast`` anyway.

The rules parse with libcst, whose parser knows the newest syntax; the index and the screens parse with the
running Python's ``ast``, which refuses a module that uses syntax newer than itself (PEP 695 ``class
Repo[M: Base]:`` on Python 3.11). Such a module would lose all its facts: its auth dependency, its CRUD base,
its models. After ``ast.parse`` fails (never before: the common path pays nothing), ``older_tree`` parses the
module with libcst and spells the newer syntax the way the running Python reads it, on the same lines and,
as far as possible, the same columns, then hands that text to ``ast``:

- PEP 695 type parameter lists (``class C[T: Base]``, ``def f[T](x: T)``) become spaces: 3.12's ``ast``
  keeps them apart from the bases and the parameters, and the facts never read them;
- PEP 695 ``type X[T] = V`` becomes ``X = V`` (the name moves to the keyword's column; ``V`` stays put);
  the extraction records a 3.12 ``TypeAlias`` as the same assignment;
- PEP 758 ``except A, B:`` becomes ``except(A, B):`` (a space is used for each parenthesis where there is
  one);
- PEP 701 f-strings that reuse their quote inside a replacement field (``f"{row["id"]}"``) get the other
  quote on the inner string when its text holds no quote and no backslash.

A newline inside a blanked span stays, after a backslash, so that every line keeps its number. Anything
else (backslashes or comments inside f-string fields, PEP 750 t-strings) stays unreadable: the caller says
so (``check`` warns once per run, ``backend-lint facts`` lists the modules).
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any, Optional

from ..ground.lazy import lazy_import
from ..ground.parsing import ParseFailure, parse_module

cst = lazy_import("libcst")  # (only for a module CPython's ``ast`` refused)

_NEWLINE = re.compile(r"\r\n?|\n")  # (libcst's line breaks, which its positions count)


def older_tree(source: str, filename: str = "<unknown>") -> tuple[Optional[ast.Module], bool]:
    """For a module the running Python's ``ast`` refused: its tree read through the respelling above, and
    whether libcst parses the module (True: the syntax is newer than this Python's, not wrong). ``(None,
    False)``: a syntax error (or a file the guarded parser gives up on); ``(None, True)``: newer syntax
    this module cannot respell."""
    try:
        module = parse_module(source)
    except ParseFailure:
        return None, False
    try:
        text = respelled(source, module)
    except Exception:  # (a libcst shape this reader does not know: the module stays unread, and said)
        return None, True
    if text is None:
        return None, True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=filename), True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, True


def respelled(source: str, module: Any) -> Optional[str]:
    """``source`` (which libcst parsed into ``module``) with the newer syntax spelled as above; ``None``
    when nothing was found to respell."""
    starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst.metadata.PositionProvider)

    def span(node: Any) -> tuple[int, int]:
        r = positions[node]
        return starts[r.start.line - 1] + r.start.column, starts[r.end.line - 1] + r.end.column

    edits: list[tuple[int, int, str]] = []
    for node in positions:
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)) and node.type_parameters is not None:
            a, b = span(node.type_parameters)
            edits.append((a, b, _blank(source[a:b])))
        elif isinstance(node, cst.TypeAlias):
            a, _ = span(node)
            name_start, name_end = span(node.name)
            name = source[name_start:name_end]
            edits.append((a, name_end, name + _blank(source[a + len(name):name_end])))
            if node.type_parameters is not None:
                edits.append((*span(node.type_parameters), ""))
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            kind = node.type
            if isinstance(kind, cst.Tuple) and not kind.lpar:
                a, b = span(kind)
                edits.append((a - 1, a, "(") if source[a - 1:a] in (" ", "\t") else (a, a, "("))
                edits.append((b, b + 1, ")") if source[b:b + 1] in (" ", "\t") else (b, b, ")"))
        elif isinstance(node, cst.FormattedString):
            edits.extend(_quotes_inside(node, source, span))
    edits = [(a, b, text if text else _blank(source[a:b])) for a, b, text in edits]
    if not edits:
        return None
    edits.sort(key=lambda e: (e[0], e[1]))
    out: list[str] = []
    at = 0
    for a, b, text in edits:
        if a < at:  # (overlapping spans: f-strings nested in f-strings are each found; the outer one wins)
            continue
        out.append(source[at:a])
        out.append(text)
        at = b
    out.append(source[at:])
    return "".join(out)


def _blank(text: str) -> str:
    """``text`` as spaces, its line breaks kept after a backslash (the logical line goes on, the line
    numbers stay)."""
    pieces = _NEWLINE.split(text)
    breaks = _NEWLINE.findall(text)
    out = []
    for i, piece in enumerate(pieces):
        if i < len(breaks):
            out.append(" " * max(len(piece) - 1, 0) + "\\" + breaks[i])
        else:
            out.append(" " * len(piece))
    return "".join(out)


def _quotes_inside(node: Any, source: str, span: Any) -> list[tuple[int, int, str]]:
    """PEP 701: the strings inside ``node``'s replacement fields that reuse its quote, given the other one."""
    quote = node.end
    if quote not in ("'", '"'):  # (a triple-quoted f-string already holds either quote in its fields)
        return []
    other = "'" if quote == '"' else '"'
    found: list[tuple[int, int, str]] = []

    class Inner(cst.CSTVisitor):
        def visit_SimpleString(self, inner: cst.SimpleString) -> bool:
            self.swap(inner)
            return False

        def visit_FormattedString(self, inner: cst.FormattedString) -> bool:
            self.swap(inner)
            return False

        def swap(self, inner: Any) -> None:
            a, b = span(inner)
            code = source[a:b]
            prefix = len(code) - len(code.lstrip("rRbBuUfF"))
            body = code[prefix + 1:-1]
            if code[prefix] != quote or len(code) - prefix < 2 or code[-1] != quote:
                return
            if "'" in body or '"' in body or "\\" in body or "\n" in body or "\r" in body:
                return
            found.append((a, b, code[:prefix] + other + body + other))

    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression):
            part.expression.visit(Inner())
    return found
