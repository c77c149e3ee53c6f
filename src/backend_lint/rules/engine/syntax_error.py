from __future__ import annotations

from ..api import Rule, RuleSpec


SPEC = RuleSpec(
    code="BKL900",
    name="syntax-error",
    message="SyntaxError",
    internal=True,
)


class SyntaxError_(Rule):
    """
    ## What it does
    Reports a file that cannot be parsed: a syntax error, undecodable bytes, or a file the parser
    gives up on (too large, too deeply nested). The run goes on with the other files.

    ## Why is this bad?
    Nothing else can be checked in a file that does not parse, so its other findings are unknown.

    ## Example
    ```python
    def f(:
        pass
    ```

    ## Use instead
    ```python
    def f():
        pass
    ```

    ## Fix safety
    There is no fix.
    """

    spec = SPEC
