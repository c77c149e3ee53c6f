"""Ctrl-C (issue 15, item 11): exit 130, and the files fixes already rewrote are listed.

No timing decides the outcome: the run is held inside its second file, reading a pin file that is a FIFO
(the SQLModel version search reads ``requirements.txt``), after the first file was fixed; the test waits
for that rewrite, then sends SIGINT to a run that cannot have gone further.

The child starts with SIGINT's default action: a process started from a non-interactive shell's background
job (``.ci/run ... &``) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler, so
the signal would be ignored, as its parent asked (that was the "race" seen once on a fresh clone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clihelpers import BIN, make_project

FIXABLE = "from datetime import datetime\n\nx = datetime.utcnow()\n"
MODELS = '''from datetime import datetime

from sqlmodel import Field, SQLModel


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
'''


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and SIGINT")
def test_ctrl_c_exits_130_and_lists_the_files_already_fixed(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a_fix.py": FIXABLE, "b_models.py": MODELS})
    os.mkfifo(root / "requirements.txt")
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.Popen(
        [str(BIN), "check", "--fix", "--unsafe-fixes", "--no-cache", "-j", "1", "."],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 240
        while (root / "a_fix.py").read_text() == FIXABLE:  # (waits for the rewrite, whatever it takes)
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the first file was never fixed"
            time.sleep(0.05)
        assert proc.poll() is None  # held on the FIFO: it cannot end by itself
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err.decode()
    text = err.decode()
    assert "interrupted: already fixed: a_fix.py" in text, text
    assert "b_models.py" not in text and "Traceback" not in text
