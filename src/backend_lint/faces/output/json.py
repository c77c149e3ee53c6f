"""The json format (ruff's shape)."""

from __future__ import annotations

import json
import os
from typing import Sequence

from ...values import Diagnostic
from .urls import rule_url


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
        "url": rule_url(d.code),
    }


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([_diag_json(d) for d in diagnostics], indent=2) + "\n"
