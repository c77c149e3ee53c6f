"""The shortcuts the engine takes for speed give the answers of the slow ways they replace.

(No timing assertions here: ``bench/bench.py`` measures speed.)
"""

from __future__ import annotations

import ast
import fnmatch
import os
import random
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from backend_lint.ground.config import DEFAULT_EXCLUDE
from backend_lint.engine.positions import SourceLines, node_offsets, offsets_by_statement, paths_below
from backend_lint.ground.discovery import _Matcher
from backend_lint.knowledge.index import _ModuleNamer
from backend_lint.engine.registry import all_rules, info_of, scan_rule_infos
from backend_lint.knowledge.modules import module_name_for
from backend_lint.knowledge.cst import iter_children, walk

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BKL_CORPUS", Path.home() / ".cache" / "backend-lint-corpus"))


def _sources(limit: int = 40) -> list[tuple[str, str]]:
    out = []
    for p in sorted((REPO / "examples").rglob("*.py")) + sorted((REPO / "tests" / "fixtures").rglob("*.py")):
        out.append((str(p), p.read_text(encoding="utf-8")))
    listing = CORPUS / "files.txt"
    if listing.is_file():
        listed = listing.read_text().splitlines()
        for p in listed[:: max(1, len(listed) // limit)][:limit]:
            try:
                out.append((p, Path(p).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                pass
    out.append(("crlf.py", "def f(x):\r\n    return [\r\n        x,\r\n    ]\r\n"))
    out.append(("tabs.py", "if x:\n\tif y:\n\t\tpass  # c\n\telse:\n\t\tz = 'é' + \"\"\"a\nb\"\"\"\n"))
    out.append(("empty.py", ""))
    out.append(("nonl.py", "x = 1"))
    return out


_PARSED: dict = {}


def _parse(text: str):
    """libcst's tree of ``text``, parsed once for the module's tests (trees are immutable; ~30 MB for all)."""
    if text not in _PARSED:
        try:
            _PARSED[text] = cst.parse_module(text)
        except Exception:
            _PARSED[text] = None
    return _PARSED[text]


def test_node_offsets_agree_with_position_provider() -> None:
    rng = random.Random(7)
    checked = statement_paths = statement_held = 0
    for path, text in _sources():
        module = _parse(text)
        if module is None:
            continue
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        nodes = list(walk(module))
        lines = SourceLines(text)
        everything = node_offsets(module, nodes)
        for node in nodes:
            rng_ = positions[node]
            start = lines.offset(rng_.start.line, rng_.start.column)
            end = lines.offset(rng_.end.line, rng_.end.column)
            assert everything[node] == (start, end), (path, type(node).__name__)
        # a few nodes at a time (the early stop and hoisted children), from the module's start and, given
        # CPython's tree, from the first line of each node's innermost statement
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = None
        for _ in range(5):
            few = rng.sample(nodes, min(3, len(nodes)))
            for got in (node_offsets(module, few), node_offsets(module, few, tree, lines)):
                for node in few:
                    rng_ = positions[node]
                    assert got[node] == (lines.offset(rng_.start.line, rng_.start.column), lines.offset(rng_.end.line, rng_.end.column))
            inner = [n for n in few if n is not module]
            if tree is not None and inner:
                statement_paths += 1
                statement_held += offsets_by_statement(module, set(inner), tree, lines) is not None
                # where a rule reported them from: an ancestor (or the node), its path from the module as
                # the traversal holds it; a wrong one (a subtree without the node) falls back to a search
                chains = paths_below(module, set(few))
                hints = {n: chains[n][: rng.randint(1, len(chains[n]))] for n in few}
                stray = rng.choice(nodes)
                hints[few[0]] = chains.get(stray) or paths_below(module, {stray})[stray]
                got = node_offsets(module, few, tree, lines, hints)
                for node in few:
                    rng_ = positions[node]
                    assert got[node] == (lines.offset(rng_.start.line, rng_.start.column), lines.offset(rng_.end.line, rng_.end.column))
        checked += 1
    assert checked >= 5
    assert statement_held >= 0.9 * statement_paths  # the statement path holds (not the fallback) nearly always


def _reference_children(node):
    from backend_lint.knowledge import cst as walker

    for name in walker._fields_of(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if not isinstance(value, walker._whitespace_types()):
                yield value
        elif isinstance(value, (list, tuple)):
            for child in value:
                if isinstance(child, cst.CSTNode) and not isinstance(child, walker._whitespace_types()):
                    yield child


def test_walker_children_are_the_isinstance_ones() -> None:
    for _, text in _sources(15):
        module = _parse(text)
        if module is None:
            continue
        for node in walk(module):
            assert list(iter_children(node)) == list(_reference_children(node))


def test_multiline_strings_from_the_tree_are_the_tokens() -> None:
    """Where a finding's ``# noqa`` goes: the cheap reading (string literals around the rows, tokenized alone)
    agrees with tokenizing the whole file, on every row of real files."""
    from backend_lint.engine.noqa import _strings_following, multiline_strings_at, parse_suppressions

    extra = [
        ("concat.py", 'x = call(a, "one"  # c\n         "two", f"""\n{b}\n""")\ny = """\n# noqa\n"""  + rb\'\'\'q\n\'\'\'\n'),
        ("nested.py", 'x = f"{a}" f"""{\n  b\n}""" \\\n    "c"\n@d("""\n""")\ndef f(): pass\n'),
        ("chained.py", "s = '''\n'''; t = '''\n'''\nprint(\"\"\"\na\"\"\", f(), \"\"\"\nb\"\"\")\n"),
    ]
    compared = 0
    for path, text in _sources(40) + extra:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        whole = parse_suppressions(text, strings_only=True)
        assert whole.strings_read, path
        rows = list(range(1, text.count("\n") + 2))
        cheap = _strings_following(text, tree, rows)
        assert cheap is not None, path  # (read from the tree, not the whole file's fallback)
        assert sorted(set(cheap)) == sorted(set(whole.multiline_strings)), path
        few = rows[:: max(1, len(rows) // 7)]
        mapped = type(whole)(multiline_strings=multiline_strings_at(text, tree, few))
        assert [mapped.noqa_row(r) for r in few] == [whole.noqa_row(r) for r in few], path
        compared += 1
    assert compared >= 10


def test_noqa_comments_read_in_pieces_are_the_tokens() -> None:
    """``read_suppressions`` (only the statements holding a ``noqa`` line tokenized) finds the comments that
    tokenizing the whole file finds, on real files and on the same files with a ``noqa`` on every fifth line."""
    from backend_lint.engine.noqa import parse_suppressions, read_suppressions

    def shape(s) -> tuple:
        return (sorted((r, c.col, c.text, c.codes, c.span) for r, c in s.by_row.items()), s.file_exempt, s.file_codes)

    extra = [
        ("gaps.py", "import os  # noqa: F401\n\n\n# noqa: BKL301 between\nclass A:\n    # noqa in a body\n"
         "    def f(self,  # noqa: E501\n          x):\n        '''# noqa in a docstring\n        '''\n"
         "        if x:  # noqa\n            pass\n        # noqa: BKL1 before else\n        else:  # noqa: X1\n"
         "            y = 1; z = 2  # noqa\n        return f\"{x}  # noqa\"  # noqa: BKL2\n"
         "# backend-lint: noqa: BKL4\n"),
        ("semi.py", "x = 1; y = (\n    2)  # noqa\ns = '''\n# noqa'''  # noqa: Q\n"),
        # a statement that starts where a string closes: its line's start is inside the string
        ("closing.py", 'x = """\n"""; y = (1,\n  2)  # noqa """\nif x == """\n""": y = 1  # noqa """\n'),
        ("match.py", "match x:\n    case 1:  # noqa: A1\n        pass\n    # noqa between cases\n    case _:\n        y = 2  # NOQA\n"),
    ]
    compared = 0
    for path, text in _sources(40) + extra:
        lines = text.split("\n")
        marked = "\n".join(l + "  # noqa: BKL1" if i % 5 == 2 else l for i, l in enumerate(lines))
        for variant in (text, marked):
            try:
                tree = ast.parse(variant)
            except SyntaxError:  # (a comment added inside a string, after a backslash...)
                continue
            assert shape(read_suppressions(variant, tree)) == shape(parse_suppressions(variant)), path
            assert shape(read_suppressions(variant, None)) == shape(parse_suppressions(variant)), path
            compared += 1
    assert compared >= 10


def test_plain_unparse_is_ast_unparse() -> None:
    """The index writes common annotations and defaults directly (``extract._plain``): ``ast.unparse``'s text."""
    from backend_lint.knowledge.index.extract import _plain

    extra = "x: dict[str, list[int | None]]\ny: a.b.C[D, E.F] = None\nz: T[(1, 2)]\nw: T[X,] = -1\nv: T[()] = True\nu = f(0x10, 1_000)\n"
    extra += (  # the shapes of field values and defaults: calls, strings, containers, ``|`` chains, signs
        "a = Column(String(50), nullable=False, default='x', doc=\"it's\", b=b'\\x00', u=u'u')\n"
        "b = f(*a, **k) | g(x)[1:2] | h(lambda: 1) | {**d} | {'k': (1,), 2: [], 3: {4}} | ((), ...)\n"
        "c = (a | b) | (c | d) | (e + f) | -1 | -1.5 | - x | ~1 | (not y) | 1e999 | 2j | 1.25 | -(True) | -0.0\n"
        "d: Annotated[str | None, Field(max_length=5, pattern=r'^a\\b$')] = Query(None, alias='a-b')\n"
        "e = f'{x}' | [*a] | (x for x in y) | a if b else c | x[y][z] | f()() | f(x)(y) | T[int,]\n"
    )
    written = 0
    for _, text in _sources(40) + [("extra.py", extra)]:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.expr):
                quick = _plain(node)
                if quick is not None:
                    assert quick == ast.unparse(node)
                    written += 1
    assert written > 1000


def test_walker_path_is_the_visited_nodes_ancestors() -> None:
    """What a report records (``Walker.path``) is the node's path from the module, in visits and leaves."""
    from backend_lint.engine.walker import DispatchTable, Walker

    seen: list = []

    class Probe:
        def __init__(self, walker_path: list) -> None:
            self.path = walker_path

        def visit_Call(self, node) -> None:
            seen.append((node, tuple(self.path)))

        def leave_Name(self, node) -> None:
            seen.append((node, tuple(self.path)))

    for _, text in _sources(10):
        module = _parse(text)
        if module is None:
            continue
        seen.clear()
        walker = Walker(DispatchTable([Probe]), [None], lambda i, e: None)
        walker.instances[0] = Probe(walker.path)
        walker.run(module)
        assert walker.path == []
        chains = paths_below(module, {node for node, _ in seen})
        for node, recorded in seen:
            assert recorded == chains[node]


def test_screen_node_index_is_ast_walk() -> None:
    """``TreeFacts`` indexes every node ``ast.walk`` yields (but the context and operator singletons)."""
    import ast
    from collections import Counter

    from backend_lint.knowledge.tree_facts import tree_facts

    singletons = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
    sources = _sources(40) + [("py311.py", "global g\nd = {**a, 'k': 1}\ntry:\n    pass\nexcept* E as e:\n    pass\n"
                                           "match p:\n    case [1, *rest] | {'k': v, **kw} if v: pass\n    case C(x=1) as y: pass\n")]
    for _, text in sources:
        facts = tree_facts(text)
        if facts is None:
            continue
        expected = Counter(type(n) for n in ast.walk(facts.tree) if not isinstance(n, singletons))
        got = Counter({kind: len(facts.nodes(kind)) for kind in expected})
        assert got == expected
        assert all(kind in expected or not issubclass(kind, ast.AST) or issubclass(kind, singletons) for kind in facts._index())


def test_index_walk_is_ast_walk_in_order() -> None:
    """The extractors' ``walk`` yields ``ast.walk``'s nodes in ``ast.walk``'s order, and ``children``
    ``iter_child_nodes``' (both without the context and operator singletons; list items that are not nodes,
    like ``Global.names``, may ride along and are left out here)."""
    import ast

    from backend_lint.knowledge.index.extractors._common import children, walk

    singletons = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
    sources = _sources(40) + [("py311.py", "global g\nd = {**a, 'k': 1}\ntry:\n    pass\nexcept* E as e:\n    pass\n"
                                           "match p:\n    case [1, *rest] | {'k': v, **kw} if v: pass\n    case C(x=1) as y: pass\n")]
    checked = 0
    for _, text in sources:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        expected = [n for n in ast.walk(tree) if not isinstance(n, singletons)]
        assert [n for n in walk(tree) if isinstance(n, ast.AST)] == expected
        for node in expected[:200]:
            wanted = [c for c in ast.iter_child_nodes(node) if not isinstance(c, singletons)]
            assert [c for c in children(node) if isinstance(c, ast.AST)] == wanted
        checked += 1
    assert checked > 10


def test_exclude_matcher_is_fnmatch() -> None:
    patterns = DEFAULT_EXCLUDE + ("legacy/*", "*.gen.py", "scripts/", "docs/**/conf.py", "[abc]*.py", "a?c")
    names = ["build", ".venv", "legacy", "x.gen.py", "scripts", "conf.py", "abc", "a.py", "venvy", "node_modules", "b1.py"]
    rels = ["build", "src/build", "legacy/old.py", "legacy", "app/x.gen.py", "scripts/run.py", "scripts", "docs/a/b/conf.py", "a/b", "abc", "src/site-packages/x.py"]
    matcher = _Matcher(patterns)
    for name in names:
        for rel in rels:
            expected = any(
                fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") for p in patterns
            )
            assert matcher.excluded(name, rel) == expected, (name, rel)


def test_fast_abspath_is_abspath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend_lint.ground.discovery import abspath_maker

    monkeypatch.chdir(tmp_path)
    parts = ["a", "b.py", ".", "..", "", ".a", "..b", "é", "a b", "x.py"]
    rng = random.Random(7)
    cases = ["/abs/x.py", "/", ".", "..", "a/", "a\\b.py"]
    for _ in range(3000):
        path = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 5)))
        cases.append(rng.choice(("/", "./", "", "", "")) + path)
    absolute = abspath_maker()
    for case in cases:
        if case:
            assert absolute(case) == os.path.abspath(case), case


def test_module_namer_is_module_name_for(tmp_path: Path) -> None:
    layout = [
        "pkg/__init__.py", "pkg/a.py", "pkg/sub/__init__.py", "pkg/sub/b.py", "src/lib/c.py", "loose/d.py",
        "migrations/versions/0001_x.py", "e.py", "ns/pkg2/__init__.py", "ns/pkg2/f.py", "pkg/sub/g.py", "loose/h.py",
    ]
    for rel in layout:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "pkg" / "a.py")
    namer = _ModuleNamer(str(tmp_path))
    for p in sorted(tmp_path.rglob("*.py")) * 2:  # (the second time from its per-directory memo)
        assert namer(str(p)) == module_name_for(str(p), str(tmp_path)), p
    outside = _ModuleNamer(str(tmp_path / "pkg"))
    for p in sorted(tmp_path.rglob("*.py")):
        assert outside(str(p)) == module_name_for(str(p), str(tmp_path / "pkg")), p


def test_the_scanned_rule_specs_match_the_rules() -> None:
    """``rule_infos()`` reads the rule files' ``SPEC = RuleSpec(...)`` text; it must agree with the imported rules."""
    assert scan_rule_infos() == tuple(info_of(r) for r in all_rules())


def test_screens_keep_libcst_away_from_files_no_rule_can_report(tmp_path: Path) -> None:
    """Families 1 and 2 reach libcst only for a file whose functions can have a caller's identity in scope
    and (family 2) that names an owned model, or a project function returning one; the ast screens decide."""
    from backend_lint.ground.config import Settings
    from backend_lint.engine.api import Engine
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "models.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class Item(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    owner_id: int\n\n\n"
        "class Tag(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    name: str\n"
    )
    (tmp_path / "crud.py").write_text(
        "from models import Item as Thing\n\n\ndef fetch_item(db, item_id) -> Thing:\n    return db.get(Thing, item_id)\n"
    )
    (tmp_path / "api.py").write_text("from crud import Thing\n")
    files = [str(tmp_path / n) for n in ("models.py", "crud.py", "api.py")]
    project = ProjectIndex.build(str(tmp_path), files, cache_dir=str(tmp_path / ".cache"))
    settings = Settings(root=str(tmp_path))
    engine = Engine(settings, ["BKL101", "BKL102", "BKL201", "BKL202"], project)
    quiet = "def helper(items, key):\n    return [i for i in items if i.user == key]\n"
    assert not engine.lint_source(quiet, str(tmp_path / "a.py")).parsed
    carrying = "def list_items(db, current_user):\n    return db.query(Item).all()\n"
    assert engine.lint_source(carrying, str(tmp_path / "b.py")).parsed
    # the identity is in scope, but nothing the file names can be an owned model's rows
    not_owned = "def list_tags(db, current_user):\n    return db.query(Tag).all()\n"
    assert not engine.lint_source(not_owned, str(tmp_path / "d.py")).parsed
    # ... reached through a re-export (``Thing``) or a project function returning one: parsed
    for source in ("from api import Thing\n\n\ndef f(db, current_user):\n    return db.query(Thing).all()\n",
                   "import crud\n\n\ndef f(db, current_user, item_id):\n    item = crud.fetch_item(db, item_id)\n"
                   "    if item.owner_id != current_user.id:\n        raise PermissionError\n    return item\n"):
        result = engine.lint_source(source, str(tmp_path / "e.py"))
        assert result.parsed and result.diagnostics, source
    # without an index no model is owned: family 2 cannot fire
    bare = Engine(settings, ["BKL201", "BKL202"])
    assert not bare.lint_source(carrying, str(tmp_path / "b.py")).parsed
    broken = "def f(current_user:\n"  # CPython cannot parse it: libcst decides, and reports BKL900
    assert not engine.lint_source(broken, str(tmp_path / "c.py")).parsed


def test_stored_memo_outlives_the_run_and_follows_the_facts(tmp_path: Path) -> None:
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "models.py").write_text("class Item:\n    pass\n")
    files = [str(tmp_path / "models.py")]
    cache = str(tmp_path / ".cache")
    calls: list[int] = []

    def words() -> tuple[str, ...]:
        calls.append(1)
        return ("Item",)

    first = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert first.stored_memo("k", words, load=tuple) == ("Item",)
    second = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert second.stored_memo("k", words, load=tuple) == ("Item",)
    assert len(calls) == 1  # read back, not derived again
    (tmp_path / "models.py").write_text("class Item:\n    pass\n\n\nclass Other:\n    pass\n")
    third = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    third.stored_memo("k", words, load=tuple)
    assert len(calls) == 2  # the facts changed: derived again
    for name in os.listdir(cache):
        if name.startswith("derived-"):
            Path(cache, name).write_text("{not json")
    fourth = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert fourth.stored_memo("k", words, load=tuple) == ("Item",)
    assert len(calls) == 3  # a damaged file is ignored and rewritten


