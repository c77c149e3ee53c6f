"""The real server with one more rule, which crashes on every file it visits (``test_server.py`` only).

It runs the same ``serve`` as ``backend-lint server``; the extra rule comes in through ``serve``'s
``extra_rules`` (the engine's own ``rules=`` parameter), not by patching anything.
"""

from __future__ import annotations

import libcst as cst

from backend_lint.faces.server import serve
from backend_lint.rules.api import Rule, RuleSpec

SPEC = RuleSpec(code="BKL998", name="crashes-always", message="never reported")


class CrashesAlways(Rule):
    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        raise RuntimeError("this rule always crashes")


if __name__ == "__main__":
    serve(extra_rules=[CrashesAlways])
