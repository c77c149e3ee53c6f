"""Re-walking one edited function (``faces/server/statements.py``) gives what a full lint gives.

Random sequences of edits inside the functions of real fixture files (statements added, removed,
duplicated, literals changed, a ``noqa`` added, code that does not parse), each applied to the server's
session as an editor would, and after each edit the session's findings are compared with a full lint of
the same text in the same project. Also checks that the fast path is actually taken on such edits.

``BKL_RELINT_EXAMPLES`` sets the number of examples per fixture group (CI: 15, derandomized; run with
e.g. 300 for a longer, random search).

Edits that change what the project index records (a function's calls, its queries, a helper's scoping)
are checked in the fixture projects of families 1 and 2 (a route module reading its helpers' flow
summaries in another module, or in its own): the server keeps, per buffer, what its findings read from
the index (``faces/server/reads.py``); after such an edit, a file whose every read gets the same answer
keeps its findings (the edited function alone is walked again, the other open files are not linted), any
other is linted again. Each edit is applied to a session as an editor would (the edited buffer linted,
then the open files the session names as its dependants) and, for every open file, compared with a full
lint of the same buffers.
"""

from __future__ import annotations

import ast
import json
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from backend_lint.faces.server.incremental import CodeTokens
from backend_lint.faces.server.session import Session


def vars_of(tokens: CodeTokens) -> tuple:
    return tokens.starts, tokens.ends, tokens.depths, tokens.kinds


def _no_lines(value):
    if isinstance(value, dict):
        return {k: _no_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_no_lines(v) for v in value]
    return value


def check_facts(session: Session, path: str, text: str) -> None:
    """After a fast path, the index's facts of the buffer are a fresh extraction's but for line numbers
    (they lag: the function's facts compared alone, the file's from a spliced tree, ``statements.py``, or
    the function's part patched in, ``function_facts.py``)."""
    from backend_lint.knowledge.index.extract import extract_module

    linted = session.documents[path].linted
    workspace = linted.workspace if linted is not None else None
    if linted is None or linted.how == "linted" or workspace is None or workspace.index is None:
        return
    entry = workspace.index.entry(os.path.abspath(path))
    fresh = extract_module(text, os.path.abspath(path), entry.module, entry.is_package)
    if fresh["parsed"]:  # (keys in the same order too: a rule may take the first of several)
        assert json.dumps(_no_lines(entry.facts)) == json.dumps(_no_lines(fresh)), linted.how


def check_absent(linted, text: str) -> None:
    """The rules' required words a re-walk found absent (looked for around the edit only, when the text
    before lacked them) are absent from the whole text."""
    absent = linted.layout.absent if linted.layout is not None else None
    if absent:
        assert not [w for w in absent if w in text]


EXAMPLES = int(os.environ.get("BKL_RELINT_EXAMPLES", "15"))
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FAMILIES = ("identity", "isolation", "timezone", "partial_updates", "validation")

SNIPPETS = (
    "x = datetime.utcnow()",
    "value = datetime.now()",
    "item.updated_at = datetime.utcnow()  # noqa: BKL302",
    "data = item_in.dict(exclude_none=True)",
    "data = item_in.model_dump()",
    "for key, value in payload.model_dump().items():\n    setattr(row, key, value)",
    "session.add(row)",
    "return row",
    "pass",
    "# a comment",
    "if user is None:\n    raise HTTPException(status_code=404)",
    "row = session.get(Item, item_id)",
    "(",
)


def _fixture_files() -> list[Path]:
    out = []
    for family in FAMILIES:
        for path in sorted((FIXTURES / family).glob("BKL*/*.py")):
            if not path.name.endswith(".fixed.py"):
                out.append(path)
    return out


