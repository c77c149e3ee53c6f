"""The index's facts of a file after an edit inside one top-level function, without extracting the file again.

``statements.relint_function`` compares what the project index records of the edited function ``F``: the
facts of a module made of ``F`` among the file's other statements (every other function and class a stub,
``statements.in_context``), before and after the edit. When they differ, the file's facts in the index must
change. Extracting the whole file again (from the spliced tree) costs 30-40 ms on a 1,000-line module; most
such edits (a call added, a query changed) change one entry of a per-function summary, which the extractors
key by the function's name (``extra.orm.functions[F].calls_out``, ``extra.flow.functions[F]``,
``extra.flow.guards[F]``): that entry is computed from ``F``'s own nodes and the module's names, which the
stubbed module resolves as the file does.

``patch_facts`` applies the change from "before" to "after" to the file's facts when every changed part of
the two lies under a key named ``F`` (a per-function entry) and the file's facts hold there exactly what
"before" holds (so nothing else in the file contributed to it). Anything else (a module-wide list that
``F`` is part of, such as the routes, a count summed over functions, a key that appears where the file has
none: its place in the dict's order is unknown) returns ``None``, and the caller extracts the file again.
Line numbers are not compared (as everywhere in the server: no per-file finding reads them); each entry
that changed is replaced whole, its line numbers made the file's (``F`` was parsed alone: its rows start at
1); the function's entries that did not change keep theirs, lagging as the other statements' do.

The patched facts share every unchanged part with the file's facts (copied only along the changed paths),
as ``Workspace.update_file(lagging=True)`` wants them. A differential test holds the result to a fresh
extraction (``tests/server/test_function_facts.py``, and ``check_facts`` in the statement differential).
"""

from __future__ import annotations

from typing import Any, Optional

_MISSING = object()
_LINE = "line"


def patch_facts(full: dict, before: dict, after: dict, name: str, row: int) -> Optional[dict]:
    """``full`` (the file's facts, with ``before`` as function ``name``'s part) with that part ``after``;
    ``row``: the function's first row in the file (``before`` and ``after`` count from 1). ``None`` when the
    change is not confined to entries keyed by ``name`` that the file holds as ``before`` does."""
    changes: list[tuple] = []
    _changes(before, after, (), changes)
    if not changes:
        return full
    entries: dict[tuple, None] = {}
    for path in changes:
        if name not in path:
            return None  # (a module-wide part: the routes, the deciders, the imports...)
        entries[path[: path.index(name) + 1]] = None  # (the function's whole entry: its line numbers the file's)
    out = dict(full)
    copies: dict[tuple, dict] = {(): out}
    for path in entries:
        was, now = _at(full, path), _at(after, path)
        if _no_lines(was) != _no_lines(_at(before, path)):
            return None  # the file holds more there than the function's part (or less)
        if was is _MISSING:
            return None  # a new key: where it goes in the dict's order is the extraction's to say
        parent = _copied(copies, full, path[:-1])
        if parent is None:
            return None
        if now is _MISSING:
            del parent[path[-1]]
        else:
            parent[path[-1]] = _shifted(now, row - 1)
    return out


def same_but_lines(a: Any, b: Any) -> bool:
    """Whether two facts are equal but for line numbers (compared in C first, level by level)."""
    if a is b or a == b:
        return True
    kind = a.__class__
    if kind is not b.__class__:
        return False
    if kind is dict:
        if len(a) != len(b):
            return False
        for key, value in a.items():
            other = b.get(key, _MISSING)
            if other is _MISSING:
                return False
            if key != _LINE and not same_but_lines(value, other):
                return False
        return True
    if kind is list:
        return len(a) == len(b) and all(same_but_lines(v, w) for v, w in zip(a, b))
    return False


def _changes(a: Any, b: Any, path: tuple, out: list) -> None:
    """The paths where ``a`` and ``b`` differ (but for line numbers), as deep as both are dicts."""
    if a is b or a == b:
        return
    if a.__class__ is dict and b.__class__ is dict:
        for key, value in a.items():
            if key == _LINE:
                continue
            other = b.get(key, _MISSING)
            if other is _MISSING:
                out.append(path + (key,))
            else:
                _changes(value, other, path + (key,), out)
        for key in b:
            if key != _LINE and key not in a:
                out.append(path + (key,))
        return
    if _no_lines(a) != _no_lines(b):
        out.append(path)


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        if value.__class__ is not dict:
            return _MISSING
        value = value.get(key, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def _copied(copies: dict, full: dict, path: tuple) -> Optional[dict]:
    """The dict at ``path`` in the patched facts, copied from ``full``'s on first use (its parents too)."""
    found = copies.get(path)
    if found is not None:
        return found
    parent = _copied(copies, full, path[:-1])
    if parent is None:
        return None
    value = parent.get(path[-1], _MISSING)
    if value.__class__ is not dict:
        return None
    copy = copies[path] = dict(value)
    parent[path[-1]] = copy
    return copy


def _no_lines(value: Any) -> Any:
    if value.__class__ is dict:
        return {k: _no_lines(v) for k, v in value.items() if k != _LINE}
    if value.__class__ is list:
        return [_no_lines(v) for v in value]
    return value


def _shifted(value: Any, rows: int) -> Any:
    """A copy of ``value`` with every line number moved by ``rows``."""
    if value.__class__ is dict:
        return {k: (v + rows if k == _LINE and v.__class__ is int else _shifted(v, rows)) for k, v in value.items()}
    if value.__class__ is list:
        return [_shifted(v, rows) for v in value]
    return value
