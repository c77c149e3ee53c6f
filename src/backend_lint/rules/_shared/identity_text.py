"""Families 1-2's text prefilters: does a file's text spell one of a set of words (a substring test). The two
rules of a family ask in turn about the same text and word set: the last answer is kept, one per family."""

from __future__ import annotations

from typing import Any, Callable

_answers: dict[str, tuple[Any, Any, bool]] = {}


def remembered(slot: str, source: str, key: Any, compute: Callable[[], bool]) -> bool:
    """``compute()``, kept for the last ``source`` and ``key`` asked in ``slot`` (by identity: a text and a word
    set held here cannot be freed and their ids reused while they are remembered)."""
    last = _answers.get(slot)
    if last is not None and last[0] is source and last[1] is key:
        return last[2]
    found = compute()
    _answers[slot] = (source, key, found)
    return found


def spells_any(source: str, words: Any) -> bool:
    """``any(w in source for w in words)``, remembered for the last text and word set."""
    return remembered("words", source, words, lambda: any(w in source for w in words))
