"""SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from typing import Iterable, Sequence

from ... import __version__
from ...values import Diagnostic
from .paths import display_path
from .urls import rule_url


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
                "helpUri": rule_url(r.code),
                "properties": {"fix": r.fix_availability.value, "family": r.family()},
            }
        )
    results = []
    for d in diagnostics:
        uri = display_path(d.path).replace(os.sep, "/")
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