def test_a_run_writes_its_derived_facts_once_at_its_end(tmp_path: Path) -> None:
    """``lint_paths`` defers the derived-facts file (``ProjectIndex.deferred_derived``): every value it derives is
    written once, on leaving, and read back by the next run; an edit that changes the facts still derives again."""
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "models.py").write_text("class Item:\n    pass\n")
    files = [str(tmp_path / "models.py")]
    cache = str(tmp_path / ".cache")
    calls: list[str] = []

    def derived_files() -> list[str]:
        return [n for n in os.listdir(cache) if n.startswith("derived-")]

    def words(key: str):
        return lambda: calls.append(key) or (key,)

    first = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    with first.deferred_derived():
        assert first.stored_memo("a", words("a"), load=tuple) == ("a",)
        assert first.stored_memo("b", words("b"), load=tuple) == ("b",)
        assert derived_files() == []  # held back until the run ends
    assert len(derived_files()) == 1
    second = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert second.stored_memo("a", words("a"), load=tuple) == ("a",)
    assert second.stored_memo("b", words("b"), load=tuple) == ("b",)
    assert calls == ["a", "b"]  # both read back, neither derived again
    (tmp_path / "models.py").write_text("class Item:\n    pass\n\n\nclass Other:\n    pass\n")
    third = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    with third.deferred_derived():
        third.stored_memo("a", words("a"), load=tuple)
    assert calls == ["a", "b", "a"]  # the facts changed: derived again
    fourth = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    fourth.stored_memo("a", words("a"), load=tuple)
    assert calls == ["a", "b", "a"]  # and the value derived after the change was stored
    with fourth.deferred_derived():
        fourth.update_source(files[0], "class Item:\n    pass\n")  # an editor buffer: nothing stored past it
        fourth.stored_memo("b", words("b"), load=tuple)
    fifth = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    fifth.stored_memo("b", words("b"), load=tuple)
    assert calls == ["a", "b", "a", "b", "b"]


