from __future__ import annotations

from ..api import Rule, RuleSpec


SPEC = RuleSpec(
    code="BKL902",
    name="io-error",
    message="No such file or directory",
    internal=True,
)


class IoError(Rule):
    """
    ## What it does
    Reports a path named on the command line that does not exist (a mistyped file or directory),
    like ruff's E902. It is an error finding: the run exits 1 and never says that all checks passed.
    It is reported whatever the selection, since nothing was checked at that path.

    ## Why is this bad?
    A mistyped path in a CI script or a pre-commit hook checks nothing; reporting it as a pass would
    hide that the file was never linted.

    ## Example
    ```console
    $ backend-lint check app/mian.py
    app/mian.py:1:1: BKL902 No such file or directory (os error 2)
    ```

    ## Use instead
    ```console
    $ backend-lint check app/main.py
    ```

    ## Fix safety
    There is no fix.
    """

    spec = SPEC
