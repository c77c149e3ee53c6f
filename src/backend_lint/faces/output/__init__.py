"""Output formatters: text (ruff's full format), json (ruff's shape), sarif 2.1.0, github annotations."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Iterable, Optional, Sequence

from ... import __version__
from ...values import Applicability, Diagnostic

FORMATS = ("text", "json", "sarif", "github", "concise")


def _rel(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


def format_text(
    diagnostics: Sequence[Diagnostic],
    color: bool = False,
    show_fixes: bool = False,
    unsafe_fixes: bool = False,
    sources: Optional[dict[str, str]] = None,
) -> str:
    s = _Style(color)
    lines: list[str] = []
    for d in diagnostics:
        marker = ""
        if d.fix is not None and (
            d.fix.applicability is Applicability.SAFE or (unsafe_fixes and d.fix.applicability is Applicability.UNSAFE)
        ):
            marker = " " + s("[*]", "36")
        lines.append(
            f"{s(_rel(d.path), '1')}{s(':', '36')}{d.row}{s(':', '36')}{d.column}{s(':', '36')} "
            f"{s(d.code, '1;31')}{marker} {d.message}"
        )
        if show_fixes and d.fix is not None:
            lines.append(f"  = help: {d.fix.message} ({d.fix.applicability.value})")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(
    diagnostics: Sequence[Diagnostic], fixed: int, unsafe_fixes: bool, fix_mode: bool
) -> str:
    parts = []
    n = len(diagnostics)
    if fix_mode and fixed:
        parts.append(f"Found {n + fixed} error{'s' if n + fixed != 1 else ''} ({fixed} fixed, {n} remaining).")
    elif n:
        parts.append(f"Found {n} error{'s' if n != 1 else ''}.")
    elif fix_mode and not fixed:
        parts.append("All checks passed!")
    else:
        parts.append("All checks passed!")
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability is Applicability.UNSAFE)
    if safe or (unsafe and unsafe_fixes):
        count = safe + (unsafe if unsafe_fixes else 0)
        parts.append(f"[*] {count} fixable with the `--fix` option.")
        if unsafe and not unsafe_fixes:
            parts[-1] = parts[-1][:-1] + f" ({unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option)."
    elif unsafe:
        parts.append(f"No fixes available ({unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option).")
    return "\n".join(parts)


def format_statistics(diagnostics: Sequence[Diagnostic]) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fixable)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max((len(str(c)) for _, c in rows), default=1)
    out = []
    for (code, name), count in rows:
        mark = "[*]" if fixable.get(code) else "[ ]"
        out.append(f"{count:>{width}}\t{code}\t{mark} {name}")
    return "\n".join(out) + ("\n" if out else "")


def _diag_json(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        edits = []
        for e, (start, end) in zip(d.fix.edits, d.edit_locations):
            edits.append(
                {
                    "content": e.content,
                    "location": {"row": start.row, "column": start.column},
                    "end_location": {"row": end.row, "column": end.column},
                }
            )
        fix = {"applicability": d.fix.applicability.value, "message": d.fix.message, "edits": edits}
    return {
        "cell": None,
        "code": d.code,
        "end_location": {"row": d.end_location.row, "column": d.end_location.column},
        "filename": os.path.abspath(d.path) if d.path != "-" else d.path,
        "fix": fix,
        "location": {"row": d.location.row, "column": d.location.column},
        "message": d.message,
        "noqa_row": d.noqa_row,
        "url": _url(d.code),
    }


def _url(code: str) -> str:
    from ...rules.api import DOCS_URL

    return DOCS_URL.format(code=code.lower())


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([_diag_json(d) for d in diagnostics], indent=2) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    out = []
    for d in diagnostics:
        f = _gh_escape(_rel(d.path), prop=True)
        out.append(
            f"::error title={_gh_escape('backend-lint (' + d.code + ')', prop=True)},file={f},line={d.row},col={d.column},"
            f"endLine={d.end_location.row},endColumn={d.end_location.column}::"
            f"{_gh_escape(f'{_rel(d.path)}:{d.row}:{d.column}: {d.code} {d.message}')}"
        )
    return "\n".join(out) + ("\n" if out else "")


def format_sarif(diagnostics: Sequence[Diagnostic], rules: Iterable[type]) -> str:
    rule_list = list(rules)
    index = {r.code: i for i, r in enumerate(rule_list)}
    sarif_rules = []
    for r in rule_list:
        sections = r.doc_sections()
        sarif_rules.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary() or r.message},
                "fullDescription": {"text": sections.get("What it does", r.message) or r.message},
                "help": {"text": sections.get("Why is this bad?", "") or r.message, "markdown": r.docs()},
                "helpUri": r.url(),
                "properties": {"fix": r.fix_availability.value, "family": r.family()},
            }
        )
    results = []
    for d in diagnostics:
        uri = _rel(d.path).replace(os.sep, "/")
        result = {
            "ruleId": d.code,
            "level": "error",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {
                            "startLine": d.row,
                            "startColumn": d.column,
                            "endLine": d.end_location.row,
                            "endColumn": d.end_location.column,
                        },
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix is not None and d.fix.edits:
            replacements = []
            for e, (start, end) in zip(d.fix.edits, d.edit_locations):
                replacements.append(
                    {
                        "deletedRegion": {
                            "startLine": start.row,
                            "startColumn": start.column,
                            "endLine": end.row,
                            "endColumn": end.column,
                        },
                        "insertedContent": {"text": e.content},
                    }
                )
            result["fixes"] = [
                {
                    "description": {"text": f"{d.fix.message} ({d.fix.applicability.value})"},
                    "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
                }
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "backend-lint",
                        "version": __version__,
                        "informationUri": "https://github.com/backend-lint/backend-lint",
                        "rules": sarif_rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
