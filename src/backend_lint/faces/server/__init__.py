"""``backend-lint server``: a language server (LSP on stdio) on the warm engine.

``session.py`` holds the state (open buffers, a warm ``Workspace`` per project, findings and actions),
``lsp.py`` the protocol (pygls 2, lsprotocol), ``incremental.py`` the reuse of findings across edits that
change no code, ``statements.py`` the re-walk of one edited function, ``function_facts.py`` the index's
facts of a file after such an edit (the function's entries patched in), ``reads.py`` what a buffer's findings
read from the index (and whether it still holds), ``convert.py`` positions. pygls is imported only by this command (``serve``): ``check``
never pays for it.
"""

from __future__ import annotations

from typing import Any, Sequence

_MISSING = "the language server needs pygls and lsprotocol: pip install 'backend-lint[server]'"


class ServerUnavailable(Exception):
    """pygls / lsprotocol are not installed (the ``server`` extra)."""


def serve(extra_rules: Sequence[Any] = ()) -> None:
    """Run the language server on standard input and output until the client exits."""
    try:
        from .lsp import serve as run  # (pygls and lsprotocol: only the server command loads them)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise ServerUnavailable(_MISSING) from None
        raise
    run(extra_rules)