def test_stored_owned_words_follow_the_principal_parameters(tmp_path: Path) -> None:
    """Family 2's owned-model vocabulary is stored with the index (``screens.owned``); a model is owned by a column
    the project compares with the caller (``knowledge.scoping``), and who the caller is depends on
    ``principal-parameters``: a run with other principal parameters over the same facts must not read the
    vocabulary another run stored."""
    from backend_lint.ground.config import Settings
    from backend_lint.knowledge.index import ProjectIndex
    from backend_lint.rules.isolation._analysis import owned_model_spelled

    (tmp_path / "models.py").write_text(
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n"
        "class Crate(Base):\n    __tablename__ = 'crate'\n    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    keeper_id = sa.Column(sa.Integer)\n"
    )
    (tmp_path / "mine.py").write_text(
        "import sqlalchemy as sa\nfrom models import Crate\n\n\n"
        "def mine(db, member):\n    return db.scalars(sa.select(Crate).where(Crate.keeper_id == member.id)).all()\n"
    )
    files = [str(tmp_path / "models.py"), str(tmp_path / "mine.py")]
    cache = str(tmp_path / ".cache")
    text = "def one(db, crate_id):\n    return db.get(Crate, crate_id)\n"
    first = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert not owned_model_spelled(text, first, Settings())  # ``member`` is nobody by default: Crate is not owned
    member = Settings(principal_parameters=("member",))
    fresh = ProjectIndex.build(str(tmp_path), files)
    assert owned_model_spelled(text, fresh, member)  # ``member.id`` is the caller: Crate is owned by keeper_id
    second = ProjectIndex.build(str(tmp_path), files, cache_dir=cache)
    assert owned_model_spelled(text, second, member)  # not the first run's stored words


