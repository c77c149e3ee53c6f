"""Adoption on legacy code: baselines and ``--add-noqa``.

A baseline records current findings so that CI fails only on new ones. A finding is matched by its file
(relative to the project root), its code and a fingerprint of the code on its line (whitespace-stripped)
and its message, not by line number: code moving up and down keeps matching, while an edited line or a
new copy of the same mistake is a new finding. Each fingerprint carries a count, so a second identical
finding in the same file is new.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from typing import Iterable, Optional

from ..engine.noqa import parse_suppressions
from ..ground.io import SourceReadError, WriteError, read_source, write_atomically, write_source
from ..values import Diagnostic

BASELINE_VERSION = 1


class BaselineError(Exception):
    pass


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    except ValueError:
        return path.replace(os.sep, "/")


def fingerprint(d: Diagnostic, line_text: str) -> str:
    norm = " ".join(line_text.split())
    return hashlib.sha256(f"{d.code}\0{d.message}\0{norm}".encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _line(lines_by_path: dict[str, list[str]], d: Diagnostic) -> str:
    lines = lines_by_path.get(d.path)
    if lines is None:
        try:
            lines = read_source(d.path).text.splitlines()
        except SourceReadError:
            lines = []
        lines_by_path[d.path] = lines
    return lines[d.row - 1] if 0 < d.row <= len(lines) else ""


def write_baseline(path: str, diagnostics: Iterable[Diagnostic], root: str, sources: Optional[dict[str, str]] = None) -> int:
    cache: dict[str, list[str]] = {k: v.splitlines() for k, v in (sources or {}).items()}
    counts: Counter = Counter()
    for d in diagnostics:
        counts[(_rel(d.path, root), d.code, fingerprint(d, _line(cache, d)))] += 1
    entries = [
        {"file": f, "code": c, "fingerprint": fp, "count": n} for (f, c, fp), n in sorted(counts.items())
    ]
    data = {"version": BASELINE_VERSION, "tool": "backend-lint", "findings": entries}
    write_atomically(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return sum(counts.values())


def load_baseline(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a backend-lint baseline (version {BASELINE_VERSION})")
    out: Counter = Counter()
    for e in data["findings"]:
        try:
            out[(e["file"], e["code"], e["fingerprint"])] += int(e.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: malformed baseline entry {e!r}") from None
    return out


def filter_baseline(diagnostics: list[Diagnostic], baseline: Counter, root: str) -> list[Diagnostic]:
    remaining = Counter(baseline)
    cache: dict[str, list[str]] = {}
    kept = []
    for d in diagnostics:
        key = (_rel(d.path, root), d.code, fingerprint(d, _line(cache, d)))
        if remaining[key] > 0:
            remaining[key] -= 1
            continue
        kept.append(d)
    return kept


# --- --add-noqa -------------------------------------------------------------------------------------------
_NOQA_CODES = re.compile(r"#\s*noqa(?P<sep>:\s?)(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)
_NOQA_ANY = re.compile(r"#\s*noqa(?!:)", re.I)


def add_noqa(source: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """Add ``# noqa: CODE`` at the end of each finding's noqa line; returns (new source, directives added).

    Only comments change: an existing ``# noqa: X`` gets the code appended, a blanket ``# noqa`` already
    covers everything, a line ending in a backslash continuation cannot take a comment and is left alone.
    """
    lines = source.splitlines(keepends=True)
    by_row: dict[int, list[str]] = {}
    for d in diagnostics:
        row = d.noqa_row or d.row
        by_row.setdefault(row, [])
        if d.code not in by_row[row]:
            by_row[row].append(d.code)
    existing = parse_suppressions(source).by_row
    added = 0
    for row, codes in sorted(by_row.items()):
        if not 0 < row <= len(lines):
            continue
        line = lines[row - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        comment = existing.get(row)
        if comment is not None and comment.codes is None:
            continue  # blanket noqa
        if body.rstrip().endswith("\\"):
            continue
        if comment is not None:
            missing = [c for c in codes if not any(c.startswith(x) for x in comment.codes or [])]
            if not missing:
                continue
            start = comment.col
            text = comment.text
            m = _NOQA_CODES.search(text)
            if m is None:
                continue
            new_text = text[: m.end("codes")] + ", " + ", ".join(missing) + text[m.end("codes"):]
            body = body[:start] + new_text + body[start + len(text):]
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        lines[row - 1] = body + ending
        added += 1
    return "".join(lines), added


def add_noqa_to_files(diagnostics: Iterable[Diagnostic]) -> tuple[int, list[str]]:
    """``--add-noqa``: write a ``# noqa: CODE`` for each finding (BKL901 aside) into its file. Returns the
    number added and a warning per file that could not be read or written."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.code != "BKL901":
            by_path.setdefault(d.path, []).append(d)
    total = 0
    warnings: list[str] = []
    for path, ds in sorted(by_path.items()):
        try:
            src = read_source(path)
            new_text, n = add_noqa(src.text, ds)
            if n:
                write_source(src, new_text)
                total += n
        except (SourceReadError, WriteError) as exc:
            warnings.append(f"{path}: noqa not added: {exc}")
    return total, warnings