def _functions(text: str) -> list[tuple[int, int]]:
    """(first body line, last line) of each top-level function, 0-based, when its body starts on its own line."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body[0].lineno > node.lineno:
            out.append((node.body[0].lineno - 1, node.end_lineno - 1))
    return out


def _edit(text: str, rnd: random.Random) -> str:
    """One random edit inside a top-level function's body (or, when there is none, anywhere)."""
    lines = text.split("\n")
    spans = _functions(text)
    if spans:
        first, last = rnd.choice(spans)
        at = rnd.randint(first, last)
    else:
        at = rnd.randrange(len(lines))
    line = lines[at]
    indent = line[: len(line) - len(line.lstrip())] or "    "
    kind = rnd.randrange(5)
    if kind == 0:  # a statement added
        snippet = rnd.choice(SNIPPETS).replace("\n", "\n" + indent)
        lines.insert(at + rnd.randint(0, 1), indent + snippet)
    elif kind == 1 and len(lines) > 1:  # a line removed
        del lines[at]
    elif kind == 2:  # a line duplicated
        lines.insert(at, line)
    elif kind == 3:  # a literal or name changed
        for old, new in (('"', '"x'), ("utcnow", "now"), ("now()", "now(timezone.utc)"), ("1", "2"), ("exclude_unset=True", ""), ("(", "(1, ")):
            if old in line:
                lines[at] = line.replace(old, new, 1)
                break
        else:
            lines[at] = line + "  # noqa"
    else:  # a noqa comment, or one taken away
        lines[at] = line.split("  # noqa")[0] if "# noqa" in line else line + "  # noqa: BKL302, BKL501"
    return "\n".join(lines)


def _shape(ds) -> list:
    return sorted(
        (d.code, d.location.row, d.location.column, d.end_location.row, d.end_location.column, d.noqa_row,
         d.message, d.fix.message if d.fix else None, tuple(d.fix.edits) if d.fix else None,
         tuple((a.row, a.column, b.row, b.column) for a, b in d.edit_locations))
        for d in ds
    )


class _Pair:
    """One fixture in a project of its own: a session that re-walks functions, and one that lints fully."""

    def __init__(self, root: Path, fixture: Path) -> None:
        (root / "pyproject.toml").write_text("[project]\nname = 'app'\n")
        self.path = str(root / "app.py")
        self.text = fixture.read_text()
        Path(self.path).write_text(self.text)
        self.fast = Session()
        self.full = Session()
        self.full.function_relint = False
        self.full.keep_derived = False  # (a full lint computes every derived fact again)
        self.fast.open(self.path, self.text, 1)
        self.fast.prepare(self.fast.lint(self.path))
        self.full.open(self.path, self.text, 1)
        self.version = 1
        self.taken = 0

    def step(self, text: str) -> None:
        self.version += 1
        self.fast.change(self.path, text, self.version)
        got = self.fast.lint(self.path)
        self.taken += got.how == "function"
        check_facts(self.fast, self.path, text)
        check_absent(got, text)
        pending = got.tokens is None and got.pending is not None
        self.fast.prepare(got)  # (idle work: a re-walk's code tokens are spliced here)
        if got.tokens is not None:  # (moved or spliced: the same as tokenizing the text again)
            fresh = CodeTokens.of(text)
            assert fresh is not None and vars_of(got.tokens) == vars_of(fresh), (got.how, pending)
        self.full.change(self.path, text, self.version)
        self.full.documents[self.path].linted = None  # a full lint, nothing reused
        want = self.full.lint(self.path)
        assert _shape(got.diagnostics) == _shape(want.diagnostics), (got.how, text)
        assert got.errors == want.errors