_LIBCST_PROBE = (
    "import sys\n"
    "from backend_lint.faces.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "from backend_lint.ground.lazy import is_loaded\n"
    "from backend_lint.engine.registry import all_rules\n"
    "print('RULES', len(all_rules()), 'LIBCST', 'libcst' in sys.modules and is_loaded(sys.modules['libcst']))\n"
)


@pytest.mark.parametrize(
    "source, loaded",
    [
        ("import os\n\n\ndef size(path):\n    return os.path.getsize(path)\n", False),
        ("from datetime import datetime\n\nstarted = datetime.utcnow()\n", True),
    ],
)
def test_libcst_runs_only_when_a_file_is_parsed(tmp_path: Path, source: str, loaded: bool) -> None:
    """The rules and the knowledge they use bind libcst lazily (``ground/lazy.py``): a run whose files the
    screens settle imports every rule but never executes libcst (its import is most of a one-file run). The
    CLI runs in a fresh interpreter; the second file has a finding, so libcst must run there."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "probe"\n')
    (tmp_path / "app.py").write_text(source)
    proc = subprocess.run(
        [sys.executable, "-c", _LIBCST_PROBE, "check", "--no-cache", "--exit-zero", "-q", "--select", "ALL", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("RULES ") and last.endswith(f"LIBCST {loaded}"), proc.stdout + proc.stderr


def test_index_hands_its_tree_to_the_lint_of_the_same_text(tmp_path: Path) -> None:
    """A file the index extracted in this process is parsed with ``ast`` once: the index keeps the tree for
    the lint of the very same text (once), never for another text, and within its budget of source."""
    from backend_lint.knowledge.index import ProjectIndex
    from backend_lint.knowledge.index.extract import TreeHandover

    (tmp_path / "app").mkdir()
    a = tmp_path / "app" / "a.py"
    b = tmp_path / "app" / "b.py"
    a.write_text("from fastapi import APIRouter\nrouter = APIRouter()\n")
    b.write_text("x = 1\n")
    index = ProjectIndex.build(str(tmp_path), [str(a), str(b)], jobs=1)
    tree = index.take_tree(str(a), a.read_text())
    assert isinstance(tree, ast.Module) and ast.dump(tree) == ast.dump(ast.parse(a.read_text()))
    assert index.take_tree(str(a), a.read_text()) is None  # handed over once
    assert index.take_tree(str(b), "x = 2\n") is None  # another text: no tree (and it is let go)
    assert index.take_tree(str(b), b.read_text()) is None
    index.update_source(str(b), "y = 3\n")  # an editor's buffer: the lint that follows reads its tree
    assert isinstance(index.take_tree(str(b), "y = 3\n"), ast.Module)
    small = TreeHandover(10)
    small.offer("/p/big.py", "x = 1  # more than ten characters\n", ast.parse("x = 1\n"))
    small.offer("/p/s.py", "x = 1\n", ast.parse("x = 1\n"))
    assert small.take("/p/big.py", "x = 1  # more than ten characters\n") is None
    assert small.take("/p/s.py", "x = 1\n") is not None and small.budget == 10


# libcst node classes that hot loops compare with ``type(node) is cst.X`` instead of ``isinstance`` (a failing
# ``isinstance`` on libcst's ABCs is a Python call into ``abc``): the two agree only while no class derives from them
_TYPE_DISPATCHED = (
    "Attribute", "Arg", "Param", "Name", "Assign", "AnnAssign", "AugAssign", "AssignTarget", "Lambda", "Dict", "Call",
    "FunctionDef", "ClassDef", "SimpleStatementLine", "If", "For", "While", "ListComp", "SetComp", "GeneratorExp",
    "DictComp", "Comparison",
)


def test_type_dispatched_libcst_classes_have_no_subclasses() -> None:
    for name in _TYPE_DISPATCHED:
        cls = getattr(cst, name)
        assert cls.__subclasses__() == [], name


def test_resolve_symbol_answers_follow_an_edit(tmp_path: Path) -> None:
    """``ProjectIndex.resolve_symbol`` keeps its answers once every module is loaded; a module replaced from
    new text (the language server, the fixer) drops them."""
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    models = tmp_path / "app" / "models.py"
    models.write_text("class Item:\n    pass\n")
    (tmp_path / "app" / "api.py").write_text("from app.models import Item\n")
    files = [str(p) for p in sorted((tmp_path / "app").glob("*.py"))]
    index = ProjectIndex.build(str(tmp_path), files, jobs=1)
    assert index.resolve_symbol("app.api.Item") == ("app.models", "Item", "classes")
    assert index.resolve_symbol("app.api.Item") == ("app.models", "Item", "classes")
    index.update_source(str(models), "def Item():\n    pass\n")
    assert index.resolve_symbol("app.api.Item") == ("app.models", "Item", "functions")
    index.update_source(str(models), "Other = 1\n")
    assert index.resolve_symbol("app.api.Item") is None


def test_class_mro_answers_follow_an_edit(tmp_path: Path) -> None:
    """``ProjectIndex.class_mro`` keeps its answers (a tuple the callers share) once every module is loaded;
    a module replaced from new text drops them, as ``resolve_symbol``'s."""
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    base = tmp_path / "app" / "base.py"
    base.write_text("class Base:\n    pass\n")
    (tmp_path / "app" / "models.py").write_text("from app.base import Base\nclass Item(Base):\n    pass\n")
    files = [str(p) for p in sorted((tmp_path / "app").glob("*.py"))]
    index = ProjectIndex.build(str(tmp_path), files, jobs=1)
    first = index.class_mro("app.models.Item")
    assert [name for name, _ in first] == ["app.models.Item", "app.base.Base"]
    assert isinstance(first, tuple) and index.class_mro("app.models.Item") is first
    index.update_source(str(base), "from pydantic import BaseModel\nclass Base(BaseModel):\n    pass\n")
    again = index.class_mro("app.models.Item")
    assert [name for name, _ in again] == ["app.models.Item", "app.base.Base", "pydantic.BaseModel"]
    assert again[2][1] is None


