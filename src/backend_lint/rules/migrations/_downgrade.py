"""The rules' side of family 4's downgrade analysis: the unsafe fix of BKL401 / BKL402 (a ``downgrade()``
written from ``upgrade()``), and the wording of BKL404's mirror findings (``mirror_message``).

``knowledge.alembic.write_downgrade_body`` gives the inverse operations as ``(depth, code)`` lines, or the
reason why none can be written; this places them in the file (after ``upgrade()`` when ``downgrade()`` is
missing, in place of an empty body otherwise) with the file's newline and indentation.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic import Finding, Reason, body_statements, revision_info, write_downgrade_body
from ...values import Edit, Fix

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _indent_unit(module: Optional[cst.Module], func: Optional[cst.FunctionDef]) -> str:
    if func is not None and isinstance(func.body, cst.IndentedBlock) and func.body.indent is not None:
        return func.body.indent
    return module.default_indent if module is not None else "    "


def _line_starts(source: str) -> list[int]:
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", source):
        starts.append(m.end())
    return starts


def _positions(ctx: Any) -> Any:
    return ctx.cached(
        "alembic.positions", lambda: cst.metadata.MetadataWrapper(ctx.module, unsafe_skip_copy=True).resolve(cst.metadata.PositionProvider)
    )


def _newline_of(source: str) -> str:
    m = re.search(r"\r\n|\r|\n", source)
    return m.group(0) if m else "\n"


def downgrade_fix(ctx: Any, missing: bool) -> tuple[Optional[Fix], str]:
    """The unsafe fix for BKL401 (``missing``) or BKL402, or ``(None, reason)``."""
    info = revision_info(ctx)
    body, reason = write_downgrade_body(ctx)
    if body is None:
        assert reason is not None
        return None, no_fix_reason(reason)
    source = ctx.source
    nl = _newline_of(source)
    indent = _indent_unit(info.module, info.upgrade)
    positions = _positions(ctx)
    starts = _line_starts(source)

    def line_end(row: int) -> int:
        if row >= len(starts):
            return len(source)
        end = starts[row]  # start of the next line
        while end > starts[row - 1] and source[end - 1] in "\r\n":
            end -= 1
        return end

    def render(lines: list[tuple[int, str]], base: str) -> str:
        out = []
        for depth, code in lines or [(0, "pass")]:
            code = code.replace("\r\n", "\n").replace("\r", "\n").replace("\n", nl)
            out.append(base + indent * depth + code)
        return nl.join(out)

    if missing:
        up = info.upgrade
        assert up is not None
        rng = positions[up]
        row = rng.end.line
        if isinstance(up.body, cst.IndentedBlock):
            row += len(up.body.footer)
        returns = ""
        if up.returns is not None:
            returns = " -> " + info.module.code_for_node(up.returns.annotation).strip()  # type: ignore[union-attr]
        text = f"{nl}{nl}{nl}def downgrade(){returns}:{nl}{render(body, indent)}"
        at = line_end(row)
        return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(at, at, text)]), ""

    down = info.downgrade
    assert down is not None
    stmts = body_statements(down)
    if isinstance(down.body, cst.IndentedBlock):
        block = down.body
        keep_doc = (
            bool(block.body)
            and isinstance(block.body[0], cst.SimpleStatementLine)
            and len(block.body[0].body) == 1
            and isinstance(block.body[0].body[0], cst.Expr)
            and isinstance(block.body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        )
        replace = list(block.body[1:] if keep_doc else block.body)
        if not replace:
            # only a docstring: add the statements after it
            end = positions[block.body[0]].end
            at = line_end(end.line)
            return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(at, at, nl + render(body, _body_indent(ctx, down, positions)))]), ""
        first = positions[replace[0]].start
        last = positions[replace[-1]].end
        start = starts[first.line - 1] + first.column
        end = line_end(last.line)
        base = _body_indent(ctx, down, positions)
        text = render(body, base)[len(base):]
        return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(start, end, text)]), ""
    # ``def downgrade(): pass`` on one line
    suite = down.body
    rng = positions[suite]
    start = starts[rng.start.line - 1] + rng.start.column
    end = line_end(rng.end.line)
    comment = ""
    if isinstance(suite, cst.SimpleStatementSuite) and suite.trailing_whitespace.comment is not None:
        comment = "  " + suite.trailing_whitespace.comment.value
    # drop the space between ``:`` and the suite
    while start > 0 and source[start - 1] in " \t":
        start -= 1
    del stmts
    text = comment + nl + render(body, indent)
    return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(start, end, text)]), ""


def _body_indent(ctx: Any, func: cst.FunctionDef, positions: Any) -> str:
    block = func.body
    if isinstance(block, cst.IndentedBlock) and block.body:
        col = positions[block.body[0]].start.column
        line_start = _line_starts(ctx.source)[positions[block.body[0]].start.line - 1]
        return ctx.source[line_start : line_start + col]
    return _indent_unit(ctx.module, func)



def mirror_message(finding: Finding) -> str:
    """BKL404's wording of one ``knowledge.alembic`` mirror finding."""
    what, name = finding.kind, finding.name
    problem = finding.problem
    if problem == "not-dropped":
        return f"`downgrade()` does not drop {what} `{name}` {'added' if what == 'column' else 'created'} here"
    if problem == "not-restored":
        return f"`downgrade()` does not restore {what} `{name}`, which the upgrade drops and re-creates here"
    if problem == "not-recreated":
        return f"`downgrade()` does not re-create {what} `{name}` dropped here"
    if problem == "comment-kept":
        return f"`downgrade()` does not remove the comment set here on table `{name}`"
    if problem == "comment-lost":
        return f"`downgrade()` does not restore the comment of table `{name}` dropped here"
    if problem == "rename-by-drop-add":
        return f"`downgrade()` undoes the rename of {what} `{name}` by drop-and-add, which loses its data"
    return f"`downgrade()` does not rename {what} `{name}` back to `{finding.previous}`"


