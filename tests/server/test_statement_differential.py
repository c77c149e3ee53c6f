"""Re-walking one edited function (``faces/server/statements.py``) gives what a full lint gives.

Random sequences of edits inside the functions of real fixture files (statements added, removed,
duplicated, literals changed, a ``noqa`` added, code that does not parse), each applied to the server's
session as an editor would, and after each edit the session's findings are compared with a full lint of
the same text in the same project. Also checks that the fast path is actually taken on such edits.

``BKL_RELINT_EXAMPLES`` sets the number of examples per fixture group (CI: 15, derandomized; run with
e.g. 300 for a longer, random search).
"""

from __future__ import annotations

import ast
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from backend_lint.faces.server.session import Session

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
        self.fast.prepare(got)
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
    assert second.how == "function"
    rows = sorted((d.code, d.row) for d in second.diagnostics)
    assert ("BKL302", 18) in rows and ("BKL302", 24) in rows  # the new one, and ``list_items``' moved down
    # an import inside a function reaches the statements after it: the whole file is linted
    session.change(path, edited.replace("    stamp =", "    from datetime import datetime as dt\n    stamp ="), 3)
    assert session.lint(path).how == "linted"