_ROUTE_SHAPES = '''\
import fastapi
router = fastapi.APIRouter()

class Views:
    @router.get("/a")
    def a(self): ...

def outer():
    if flag:
        @router.post("/b")
        async def b(): ...
    else:
        for x in xs:
            pass
        else:
            while y:
                pass
            else:
                with ctx():
                    try:
                        pass
                    except E:
                        @router.put("/c")
                        def c(): ...
                    else:
                        pass
                    finally:
                        @app.websocket("/d")
                        def d(): ...

match command:
    case [first, *rest] if first:
        class Inner:
            @router.api_route("/e")
            def e(self): ...
    case _:
        @decorator
        @router.delete
        def f(): ...

try:
    pass
except* ValueError:
    @router.patch("/g")
    def g(): ...

lam = lambda: (yield)
'''


def test_route_decorated_reads_every_function() -> None:
    """``tree_facts.route_decorated`` (what the project index records for family 6's ``has_route``) walks
    statements only: it finds the route decorators that a look at every function of the file finds, at any
    depth and in every kind of block; ``top_classes`` is the module's top-level class statements."""
    import ast

    from backend_lint.knowledge.tree_facts import ROUTE_DECORATORS, TreeFacts, route_decorated, screen_record, top_classes

    def every_function(tree: ast.Module) -> bool:
        return any(
            isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS
            for func in TreeFacts("", tree).functions for dec in func.decorator_list
        )

    tree = ast.parse(_ROUTE_SHAPES)
    assert route_decorated(tree)
    # each route decorator alone, the others made plain: still found
    routes = ["@router.get(", "@router.post(", "@router.put(", "@app.websocket(", "@router.api_route(", "@router.patch("]
    for kept in routes:
        text = _ROUTE_SHAPES
        for other in routes:
            if other != kept:
                text = text.replace(other, "@plain(")
        assert route_decorated(ast.parse(text)) and every_function(ast.parse(text)), kept
    plain = _ROUTE_SHAPES
    for r in routes:
        plain = plain.replace(r, "@plain(")
    assert not route_decorated(ast.parse(plain)) and not every_function(ast.parse(plain))  # (``@router.delete``: no call)
    checked = 0
    for _, text in _sources(40):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        assert route_decorated(tree) == every_function(tree)
        assert top_classes(tree) == [s.name for s in tree.body if isinstance(s, ast.ClassDef)]
        assert screen_record(tree, text) == {"route": route_decorated(tree), "classes": top_classes(tree)}
        checked += 1
    assert checked > 10