# why no ``downgrade()`` can be written, by ``Reason.code`` (``knowledge.alembic``): the text after "no fix: "
NO_FIX_REASONS = {
    # a piece of upgrade() the writer cannot invert (inside "upgrade() has ...")
    "with-block": "a `with` block",
    "if-block": "an `if` block",
    "try-block": "a `try` block",
    "loop": "a loop",
    "nested-definition": "a nested definition",
    "statement": "a statement the fix cannot invert",
    "raise": "a `raise`",
    "del": "a `del`",
    "result-used": "the result of `{op}` is used",
    "execute-sql": "`op.execute` runs SQL the fix cannot invert",
    "opaque-code": "`{code}`, which the fix cannot invert",
    "opaque": "code the fix cannot invert",
    # why the writer stopped
    "upgrade-has": "upgrade() has {inner}",
    "no-upgrade": "there is no `upgrade()`",
    "no-name": "`{op}` has no {what}",
    "unnamed": "`{op}` has an unnamed {what}",
    "name-at-run-time": "the {what} of `{op}` is computed at run time",
    "computed": "`{name}` of `{op}` is computed inside upgrade()",
    "drops": "`{op}` in upgrade() drops something the file cannot restore",
    "runs-in-loop": "`{op}` runs in a loop",
    "column-elsewhere": "the column of `{op}` is built elsewhere",
    "unknown-argument": "`{op}` passes `{name}`, which has no known inverse",
    "existing-missing": "`{op}` changes `{name}` but does not say `{existing}`",
    "existing-comment-missing": "`{op}` does not say `existing_comment`",
    "comment-computed": "the comment of `{op}` is computed inside upgrade()",
    "no-inverse": "`{op}` has no known inverse",
    "batch-unpacked": "`batch_alter_table` takes unpacked arguments",
    "batch-before": "`batch_alter_table(..., {keyword}=...)` describes the table before the upgrade",
    "batch-computed": "`batch_alter_table` arguments are computed inside upgrade()",
    "execute-in-upgrade": "`op.execute` in upgrade() runs SQL the fix cannot invert",
}


def no_fix_reason(reason: Reason) -> str:
    """The wording of a ``Reason`` (a nested one is worded in place)."""
    params = {k: no_fix_reason(v) if isinstance(v, Reason) else v for k, v in reason.params.items()}
    return NO_FIX_REASONS[reason.code].format(**params)
