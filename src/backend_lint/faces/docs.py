"""The README rule table, generated from the rules' own docs (a test keeps README.md in sync).

``python -m backend_lint.faces.docs README.md`` rewrites the table between the markers.
"""

from __future__ import annotations

import sys

from ..engine.registry import all_rules

BEGIN = "<!-- begin rule table -->"
END = "<!-- end rule table -->"
FIX_MARK = {"none": "", "sometimes": "(*)", "always": "*"}
# opt-in rules (``RuleSpec.opt_in``): off unless a written selector names them (``engine/selection.py``)
OPT_IN_MARK = "(opt-in)"


def rule_table() -> str:
    rows = ["| Code | Name | What it does | Fix |", "| --- | --- | --- | --- |"]
    for r in all_rules():
        summary = r.summary().replace("|", "\\|")
        name = f"{r.name} {OPT_IN_MARK}" if r.opt_in else r.name
        rows.append(f"| {r.code} | {name} | {summary} | {FIX_MARK[r.fix_availability.value]} |")
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