class _Pairs:
    """The fixtures' pairs, each made on its first use (a run draws only some of them)."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.files = _fixture_files()
        self.made: dict[Path, _Pair] = {}

    def choice(self, rnd: random.Random) -> _Pair:
        fixture = rnd.choice(self.files)
        if fixture not in self.made:
            self.made[fixture] = _Pair(self.factory.mktemp("relint"), fixture)
        return self.made[fixture]


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> _Pairs:
    return _Pairs(tmp_path_factory)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("BKL_RELINT_EXAMPLES"))
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 4))
def test_relint_equals_full_lint(pairs: _Pairs, seed: int, steps: int) -> None:
    rnd = random.Random(seed)
    pair = pairs.choice(rnd)
    text = pair.text
    for _ in range(steps):
        text = _edit(text, rnd)
        pair.step(text)
    pair.step(pair.text)  # and back


ROUTES = '''from datetime import datetime

from fastapi import APIRouter
from sqlmodel import Field, SQLModel

router = APIRouter()


class Item(SQLModel, table=True):
    id: int = Field(primary_key=True)
    updated_at: datetime = Field(default_factory=datetime.utcnow)


@router.patch("/items/{item_id}")
def update_item(item_id: int, item_in: Item):
    item = Item(id=item_id)
    item.updated_at = datetime.utcnow()
    return item


@router.get("/items")
def list_items():
    return [Item(id=1, updated_at=datetime.utcnow())]
'''


def test_an_edit_in_one_function_rewalks_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    path = str(tmp_path / "routes.py")
    Path(path).write_text(ROUTES)
    session = Session()
    session.open(path, ROUTES, 1)
    first = session.lint(path)
    session.prepare(first)
    assert first.how == "linted" and first.layout is not None
    # a statement added inside ``update_item``: only that function is walked; the findings after it moved
    edited = ROUTES.replace("    return item\n", "    stamp = datetime.utcnow()\n    return item\n")
    session.change(path, edited, 2)
    second = session.lint(path)
    session.prepare(second)  # (idle work after a publish: the code tokens)
    assert second.how == "function"
    rows = sorted((d.code, d.row) for d in second.diagnostics)
    assert ("BKL302", 18) in rows and ("BKL302", 24) in rows  # the new one, and ``list_items``' moved down
    # a comment edited inside the function: the findings move, nothing is walked (and the layout follows)
    commented = edited.replace("    stamp = datetime.utcnow()\n", "    # when\n    stamp = datetime.utcnow()\n")
    session.change(path, commented, 3)
    third = session.lint(path)
    session.prepare(third)
    assert third.how == "reused" and third.layout is not None
    assert sorted((d.code, d.row) for d in third.diagnostics) == sorted((c, r + (r > 17)) for c, r in rows)
    # an import inside a function reaches the statements after it: the whole file is linted
    session.change(path, commented.replace("    stamp =", "    from datetime import datetime as dt\n    stamp ="), 4)
    assert session.lint(path).how == "linted"


def test_a_new_call_before_a_model_rewalks_the_function(tmp_path: Path) -> None:
    """A line that changes the function's facts (a new call) above a model: the function alone is walked
    (the model's facts keep their line number in the index until a save), and each step equals a full lint."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    path = str(tmp_path / "routes.py")
    text = ROUTES.replace("class Item(SQLModel, table=True):", "class Early(SQLModel):\n    at: datetime\n\n\nclass Item(SQLModel, table=True):")
    text += "\n\nclass Late(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    seen_at: datetime = Field(default_factory=datetime.utcnow)\n"
    Path(path).write_text(text)
    pair = _Pair(tmp_path, Path(path))
    edited = text.replace("    item.updated_at = datetime.utcnow()\n", "    item.updated_at = datetime.utcnow()\n    Item.touch(item)\n")
    pair.step(edited)
    assert pair.taken == 1
    pair.fast.saved(pair.path)
    commented = edited.replace("    return [Item", "    # listed\n    return [Item")
    pair.step(commented)  # (a comment: reused)
    assert pair.fast.documents[pair.path].linted.how == "reused"
    pair.step(text.replace("    return [Item", "    # listed\n    return [Item"))  # the call taken away
    assert pair.taken == 2


# -- edits that change the index: every open file of a project ---------------------------------------------

PROJECT_EXAMPLES = max(1, EXAMPLES // 2)
PROJECTS = (
    "isolation/BKL201/request_flow",
    "isolation/BKL202/helper_after_load",
    "isolation/_projects/multi_tenant",
    "identity/BKL102/path_constant",
)
# edits of a helper's scoping (what the routes that call it are told)
SCOPING = (
    (", Job.user_id == user_id", ""),
    ("Job.id == job_key)", "Job.id == job_key, Job.user_id == job_key)"),
    ("session.get(Job, job_key)", "session.exec(select(Job).where(Job.id == job_key, Job.user_id == user_id)).first()"),
    ("user_id", "owner_id"),
    ("return ", "return None and "),
)


class _Project:
    """A fixture project, every module open in a session that reuses what it can, and a session that
    lints every file fully for comparison."""

    def __init__(self, root: Path, fixture: Path) -> None:
        shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("*.fixed.py", "__pycache__"))
        if not (root / "pyproject.toml").exists():
            (root / "pyproject.toml").write_text("[project]\nname = 'app'\n")
        self.paths = sorted(str(p) for p in root.rglob("*.py"))
        self.texts = {p: Path(p).read_text() for p in self.paths}
        self.fast = Session()
        self.full = Session()
        self.full.function_relint = False
        self.full.keep_derived = False  # (a full lint computes every derived fact again)
        self.version = 1
        self.functions = 0  # edits the fast session answered by re-walking one function
        self.kept = 0  # dependants whose findings stood
        for p in self.paths:
            self.fast.open(p, self.texts[p], 1)
            self.full.open(p, self.texts[p], 1)
        for p in self.paths:
            self.fast.prepare(self.fast.lint(p))

    def step(self, path: str, text: str) -> None:
        self.version += 1
        self.texts[path] = text
        self.fast.change(path, text, self.version)
        got = self.fast.lint(path)
        self.functions += got.how == "function"
        check_facts(self.fast, path, text)
        check_absent(got, text)
        self.fast.prepare(got)
        for p in self.fast.dependants_after(path):  # (what the server lints again after the edit, debounced)
            again = self.fast.lint(p)
            self.kept += again.how == "reused"
            self.fast.prepare(again)
        self.full.change(path, text, self.version)
        self._compare(path)

    def save(self, path: str) -> None:
        """``didSave``: the index reads the buffer in full (its facts' line numbers no longer lag)."""
        for p in self.fast.saved(path):
            self.fast.prepare(self.fast.lint(p))
        self._compare(path)

    def _compare(self, path: str) -> None:
        text = self.texts[path]
        for p in [path] + [p for p in self.paths if p != path]:  # the edited buffer's facts first
            self.full.documents[p].linted = None
            want = self.full.lint(p)
            have = self.fast.documents[p].linted
            assert have is not None
            assert _shape(have.diagnostics) == _shape(want.diagnostics), (p, path, have.how, text)
            assert have.errors == want.errors


def _scoping_edit(text: str, rnd: random.Random) -> str:
    found = [(a, b) for a, b in SCOPING if a in text]
    if not found:
        return text
    a, b = rnd.choice(found)
    at = [i for i in range(len(text)) if text.startswith(a, i)]
    i = rnd.choice(at)
    return text[:i] + b + text[i + len(a):]


class _Projects:
    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.made: dict[str, _Project] = {}

    def choice(self, rnd: random.Random) -> _Project:
        name = rnd.choice(PROJECTS)
        if name not in self.made:
            self.made[name] = _Project(self.factory.mktemp("facts") / "p", FIXTURES / name)
        return self.made[name]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> _Projects:
    return _Projects(tmp_path_factory)


@settings(max_examples=PROJECT_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("BKL_RELINT_EXAMPLES"))
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 3))
def test_facts_changing_edits_equal_a_full_lint(projects: _Projects, seed: int, steps: int) -> None:
    rnd = random.Random(seed)
    project = projects.choice(rnd)
    for _ in range(steps):
        path = rnd.choice(project.paths)
        text = project.texts[path]
        text = _scoping_edit(text, rnd) if rnd.random() < 0.5 else _edit(text, rnd)
        project.step(path, text)
        if rnd.random() < 0.25:
            project.save(path)


