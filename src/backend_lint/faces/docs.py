"""The README rule table, generated from the rules' own docs (a test keeps README.md in sync).

``python -m backend_lint.faces.docs README.md`` rewrites the table between the markers.
"""

from __future__ import annotations

import sys

from ..engine.registry import all_rules

BEGIN = "<!-- begin rule table -->"
END = "<!-- end rule table -->"
FIX_MARK = {"none": "", "sometimes": "(*)", "always": "*"}


def rule_table() -> str:
    rows = ["| Code | Name | What it does | Fix |", "| --- | --- | --- | --- |"]
    for r in all_rules():
        summary = r.summary().replace("|", "\\|")
        rows.append(f"| {r.code} | {r.name} | {summary} | {FIX_MARK[r.fix_availability.value]} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END)
    return readme[:start] + "\n" + rule_table() + "\n" + readme[end:]


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "README.md"
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    new = render(text)
    if new != text:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
