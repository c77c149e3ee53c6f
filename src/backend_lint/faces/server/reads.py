"""What a buffer's findings read from the project index, and whether those reads still hold.

The server's engine reaches its project index through a ``RecordingIndex``. While a lint of one buffer runs
(``recording``), every question the rules ask the index from outside the index itself is written down with
its answer in a ``ReadLog``: a method call (``get_class``, ``class_mro``, ``memo``, ...) with its arguments
and answer, an attribute, and, for the module facts read through ``index.modules[name]``, each path into
those facts that was looked at (the facts are handed out as ``TrackedFacts``, a ``dict`` that notes every
key it is asked for and every whole read: iteration, ``len``, comparison, ``items()``...). Questions asked
while answering another one (a ``memo``'s factory calling ``get_class``) are part of that answer and not
written down again.

When the index changes (a function's facts changed in this buffer, or another file's did), ``holds(log)``
asks every written question again and compares the answers: plain data by value (dicts, lists, sets,
tuples, strings, numbers, dataclasses), anything else (an iterator, an object of unknown shape) is taken
as changed; module facts by the paths read, old facts against new. When every answer is the same, every
rule saw the same index on this buffer, so its findings stand as they are (a rule's findings depend on the
buffer's text, the settings and the index's answers only); otherwise the caller lints again.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Mapping
from typing import Any, Iterator, Optional

_MISSING = object()
# Line numbers in the index's facts (a class's ``line``, a field's) are not compared: no per-file finding
# reads them (the premise of ``statements.py`` too: a function's facts equal but for lines are the same),
# and an edit that adds a line moves every one after it.
LINE = "line"
_PLAIN = (str, int, float, bool, bytes, type(None))


class _Raised:
    """An answer that was an exception (by its type and message)."""

    __slots__ = ("kind", "text")

    def __init__(self, exc: BaseException) -> None:
        self.kind, self.text = type(exc), str(exc)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Raised) and other.kind is self.kind and other.text == self.text

    __hash__ = None  # type: ignore[assignment]


class ReadLog:
    """The reads of one lint: ``calls`` (name, args, kwargs, answer), ``facts`` (module name -> [the facts
    read, {path: mode}]), ``children`` (the logs of the derived facts it used: a ``memo``'s computation,
    shared by every lint that used that value), ``broken`` (a read that cannot be asked again)."""

    __slots__ = ("calls", "_seen", "facts", "children", "_child_ids", "broken", "merges", "name", "generation")

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict, Any]] = []
        self._seen: set = set()
        self.facts: dict[str, list] = {}
        self.children: list["ReadLog"] = []
        self._child_ids: set[int] = set()  # (the children's ids: they stay alive in ``children``)
        self.broken = False
        self.merges = 0  # how many logs were merged into this one
        self.name: Any = None  # a derived fact's log: which one (``("memo", key)``)
        # the index's generation (``RecordingIndex.changed``) when its first read was made, or before; ``None``: unknown
        self.generation: Optional[int] = None

    def add_call(self, name: str, args: tuple, kwargs: dict, answer: Any) -> None:
        key = _call_key(name, args, kwargs)
        if key is not None:
            if key in self._seen:
                return
            self._seen.add(key)
        self.calls.append((name, args, kwargs, answer))

    def add_child(self, child: "ReadLog") -> None:
        if id(child) not in self._child_ids:
            self._child_ids.add(id(child))
            self.children.append(child)

    def merged(self, other: Optional["ReadLog"]) -> "ReadLog":
        """A log of both (one read asked of both, once): the findings of a buffer whose parts were linted at
        different times read all of them. The derived facts' logs stay shared.

        ``self`` is the newer log, written against the index as it is now, and ``other`` must hold now
        (it was checked, or the index did not change since it was written). Then a derived fact's older log
        adds nothing to its newer one (the value it read is the value the newer log read), and a module's
        older facts agree with its newer ones on every path the older log read: the merged log keeps the
        newer of each, so that it does not grow with every re-walk."""
        out = ReadLog()
        named = {c.name for c in self.children if c.name is not None}
        generations = [log.generation for log in (self, other) if log is not None]
        out.generation = None if None in generations else min(generations)
        for log in (self, other):
            if log is None:
                continue
            out.merges = max(out.merges, log.merges + 1)
            out.broken = out.broken or log.broken
            for name, args, kwargs, answer in log.calls:
                out.add_call(name, args, kwargs, answer)
            for child in log.children:
                if log is self or child.name is None or child.name not in named:
                    out.add_child(child)
            for key, (facts, paths) in log.facts.items():
                module = key.split("\0", 1)[0]
                mine = out.facts.get(module)
                if mine is None:
                    out.facts[module] = [facts, dict(paths)]
                elif log is self and mine[0] is not facts:  # (two versions read by the newer log: kept apart)
                    out.facts[f"{module}\0{len(out.facts)}"] = [facts, dict(paths)]
                else:  # the same facts, or older ones that agree with them on these paths
                    for path, mode in paths.items():
                        if _RANK[mode] > _RANK.get(mine[1].get(path), -1):
                            mine[1][path] = mode
        return out


def _call_key(name: str, args: tuple, kwargs: dict) -> Any:
    try:
        key = (name, args, tuple(sorted(kwargs.items())))
        hash(key)
        return key
    except TypeError:
        return None


# What the engine takes from the index that is no fact of the project: the parse of the very text being linted
# (``take_tree``, handed over once); its answer says nothing about the findings.
_NOT_QUESTIONS = frozenset({"take_tree"})
# The index's questions whose answers read the set of modules and their top-level facts only (``classes``,
# ``functions``, ``assignments``, ``imports``, ``all``, ``star_imports``: ``ProjectIndex.resolve_symbol`` and
# what is built on it), never a module's ``extra`` facts (the extractors'): after changes of ``extra`` parts
# only (``RecordingIndex.changed``), their answers are the same and are not asked again. A test holds each
# to that (``tests/server/test_derived_facts.py``).
BLIND_TO_EXTRA = frozenset({
    "split", "resolve_symbol", "exports", "star_source", "get_class", "canonical", "class_mro", "module_info",
    "module_names", "modules.names", "modules.has",
})


class RecordingIndex:
    """The project index, as the server's engine sees it: every read made while a log is set is written
    down there. Without a log it only forwards (one attribute lookup more per question).

    A derived fact (``memo`` / ``stored_memo``) is not a question that can be asked again (its factory
    closes over what its caller read at the time): what its computation read is written down in a log of
    its own, kept with the value, and every lint that uses the value refers to that log."""

    def __init__(self, index: Any) -> None:
        self.__dict__["_index"] = index
        self.__dict__["_logs"] = []  # the logs being written: a lint's, then each derived fact being computed
        # a derived fact's key -> (its value, the log of its computation, whether its factory reads nothing
        # but the index, the settings and its key: ``_keyed``)
        self.__dict__["_memo_logs"] = {}
        # each change of the index (``changed``) moves its generation; ``_structural``: the generation of the
        # last change that was not of ``extra`` facts only
        self.__dict__["_generation"] = 0
        self.__dict__["_structural"] = 0
        # the index's digest after the last change told (``changed``): a change made behind its back (the index
        # updated directly) counts as any change
        self.__dict__["_announced"] = _digest(index)
        self.__dict__["_unannounced"] = False

    @property
    def real(self) -> Any:
        return self.__dict__["_index"]

    @property
    def log(self) -> Optional[ReadLog]:
        logs = self.__dict__["_logs"]
        return logs[-1] if logs else None

    def __getattr__(self, name: str) -> Any:
        index = self.__dict__["_index"]
        value = getattr(index, name)
        log = self.log
        if log is None or log is _IGNORED or name in _NOT_QUESTIONS:
            return value
        if name == "modules":
            return _TrackedModules(value, log)
        if callable(value):
            return self._recording(name, value)
        if name.startswith("_"):
            log.broken = True  # the index's own state: not a question that can be asked again
            return value
        log.add_call("@" + name, (), {}, _snapshot(value))
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_index"], name, value)

    def _recording(self, name: str, method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            logs = self.__dict__["_logs"]
            log = logs[-1]
            logs.append(_IGNORED)  # (what the index reads of itself meanwhile is its answer)
            try:
                answer = method(*args, **kwargs)
            except Exception as exc:
                log.add_call(name, args, kwargs, _Raised(exc))
                raise
            finally:
                logs.pop()
            if isinstance(answer, Iterator):
                log.broken = True  # (an iterator over the index: consumed by the caller, not kept)
            else:
                log.add_call(name, args, kwargs, answer)
            return answer

        return call

    # -- derived facts and whole-index reads -----------------------------------------------------------
    def memo(self, key: Any, factory: Any) -> Any:
        return self._derived(("memo", key), lambda f: self.real.memo(key, f), factory)

    def stored_memo(self, key: str, factory: Any, load: Any = None) -> Any:
        return self._derived(("stored", key), lambda f: self.real.stored_memo(key, f, load), factory)

    def _derived(self, name: Any, get: Any, factory: Any) -> Any:
        log = self.log
        if log is None or log is _IGNORED:
            return get(factory)
        logs = self.__dict__["_logs"]
        known = self.__dict__["_memo_logs"]
        memo = getattr(self.real, "_memo", None)
        if not isinstance(memo, dict):
            log.broken = True
            return get(factory)
        if not memo:
            known.clear()  # (the index changed: every derived fact is computed again)
        ran: list[bool] = []

        def computing() -> Any:
            ran.append(True)
            return factory()

        sub = ReadLog()
        sub.generation = self.__dict__["_generation"]
        logs.append(sub)
        try:
            value = get(computing)
        finally:
            logs.pop()
        sub.name = name
        if ran:  # computed now: ``sub`` read what it depends on
            known[name] = (value, sub, _keyed(factory, name, self))
        else:
            found = known.get(name)
            if found is not None and found[0] is value:
                sub = found[1]
            else:  # computed while nothing was written down (or read back from the store): its reads again
                logs.append(sub)
                try:
                    factory()
                except Exception:
                    sub.broken = True
                finally:
                    logs.pop()
                known[name] = (value, sub, _keyed(factory, name, self))
        log.add_child(sub)
        return value

    def iter_modules(self) -> Iterator:
        if self.log is None or self.log is _IGNORED:
            return self.real.iter_modules()
        return iter(_TrackedModules(self.real.modules, self.log).items())

    def iter_classes(self) -> Iterator:
        if self.log is None or self.log is _IGNORED:
            return self.real.iter_classes()
        return self._classes()

    def _classes(self) -> Iterator:
        for mod, facts in _TrackedModules(self.real.modules, self.log).items():
            for name, cls in facts.get("classes", {}).items():
                yield f"{mod}.{name}", cls

    def module_names(self) -> Any:
        names = self.real.module_names()
        log = self.log
        if log is not None and log is not _IGNORED:
            log.add_call("module_names", (), {}, frozenset(names))
        return names

    def keep_derived(self) -> int:
        """After the index changed (it forgot its derived facts): each derived fact whose computation's
        every read gets the same answer now, and whose factory reads nothing but the index, the settings
        and its key (``_keyed``: not what its caller read), goes back into the index's memo with its log,
        as computing it again would give it. Returns how many were kept."""
        real = self.real
        memo = getattr(real, "_memo", None)
        known = self.__dict__["_memo_logs"]
        if not isinstance(memo, dict) or memo or not known:
            return 0  # (nothing was forgotten, or something was computed again since: kept as it is)
        logs = self.__dict__["_logs"]
        saved = list(logs)
        logs.clear()  # (nothing asked here is written down)
        kept: dict = {}
        try:
            checked, answers = self._asked()
            for name, entry in known.items():
                if entry[2] and self._holds(entry[1], checked, answers):
                    kept[name] = entry
        except Exception:  # a question that cannot be asked again: nothing is kept
            kept = {}
        finally:
            logs[:] = saved
        known.clear()
        known.update(kept)
        for (kind, key), entry in kept.items():
            memo[key if kind == "memo" else ("stored", key)] = entry[0]
        return len(kept)

    # -- asking again ----------------------------------------------------------------------------------
    def holds(self, log: Optional[ReadLog]) -> bool:
        """Whether every read of ``log`` gets the same answer from the index as it is now."""
        if log is None:
            return False
        logs = self.__dict__["_logs"]
        saved = list(logs)
        logs.clear()  # (nothing asked here is written down)
        try:
            checked, answers = self._asked()
            return self._holds(log, checked, answers)
        except Exception:  # a question that cannot be asked again as it was: not the same
            self.__dict__["_asked_now"] = None
            return False
        finally:
            logs[:] = saved

    def _asked(self) -> tuple:
        """What was asked again of the index as it is now (the logs checked, each question's answer):
        kept until the index changes (``changing``, or its project digest moves), so that the derived facts' logs that
        ``keep_derived`` checked are not checked again by the next ``holds``."""
        state = self.real.project_digest()
        asked = self.__dict__.get("_asked_now")
        if asked is None or asked[0] != state:
            asked = self.__dict__["_asked_now"] = (state, {}, ({}, {}))
        return asked[1], asked[2]

    def changing(self) -> None:
        """The index is about to change (a file's text, maybe its facts): what was asked of it is forgotten."""
        self.__dict__["_asked_now"] = None
        if _digest(self.real) != self.__dict__["_announced"]:
            self.__dict__["_unannounced"] = True

    def changed(self, extra_only: bool) -> None:
        """The index changed (``changing`` was called before); ``extra_only``: in one module's ``extra`` facts
        only (its other top-level facts the same objects, the set of modules the same). A log written since
        the last other change need not ask the questions in ``BLIND_TO_EXTRA`` again."""
        generation = self.__dict__["_generation"] = self.__dict__["_generation"] + 1
        if not extra_only or self.__dict__["_unannounced"]:
            self.__dict__["_structural"] = generation
        self.__dict__["_unannounced"] = False
        self.__dict__["_announced"] = _digest(self.real)

    def _blind(self, log: ReadLog, memo: tuple) -> frozenset:
        """The questions of ``log`` whose answers are the same now without asking (see ``changed``);
        ``memo``: ``_asked``'s (whether no change was made behind the recorder's back, told once per state)."""
        if log.generation is None or log.generation < self.__dict__["_structural"]:
            return frozenset()
        answers = memo[0]
        told = answers.get(_TOLD, _MISSING)
        if told is _MISSING:
            announced = self.__dict__["_announced"]
            told = answers[_TOLD] = announced is not None and not self.__dict__["_unannounced"] and _digest(self.real) == announced
        return BLIND_TO_EXTRA if told else frozenset()

    def _holds(self, log: ReadLog, checked: dict, memo: tuple) -> bool:
        done = checked.get(id(log))
        if done is not None and done[0] is log:
            return done[1]
        checked[id(log)] = (log, False)  # (a cycle: not the same; the log is kept alive with its id)
        ok = self._holds_here(log, memo) and all(self._holds(c, checked, memo) for c in log.children)
        checked[id(log)] = (log, ok)
        return ok

    def _holds_here(self, log: ReadLog, memo: tuple) -> bool:
        """``memo``: (a question's key -> its answer now, the containers compared already)."""
        if log.broken:
            return False
        index = self.real
        answers, seen = memo
        blind = self._blind(log, memo)
        for name, args, kwargs, answer in log.calls:
            if name in blind:
                continue  # (only ``extra`` facts changed since the log was written: the same answer)
            key = _call_key(name, args, kwargs)
            now = answers.get(key, _MISSING) if key is not None else _MISSING
            if now is not _MISSING:
                pass
            elif name.startswith("@"):
                now = _snapshot(getattr(index, name[1:], _MISSING))
            elif name == "modules.has":
                now = args[0] in index.modules
            elif name == "modules.names":
                now = frozenset(index.module_names())
            elif name == "module_names":
                now = frozenset(index.module_names())
            else:
                try:
                    now = getattr(index, name)(*args, **kwargs)
                except Exception as exc:
                    now = _Raised(exc)
            if key is not None:
                answers[key] = now
            if not same(now, answer, seen):
                return False
        if not log.facts:
            return True
        modules = index.modules
        for key, (old, paths) in log.facts.items():
            module = key.split("\0", 1)[0]
            new = modules[module] if module in modules else _MISSING
            if new is old:
                continue
            if new is _MISSING or not isinstance(new, dict):
                return False
            for path, mode in paths.items():
                if path and path[-1] == LINE:
                    continue
                a, b = _at_both(old, new, path)
                if a is b:
                    continue  # (the same object on the way there: the index shares what did not change)
                if mode == "value":
                    if not same(a, b, seen):
                        return False
                elif (a is _MISSING) != (b is _MISSING) or isinstance(a, dict) != isinstance(b, dict):
                    return False
                elif mode == "nonempty" and bool(a) != bool(b):
                    return False
                elif mode == "keys" and isinstance(a, dict) and a.keys() != b.keys():
                    return False
        return True


_IGNORED = ReadLog()  # where reads made inside the index's own answers go (never checked)
_TOLD = ("told",)  # (a key of ``_asked``'s answers no question has: ``_blind``)


def _digest(index: Any) -> Any:
    digest = getattr(index, "project_digest", None)
    return digest() if callable(digest) else None


def _keyed(factory: Any, name: Any, recorder: "RecordingIndex") -> bool:
    """Whether a derived fact's factory computes it from the index (whose reads its log holds), the
    settings and its key only: every value its closure (and its nested functions' closures and default
    arguments) holds is the index (or a ``ProjectProbe`` of it), a ``Settings``, code (a function, a class,
    a module, a builtin), or plain data found in the key. A factory that closes over anything else (what
    its caller read: a helper's summary) is not: that value is computed again after a change."""
    from ...engine.api import ProjectProbe  # (loaded: the engine made the probe)
    from ...ground.config import Settings  # (idem)

    plain: set = set()

    def flatten(value: Any) -> None:
        if isinstance(value, (tuple, frozenset)):
            for v in value:
                flatten(v)
        elif isinstance(value, _PLAIN):
            plain.add((value.__class__, value))

    flatten(name[1] if isinstance(name, tuple) and len(name) == 2 else name)
    indexes = (recorder, recorder.real)
    seen: set = set()

    def ok(value: Any, depth: int) -> bool:
        if value is None or any(value is i for i in indexes) or isinstance(value, Settings):
            return True
        if isinstance(value, ProjectProbe):
            return any(value.unprobed is i for i in indexes)
        if isinstance(value, _PLAIN):
            return (value.__class__, value) in plain
        if isinstance(value, (tuple, frozenset)):
            return all(ok(v, depth) for v in value)
        if isinstance(value, (type, types.ModuleType, types.BuiltinFunctionType)):
            return True
        if isinstance(value, types.FunctionType):
            if id(value) in seen:
                return True
            if depth > 4:
                return False
            seen.add(id(value))
            cells = value.__closure__ or ()
            try:
                contents = [c.cell_contents for c in cells]
            except ValueError:  # (a cell not filled yet)
                return False
            return all(ok(v, depth + 1) for v in contents + list(value.__defaults__ or ()) + list((value.__kwdefaults__ or {}).values()))
        return False

    try:
        return ok(factory, 0) if isinstance(factory, types.FunctionType) else False
    except Exception:
        return False


class recording:
    """``with recording(index, log):`` writes the reads made meanwhile into ``log`` (no-op for another index)."""

    def __init__(self, index: Any, log: ReadLog) -> None:
        self.index = index if isinstance(index, RecordingIndex) else None
        self.log = log

    def __enter__(self) -> ReadLog:
        if self.index is not None:
            if self.log.generation is None:
                self.log.generation = self.index.__dict__["_generation"]
            self._saved = list(self.index.__dict__["_logs"])
            self.index.__dict__["_logs"][:] = [self.log]
        return self.log

    def __exit__(self, *exc: Any) -> None:
        if self.index is not None:
            self.index.__dict__["_logs"][:] = self._saved


def _at(facts: Any, path: tuple) -> Any:
    value = facts
    for key in path:
        if not isinstance(value, dict):
            return _MISSING
        value = value.get(key, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def _at_both(old: Any, new: Any, path: tuple) -> tuple[Any, Any]:
    """``(_at(old, path), _at(new, path))``, stopping where both reach the same object."""
    for key in path:
        if old is new:
            return old, new
        old = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
        new = new.get(key, _MISSING) if isinstance(new, dict) else _MISSING
    return old, new


def _snapshot(value: Any) -> Any:
    """An attribute's value as it is now (containers copied: the index updates them in place)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, set)):
        return type(value)(value)
    return value


_CONTAINERS = (tuple, list, dict, set, frozenset)


def same(a: Any, b: Any, seen: Optional[dict] = None, _depth: int = 0) -> bool:
    """Whether two answers are the same plain data; anything of unknown shape is not. ``seen``: pairs of
    containers compared already (one check of a log compares the same facts many times)."""
    if _depth > 60:
        return False
    kind = a.__class__
    if kind is not b.__class__:
        return False
    if kind in _PLAIN:
        return a == b
    if a is b and kind in _CONTAINERS:
        return True  # (the index never changes its facts, nor a derived value, in place: a change is a new object)
    if seen is not None and kind in _CONTAINERS:
        pair = (id(a), id(b))
        known = seen.get(pair)
        if known is not None:
            return known
        seen[pair] = result = _same_inside(a, b, seen, _depth)
        return result
    return _same_inside(a, b, seen, _depth)


def _same_inside(a: Any, b: Any, seen: Optional[dict], _depth: int) -> bool:
    if isinstance(a, _PLAIN):
        return a == b
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y, seen, _depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            w = b.get(k, _MISSING)
            if w is _MISSING or (k != LINE and not same(v, w, seen, _depth + 1)):
                return False
        return True
    if isinstance(a, (set, frozenset)):
        return all(isinstance(x, _PLAIN + (tuple, frozenset)) for x in a) and a == b
    if isinstance(a, _Raised):
        return a == b
    if isinstance(a, enum.Enum):
        return a is b
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if a is b and not a.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return False  # (the same mutable object: it may have changed in place since)
        return all(f.name == LINE or same(getattr(a, f.name), getattr(b, f.name), seen, _depth + 1) for f in dataclasses.fields(a))
    return False


# -- module facts, read path by path ------------------------------------------------------------------------
class _TrackedModules(Mapping):
    """``index.modules`` while a lint records: a module's facts come out as ``TrackedFacts``."""

    def __init__(self, modules: Any, log: ReadLog) -> None:
        self._modules = modules
        self._log = log

    def __getitem__(self, name: str) -> Any:
        try:
            facts = self._modules[name]
        except KeyError as exc:
            self._log.add_call("modules.has", (name,), {}, False)
            raise exc
        return self._tracked(name, facts)

    def get(self, name: str, default: Any = None) -> Any:
        if name in self._modules:
            return self[name]
        self._log.add_call("modules.has", (name,), {}, False)
        return default

    def __contains__(self, name: object) -> bool:
        found = name in self._modules
        self._log.add_call("modules.has", (name,), {}, found)
        return found

    def _names(self) -> list[str]:
        names = list(self._modules)
        self._log.add_call("modules.names", (), {}, frozenset(names))
        return names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def _tracked(self, name: str, facts: Any) -> Any:
        if not isinstance(facts, dict):
            self._log.broken = True
            return facts
        entry = self._log.facts.get(name)
        if entry is None or entry[0] is not facts:
            if entry is not None:  # read before the index changed mid-lint: keep both
                self._log.facts[f"{name}\0{len(self._log.facts)}"] = entry
            entry = self._log.facts[name] = [facts, {}]
        return TrackedFacts(facts, (), entry[1])


_RANK = {"has": 0, "nonempty": 1, "keys": 2, "value": 3}


class TrackedFacts(dict):
    """A copy of one dict of a module's facts that notes, in ``paths``, each path into the facts that was
    read: ``"has"`` (present or not, a dict or not: its contents are read further down), ``"nonempty"``
    (also whether it is empty), ``"keys"`` (its keys: iterated, each value read further down) or ``"value"``
    (the whole value there). ``items()`` and ``values()`` hand out the values as ``TrackedFacts`` too (as
    lists, not views)."""

    __slots__ = ("_path", "_paths", "_children")

    def __init__(self, facts: dict, path: tuple, paths: dict) -> None:
        super().__init__(facts)
        self._path = path
        self._paths = paths
        self._children: dict = {}

    def _note(self, path: tuple, mode: str) -> None:
        if _RANK[mode] > _RANK.get(self._paths.get(path), -1):
            self._paths[path] = mode

    def _whole(self) -> None:
        self._note(self._path, "value")

    def _child(self, key: Any, value: Any) -> Any:
        path = self._path + (key,)
        if isinstance(value, dict):
            self._note(path, "has")
            child = self._children.get(key)
            if child is None:
                child = self._children[key] = TrackedFacts(value, path, self._paths)
            return child
        self._note(path, "value")
        return value

    def __getitem__(self, key: Any) -> Any:
        try:
            value = dict.__getitem__(self, key)
        except KeyError:
            self._note(self._path + (key,), "has")
            raise
        return self._child(key, value)

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            self._note(self._path + (key,), "has")
            return default
        return self._child(key, value)

    def __contains__(self, key: object) -> bool:
        self._note(self._path + (key,), "has")
        return dict.__contains__(self, key)

    # the keys read (each value read further down)
    def _keys(self) -> None:
        self._note(self._path, "keys")

    def __iter__(self) -> Iterator:
        self._keys()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._keys()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._keys()
        return dict.keys(self)

    def values(self) -> Any:
        self._keys()
        return [self._child(k, v) for k, v in dict.items(self)]

    def items(self) -> Any:
        self._keys()
        return [(k, self._child(k, v)) for k, v in dict.items(self)]

    # every whole read: the value at this path

    def __eq__(self, other: object) -> bool:
        self._whole()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        self._whole()
        return dict.__ne__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._whole()
        return dict.__repr__(self)

    def __reversed__(self) -> Iterator:
        self._whole()
        return dict.__reversed__(self)

    def __or__(self, other: Any) -> Any:
        self._whole()
        return dict.__or__(self, other)

    def __ror__(self, other: Any) -> Any:
        self._whole()
        return dict.__ror__(self, other)

    def copy(self) -> dict:
        self._whole()
        return dict(dict.items(self))

    def __reduce_ex__(self, protocol: Any) -> Any:
        self._whole()
        return (dict, (dict(dict.items(self)),))

    def __bool__(self) -> bool:
        self._note(self._path, "nonempty")
        return dict.__len__(self) > 0

    # writes (the facts are never written: a write reads everything, to be safe)
    def __setitem__(self, key: Any, value: Any) -> None:
        self._whole()
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self._whole()
        dict.__delitem__(self, key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._whole()
        return dict.setdefault(self, key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        self._whole()
        return dict.pop(self, key, *default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._whole()
        dict.update(self, *args, **kwargs)