def test_screens_read_the_index_record_of_the_same_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project index records what family 6's screens read first (``screen_record``) with a file's facts: the
    lint of that very text does not parse the file with ``ast`` when the record decides (no route, no class a
    rule names); a file a screen must read further, or another text, is parsed as before; findings are the same
    either way."""
    from backend_lint.engine.api import Engine
    from backend_lint.ground.config import Settings
    from backend_lint.knowledge import tree_facts as tf
    from backend_lint.knowledge.index import ProjectIndex

    (tmp_path / "app").mkdir()
    quiet = tmp_path / "app" / "quiet.py"
    quiet.write_text("class Plain:\n    pass\n\n\ndef helper(x):\n    return x\n")
    routes = tmp_path / "app" / "routes.py"
    routes.write_text(
        "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\nrouter = APIRouter()\n\n\n"
        "class Note(BaseModel):\n    body: str\n\n\n@router.post('/notes')\ndef add(payload: dict):\n    save(payload)\n    return payload\n"
    )
    index = ProjectIndex.build(str(tmp_path), [str(quiet), str(routes)], jobs=1)
    for f in (quiet, routes):
        index.take_tree(str(f), f.read_text())  # (not the handed-over tree: the record is what is read here)
    assert index.screen_record(str(quiet), quiet.read_text()) == {"route": False, "classes": ["Plain"]}
    assert index.screen_record(str(quiet), quiet.read_text() + "\n") is None  # another text: no record
    assert index.screen_record(str(routes), routes.read_text())["route"] is True
    parses: list[str] = []
    real = tf._parse

    def counted(source: str):
        parses.append(source)
        return real(source)

    monkeypatch.setattr(tf, "_parse", counted)
    codes = ["BKL601", "BKL602", "BKL603", "BKL604", "BKL605", "BKL606", "BKL607"]
    engine = Engine(Settings(), codes, index, skip=True)
    result = engine.lint_source(quiet.read_text(), str(quiet))
    assert not result.parsed and not result.diagnostics and parses == []
    edited = quiet.read_text() + "\n"  # not the indexed text: parsed for the screens, as before
    assert not engine.lint_source(edited, str(quiet)).parsed and parses == [edited]
    parses.clear()
    with_route = engine.lint_source(routes.read_text(), str(routes))
    assert with_route.parsed and parses == [routes.read_text()]
    plain = Engine(Settings(), codes, index, skip=False).lint_source(routes.read_text(), str(routes))
    assert [(d.code, d.row) for d in with_route.diagnostics] == [(d.code, d.row) for d in plain.diagnostics]


def test_tree_facts_from_a_record_parse_when_read() -> None:
    """A ``TreeFacts`` made from the index's record answers the recorded facts without a tree, parses when
    anything else is read, and says when that parse failed (the engine then screens nothing: as for a text
    CPython cannot parse)."""
    import ast

    from backend_lint.knowledge.tree_facts import TreeFacts, screen_record

    text = "class A:\n    pass\n\n\ndef f(x):\n    return x\n"
    facts = TreeFacts(text, None, screen_record(ast.parse(text), text))
    assert facts.top_classes == ["A"] and facts.route_decorated is False and facts.parsed_tree is None
    assert "x" in facts.names and facts.parsed_tree is not None and not facts.failed
    assert ast.dump(facts.tree) == ast.dump(ast.parse(text))
    broken = TreeFacts("def f(:\n", None, {"route": False, "classes": []})
    assert broken.nodes(ast.FunctionDef) == [] and broken.failed and broken.parsed_tree is None
    unrecorded = TreeFacts(text, ast.parse(text))
    assert unrecorded.top_classes == ["A"] and unrecorded.route_decorated is False


def test_stored_checked_parent_dependencies_follow_the_facts_and_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``queries.checked_parent_dependencies`` (family 2's screen words for a child under a checked row) is
    stored with the index: read back by the next run over the same facts, derived again when a module's facts
    change or when the settings that decide who asks differ."""
    from backend_lint.ground.config import Settings
    from backend_lint.knowledge.index import ProjectIndex
    from backend_lint.knowledge.queries import checked_parent_dependencies, summaries

    orchard = REPO / "tests" / "fixtures" / "isolation" / "BKL201" / "checked_parent_dependency" / "orchard"
    (tmp_path / "orchard").mkdir()
    for p in orchard.glob("*.py"):
        (tmp_path / "orchard" / p.name).write_text(p.read_text())
    files = sorted(str(p) for p in (tmp_path / "orchard").glob("*.py"))
    cache = str(tmp_path / ".cache")
    calls: list[int] = []
    real = summaries._checked_parent_dependencies

    def counted(project, settings):
        calls.append(1)
        return real(project, settings)

    monkeypatch.setattr(summaries, "_checked_parent_dependencies", counted)
    settings = Settings()
    first = checked_parent_dependencies(ProjectIndex.build(str(tmp_path), files, cache_dir=cache), settings)
    assert "orchard.deps.member_bed" in first and "orchard.deps.member_garden" in first
    assert checked_parent_dependencies(ProjectIndex.build(str(tmp_path), files, cache_dir=cache), settings) == first
    assert len(calls) == 1  # read back, not derived again
    other = Settings(auth_dependencies=("orchard.deps.get_db",))
    checked_parent_dependencies(ProjectIndex.build(str(tmp_path), files, cache_dir=cache), other)
    assert len(calls) == 2  # other settings: not the first run's stored names
    deps = tmp_path / "orchard" / "deps.py"
    deps.write_text(deps.read_text().replace("garden_id=garden.id, bed_id=bed_id", "garden_id=None, bed_id=bed_id"))
    third = checked_parent_dependencies(ProjectIndex.build(str(tmp_path), files, cache_dir=cache), settings)
    assert len(calls) == 3  # the facts changed: derived again
    assert "orchard.deps.member_bed" not in third and "orchard.deps.member_garden" in third


