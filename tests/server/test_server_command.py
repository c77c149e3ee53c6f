"""The ``server`` command is there, and ``check`` does not pay for it."""

from __future__ import annotations

import subprocess
import sys

from clihelpers import run_cli


def test_server_command_is_registered():
    proc = run_cli("server", "--help")
    assert proc.returncode == 0, proc.stderr
    assert b"language server" in proc.stdout


def test_the_cli_does_not_import_pygls_until_the_server_runs():
    code = (
        "import sys; from backend_lint.faces import cli; from backend_lint.faces import server; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