HELPERS = '''from fastapi import APIRouter, Depends
from sqlmodel import Field, Session, SQLModel, select

router = APIRouter()


class Job(SQLModel, table=True):
    id: int = Field(primary_key=True)
    user_id: int


def current_user() -> int:
    return 1


def get_session():
    yield None


def job_by_key(session: Session, job_key: int, user_id: int):
    return session.exec(select(Job).where(Job.id == job_key, Job.user_id == user_id)).first()


def count_jobs(session: Session) -> int:
    return 0


@router.get("/jobs/{job_id}")
def read_job(job_id: int, user_id: int = Depends(current_user), session: Session = Depends(get_session)):
    return job_by_key(session, job_id, user_id)
'''


def test_a_helper_edit_in_the_same_file(tmp_path: Path) -> None:
    """A route reads its helper's summary from the index: the helper's scoping taken away moves the
    route's finding (the file is linted again), while a new call in an unrelated function re-walks that
    function alone and an open module that does not read the file keeps its findings."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    path = str(tmp_path / "routes.py")
    other = str(tmp_path / "other.py")
    other_text = "from datetime import datetime\n\n\ndef stamp():\n    return datetime.utcnow()\n"
    Path(path).write_text(HELPERS)
    Path(other).write_text(other_text)
    session = Session()
    session.open(path, HELPERS, 1)
    session.open(other, other_text, 1)
    for p in (path, other):
        session.prepare(session.lint(p))
    # (an internal error in a first lint leaves no layout to re-walk: every later lint is "linted"; said here)
    assert [session.documents[p].linted.errors for p in (path, other)] == [[], []]
    full = Session()
    full.function_relint = False
    full.keep_derived = False
    full.open(other, other_text, 1)

    def check(text: str, version: int) -> str:
        session.change(path, text, version)
        got = session.lint(path)
        session.prepare(got)
        for p in session.dependants_after(path):
            session.prepare(session.lint(p))
        full.open(path, text, version)
        full.documents[path].linted = None
        assert _shape(got.diagnostics) == _shape(full.lint(path).diagnostics)
        full.documents[other].linted = None
        assert _shape(session.documents[other].linted.diagnostics) == _shape(full.lint(other).diagnostics)
        return got.how

    assert not any(d.code.startswith("BKL2") for d in session.documents[path].linted.diagnostics)
    # a new call in a function nobody reads: its facts change, that function alone is walked again, and its
    # part of the file's facts is patched into the index's (``function_facts.py``), not extracted again
    flushed = HELPERS.replace("    return 0\n", "    session.flush()\n    return 0\n")
    assert check(flushed, 2) == "function"
    assert session.patched_facts == 1
    check_facts(session, path, flushed)
    # the helper no longer scopes on the caller: the route's finding appears (the route read that summary)
    unscoped = HELPERS.replace(", Job.user_id == user_id)", ")")
    assert check(unscoped, 3) == "linted"
    assert any(d.code == "BKL201" for d in session.documents[path].linted.diagnostics)
    assert check(HELPERS, 4) == "linted"


def test_a_derived_fact_is_not_asked_again_with_what_its_first_caller_read(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A derived fact's factory closes over what its caller had read (a helper's summary): the server never
    computes it again with that factory, it checks what the computation read. Here a model's owner column
    is renamed, then a helper's lookup is scoped: every open file must equal a full lint after each."""
    project = _Project(tmp_path_factory.mktemp("derived") / "p", FIXTURES / "isolation/BKL201/request_flow")
    models = next(p for p in project.paths if p.endswith("models.py"))
    store = next(p for p in project.paths if p.endswith("store.py"))
    job = project.texts[models].index("user_id", project.texts[models].index("class Line"))
    project.step(models, project.texts[models][:job] + "owner_id" + project.texts[models][job + len("user_id"):])
    project.step(store, project.texts[store].replace(
        "        return self.session.get(Job, job_key)",
        "        return self.session.exec(select(Job).where(Job.id == job_key, Job.user_id == user_id)).first()",
    ))