def test_a_check_run_stores_its_derived_facts_in_one_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-process ``check`` derives families 1-2's project-wide facts and writes the derived-facts file once; the
    next run (one file edited by a comment) reads them back and writes nothing; findings as ``--no-cache``'s."""
    import shutil

    from backend_lint.engine.workspace import Request, run
    from backend_lint.knowledge.index import ProjectIndex

    root = tmp_path / "app"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "isolation" / "_projects" / "fetch_and_check_helpers", root)
    writes: list[int] = []
    write = ProjectIndex._write_derived
    monkeypatch.setattr(ProjectIndex, "_write_derived", lambda self, values: writes.append(len(values)) or write(self, values))
    monkeypatch.chdir(root)

    def findings(**kw) -> list[tuple]:
        result = run(Request(paths=[str(root)], jobs=1, select=("BKL1", "BKL2"), **kw))
        return sorted((d.path, d.row, d.code, d.message) for o in result.outcomes for d in o.diagnostics)

    expected = findings(use_cache=False)
    assert expected and writes == []  # (no cache: nothing stored)
    assert findings() == expected
    assert len(writes) == 1 and writes[0] > 1  # several values, one write
    edited = root / "studio" / "routes.py"
    edited.write_text(edited.read_text() + "\n# an edit\n")
    assert findings() == expected
    assert len(writes) == 1  # read back, nothing derived again


