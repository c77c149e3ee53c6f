"""What a run tells while it goes: a progress line on standard error (only on a terminal, only once the run
has taken about a second, never with ``--quiet``) and, with ``-v``, the phases' timings.

``Progress`` is the ``Request.progress`` callback of ``engine/workspace.run``: it is told
``(phase, done, total)`` and draws ``Linting 120/1400 files`` over itself with a carriage return, then
wipes the line when the run ends.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Optional, TextIO

DELAY = 1.0  # seconds of silence before the progress line appears
REDRAW = 0.1  # at most this often
PHASE_WORDS = {
    "discover": "Finding files",
    "index": "Indexing the project",
    "lint": "Linting",
    "project": "Checking project-wide rules",
}


def progress_delay() -> float:
    """``DELAY``, or ``BACKEND_LINT_PROGRESS_DELAY`` seconds (the tests draw at once with ``0``)."""
    raw = os.environ.get("BACKEND_LINT_PROGRESS_DELAY")
    if raw is None:
        return DELAY
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return DELAY


class Progress:
    def __init__(
        self,
        stream: Optional[TextIO],
        verbose: Optional[Callable[[str], None]] = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = stream  # None: no progress line
        self.verbose = verbose  # told the phases' timings
        self.clock = clock
        self.started = clock()
        self.delay = progress_delay()
        self.phase: Optional[str] = "settings"  # until ``run`` tells its first phase
        self.phase_started = self.started
        self.timings: list[tuple[str, float]] = []
        self.last_draw = -1.0
        self.drawn = False
        self.width = 0
        self.ended: Optional[float] = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = self.clock()
        if phase != self.phase:
            if self.phase is not None:
                self.timings.append((self.phase, now - self.phase_started))
            self.phase, self.phase_started = phase, now
            if phase == "done":
                self.clear()
                self.ended = now
                return
        if self.stream is None or now - self.started < self.delay:
            return
        if now - self.last_draw < REDRAW and done < total:
            return
        self.last_draw = now
        words = PHASE_WORDS.get(phase, phase)
        text = f"{words} {done}/{total} files" if phase == "lint" and total else f"{words}..."
        pad = " " * max(self.width - len(text), 0)
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self.width = len(text)
        self.drawn = True

    def clear(self) -> None:
        """Wipe the progress line (the run ended, or failed)."""
        if self.stream is not None and self.drawn:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.drawn = False

    def report_timings(self) -> None:
        """``-v``: each phase's time, and the run's."""
        self.clear()
        if self.verbose is None:
            return
        for phase, seconds in self.timings:
            self.verbose(f"timing: {phase:<9} {seconds * 1000:9.1f} ms")
        end = self.ended if self.ended is not None else self.clock()
        self.verbose(f"timing: {'total':<9} {(end - self.started) * 1000:9.1f} ms")
