"""After the index changes, the server keeps a derived fact (``memo``) whose computation's every read gets
the same answer and whose factory reads nothing but the index, the settings and its key
(``RecordingIndex.keep_derived``); any other is computed again, as a full lint would."""

from __future__ import annotations

from pathlib import Path

from backend_lint.faces.server.reads import ReadLog, RecordingIndex, _keyed, recording
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

COMPUTED: list[str] = []
A = "class A:\n    x: int\n"
B = "class B:\n    y: int\n"


def _index(tmp_path: Path) -> tuple[ProjectIndex, RecordingIndex, str, str]:
    a, b = str(tmp_path / "a.py"), str(tmp_path / "b.py")
    index = ProjectIndex.from_sources(str(tmp_path), {a: A, b: B})
    return index, RecordingIndex(index), a, b


def test_which_factories_are_keyed(tmp_path: Path) -> None:
    index, recorder, _, _ = _index(tmp_path)
    settings = Settings(root=str(tmp_path))
    qualified = "a.A"
    summary = {"calls": []}

    def build() -> object:  # (closes over the index, the settings and a string of the key)
        return (recorder.get_class(qualified), settings.root)

    assert _keyed(build, ("memo", ("columns", qualified)), recorder)
    assert _keyed(lambda: index.get_class(qualified), ("memo", ("columns", qualified)), recorder)
    assert not _keyed(build, ("memo", ("columns", "b.B")), recorder)  # a string not in the key
    assert not _keyed(lambda: (qualified, summary), ("memo", ("columns", qualified)), recorder)  # what a caller read
    assert not _keyed(len, ("memo", "k"), recorder)  # not a Python function


def test_a_derived_fact_that_holds_is_kept(tmp_path: Path) -> None:
    index, recorder, a, b = _index(tmp_path)
    computed = COMPUTED
    computed.clear()

    def columns(qualified: str) -> object:
        def build() -> object:
            COMPUTED.append(qualified)  # (a global: a factory that closes over a list is not keyed)
            found = recorder.get_class(qualified)
            return sorted(found[1]["fields"]) if found else None

        with recording(recorder, ReadLog()):
            return recorder.memo(("columns", qualified), build)

    first_a, first_b = columns("a.A"), columns("b.B")
    assert computed == ["a.A", "b.B"]
    # ``b`` changes: ``a.A``'s columns hold (the same object, not computed again), ``b.B``'s are computed again
    index.update_source(b, "class B:\n    y: int\n    z: int\n")
    assert recorder.keep_derived() == 1
    assert columns("a.A") is first_a and columns("b.B") == ["y", "z"] != first_b
    assert computed == ["a.A", "b.B", "b.B"]
    # a change that moves only a line number keeps both
    index.update_source(a, "\n" + A)
    assert recorder.keep_derived() == 2
    columns("a.A"), columns("b.B")
    assert computed == ["a.A", "b.B", "b.B"]


class _NoExtra(dict):
    """A module's facts that fail any read of their ``extra`` part."""

    def __getitem__(self, key):
        assert key != "extra", "read the extractors' facts"
        return super().__getitem__(key)

    def get(self, key, default=None):
        assert key != "extra", "read the extractors' facts"
        return super().get(key, default)


def test_the_questions_blind_to_extra_facts_do_not_read_them() -> None:
    """``BLIND_TO_EXTRA``: after a change of a module's ``extra`` facts only, the server does not ask these
    again; each must answer without reading any module's ``extra`` part."""
    from backend_lint.faces.server.reads import BLIND_TO_EXTRA

    root = Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "BKL201" / "request_flow"
    sources = {str(p): p.read_text() for p in root.rglob("*.py") if not p.name.endswith(".fixed.py")}
    index = ProjectIndex.from_sources(str(root), sources)
    for abspath in list(sources):
        entry = index.entry(abspath)
        index._add(abspath, entry.digest, _NoExtra(entry.facts))
    names = set()
    for module, facts in list(index.modules.items()):
        names.add(module)
        for kind in ("classes", "functions", "assignments", "imports"):
            names.update(f"{module}.{name}" for name in dict.get(facts, kind, {}))
        names.update(dict.get(facts, "imports", {}).values())
    asked = set()
    for name in sorted(names):
        module, _, last = name.rpartition(".")
        calls = {
            "split": (name,), "resolve_symbol": (name,), "get_class": (name,), "canonical": (name,), "class_mro": (name,),
            "exports": (module, last), "star_source": (module, last), "module_info": (sorted(sources)[0],), "module_names": (),
        }
        for method, args in calls.items():
            getattr(index, method)(*args)
            asked.add(method)
    assert asked | {"modules.names", "modules.has"} == BLIND_TO_EXTRA
