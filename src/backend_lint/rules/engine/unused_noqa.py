from __future__ import annotations

from ...values import FixAvailability
from ..api import Rule, RuleSpec


SPEC = RuleSpec(
    code="BKL901",
    name="unused-noqa",
    message="Unused `noqa` directive",
    fix_availability=FixAvailability.ALWAYS,
    internal=True,
)


class UnusedNoqa(Rule):
    """
    ## What it does
    Reports a `# noqa: BKL...` code that suppresses nothing on its line, or names no known rule.
    Codes of other tools (`E501`, `DTZ005`) are left alone. Reported by the standalone CLI only: under
    flake8, flake8 owns `# noqa`.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line and misleads readers.

    ## Example
    ```python
    x = 1  # noqa: BKL301
    ```

    ## Use instead
    ```python
    x = 1
    ```

    ## Fix safety
    The fix removes the unused codes (or the whole directive when none is left) and is safe: no
    finding that was suppressed becomes visible.
    """

    spec = SPEC