def test_a_lookup_added_in_a_function_reaches_the_index(tmp_path: Path) -> None:
    """A duplicated ``select(Recipe...)`` line adds a lookup to the function's facts only where ``select``
    resolves (the module's imports): the function's facts are compared in the module, and the index gets
    the file's new facts (``check_facts`` in each step)."""
    pair = _Pair(tmp_path, FIXTURES / "isolation/BKL201/subquery_join.py")
    line = '    newest = select(Recipe.slug, func.max(Recipe.revision).label("rev")).group_by(Recipe.slug).subquery()\n'
    assert line in pair.text
    pair.step(pair.text.replace(line, line + line, 1))
    pair.step(pair.text)


def test_an_untouched_header_is_told_by_its_text() -> None:
    """``_header_untouched`` (the text before the body's first line unchanged) implies what ``_same_header``
    tells by comparing the two functions' trees; an edit of a signature on the body's line is not taken."""
    import libcst as cst

    from backend_lint.engine.parsing import parse_module
    from backend_lint.faces.server.statements import _header_untouched, _parse_function, _same_header

    cases = [
        ("def f(a):\n    return a\n", "def f(a):\n    return a + 1\n"),
        ("@app.get('/')\ndef f(a: int = 1) -> int:\n    # why\n    return a\n", "@app.get('/')\ndef f(a: int = 1) -> int:\n    # why\n    x = 1\n    return a\n"),
        ("def f(\n    a,\n):\n    return a\n", "def f(\n    a,\n):\n    pass\n    return a\n"),
        ("def f(\n    a): return a\n", "def f(\n    b): return a\n"),  # the body on the signature's last line
        ("def f(a):  # note\n    return a\n", "def f(a):  # noted\n    return a\n"),
    ]
    told = 0
    for old, new in cases:
        start = next(i for i, (x, y) in enumerate(zip(old, new)) if x != y)
        if _header_untouched(_parse_function(new), new, start):
            told += 1
            a, b = parse_module(old).body[0], parse_module(new).body[0]
            assert isinstance(a, cst.FunctionDef) and _same_header(b, a), new
    assert told == 3
    assert not _header_untouched(_parse_function(cases[3][1]), cases[3][1], cases[3][1].index("b)"))
