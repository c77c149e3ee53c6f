"""Families 1-2's text prefilters: does a file's text spell one of a set of words (a substring test). The two
rules of a family ask in turn about the same text and word set: the last answer is kept."""

from __future__ import annotations

from typing import Any, Optional

_answer: tuple[Optional[str], Any, bool] = (None, None, False)


def spells_any(source: str, words: Any) -> bool:
    """``any(w in source for w in words)``, remembered for the last text and word set (by identity)."""
    global _answer
    last = _answer
    if last[0] is source and last[1] is words:
        return last[2]
    found = any(w in source for w in words)
    _answer = (source, words, found)
    return found