def test_a_workspace_holds_its_derived_facts_until_released(tmp_path: Path) -> None:
    """``Workspace.hold_derived`` (a flake8 worker: no end of run of its own) writes the derived-facts file once,
    at ``release_derived``; a second hold in the same process is no new hold, and a release in another process
    (a forked child's copy of the hold) writes nothing."""
    from backend_lint.engine.workspace import Workspace
    from backend_lint.ground.config import Settings

    (tmp_path / "models.py").write_text("class Item:\n    pass\n")
    cache = str(tmp_path / ".cache")
    workspace = Workspace(Settings(root=str(tmp_path)), cache_dir=cache)

    def derived_files() -> list[str]:
        return [n for n in os.listdir(cache) if n.startswith("derived-")]

    assert workspace.hold_derived() is True
    assert workspace.hold_derived() is False  # (already held by this process)
    workspace.index.stored_memo("a", lambda: ["a"])
    workspace.index.stored_memo("b", lambda: ["b"])
    assert derived_files() == []  # held back
    pid = os.fork()
    if pid == 0:  # a forked child's release is not its own: nothing written, the hold stays the parent's
        workspace.release_derived()
        os._exit(0 if not derived_files() else 1)
    assert os.waitpid(pid, 0)[1] == 0
    workspace.release_derived()
    assert len(derived_files()) == 1
    again = Workspace(Settings(root=str(tmp_path)), cache_dir=cache)
    assert again.index.stored_memo("a", lambda: ["derived again"]) == ["a"]
    assert again.index.stored_memo("b", lambda: ["derived again"]) == ["b"]
