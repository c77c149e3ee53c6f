"""Per-module facts, extracted with ``ast`` (about 10x cheaper than a libcst parse).

The facts are plain JSON values so that the index can be stored and reused across runs and by the
flake8 plugin. Extra extractors live in ``index/extractors/<name>.py`` and define
``extract(tree: ast.Module, facts: dict, resolve: Callable[[ast.expr], str | None]) -> None``; they add
their own keys under ``facts["extra"][<name>]``. An extractor that walks a function uses
``_common.walk_function`` / ``own_nodes`` (each function is walked once for all extractors), or
``_common.walk_kinds`` (that walk by node class: a reading of calls or assignments goes over those alone), and
asks ``_common.mentions`` before looking for something a module must spell to hold.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import warnings
from functools import lru_cache
from typing import Any, Callable, Optional

from ..modules import resolve_relative
from ..tree_facts import screen_record
from . import extractors
from .services import remap_module
from .extractors._common import begin_module, end_module

FACTS_VERSION = "1"
_TypeAlias = getattr(ast, "TypeAlias", ())  # (Python 3.12+)


def _unparse(node: Optional[ast.AST]) -> Optional[str]:
    if node is None:
        return None
    try:
        quick = _plain(node)
    except RecursionError:  # (nested too deep for this reader: ``ast.unparse`` decides)
        quick = None
    except Exception:  # integers past ``sys.get_int_max_str_digits()``: ``ast.unparse`` fails on them too
        return None
    try:
        return quick if quick is not None else ast.unparse(node)
    except Exception:  # integers past ``sys.get_int_max_str_digits()``, names nested too deep to recurse
        return None


def _plain(node: ast.AST) -> Optional[str]:
    """``ast.unparse`` of the common annotation, default and field-value shapes, written directly
    (``ast.unparse`` is a visitor in Python: a quarter of the facts' extraction): names, dotted names,
    constants (numbers, strings, ``None`` / ``True`` / ``False``, ``...``), negative numbers, subscripts,
    calls (``Column(String(50), nullable=False)``), ``X | None`` chains, and lists, tuples, sets and dicts of
    those. ``None`` for any other shape; a test holds it to ``ast.unparse``."""
    kind = node.__class__
    if kind is ast.Name:
        return node.id  # type: ignore[attr-defined]
    if kind is ast.Attribute:
        value = node.value  # type: ignore[attr-defined]
        if value.__class__ is ast.Name or value.__class__ is ast.Attribute:
            head = _plain(value)
            return None if head is None else f"{head}.{node.attr}"  # type: ignore[attr-defined]
        return None
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        if value is None or value is True or value is False or (value.__class__ is int and value >= 0):
            return repr(value)
        if value.__class__ is str or value.__class__ is bytes:
            return ("u" if node.kind == "u" else "") + repr(value)  # type: ignore[attr-defined]
        if value.__class__ is float and value == value and value not in (float("inf"), float("-inf")) and value >= 0:
            return repr(value)
        if value is Ellipsis:
            return "..."
        return None
    if kind is ast.Subscript:
        base = node.value  # type: ignore[attr-defined]
        if base.__class__ is not ast.Name and base.__class__ is not ast.Attribute:
            return None
        head = _plain(base)
        index = node.slice  # type: ignore[attr-defined]
        if head is None:
            return None
        if index.__class__ is ast.Tuple:
            items = [_plain(e) for e in index.elts]  # type: ignore[attr-defined]
            if len(items) < 2 or None in items:  # (one element: ``X[Y,]``)
                return None
            return f"{head}[{', '.join(items)}]"  # type: ignore[arg-type]
        inner = _plain(index)
        return None if inner is None else f"{head}[{inner}]"
    if kind is ast.Call:
        func = node.func  # type: ignore[attr-defined]
        if func.__class__ is not ast.Name and func.__class__ is not ast.Attribute:
            return None
        head = _plain(func)
        if head is None:
            return None
        parts = [_plain(a) for a in node.args]  # type: ignore[attr-defined]
        for k in node.keywords:  # type: ignore[attr-defined]
            if k.arg is None:
                return None
            value = _plain(k.value)
            parts.append(None if value is None else f"{k.arg}={value}")
        if None in parts:
            return None
        return f"{head}({', '.join(parts)})"  # type: ignore[arg-type]
    if kind is ast.BinOp:
        # ``X | Y | None``: a left-leaning chain of atoms (``ast.unparse`` parenthesises a right operand that is
        # itself an operation; a chain needs no parentheses where this reader is used)
        if node.op.__class__ is not ast.BitOr or node.right.__class__ is ast.BinOp:  # type: ignore[attr-defined]
            return None
        left = node.left  # type: ignore[attr-defined]
        if left.__class__ is ast.BinOp and left.op.__class__ is not ast.BitOr:  # type: ignore[attr-defined]
            return None
        a = _plain(left)
        b = _plain(node.right)  # type: ignore[attr-defined]
        return None if a is None or b is None else f"{a} | {b}"
    if kind is ast.UnaryOp:
        operand = node.operand  # type: ignore[attr-defined]
        if node.op.__class__ is not ast.USub or operand.__class__ is not ast.Constant:  # type: ignore[attr-defined]
            return None
        value = operand.value
        if value is True or value is False or (value.__class__ is not int and value.__class__ is not float):
            return None
        inner = _plain(operand)
        return None if inner is None else f"-{inner}"
    if kind is ast.List or kind is ast.Tuple or kind is ast.Set:
        elts = node.elts  # type: ignore[attr-defined]
        if kind is ast.Set and not elts:
            return None
        items = [_plain(e) for e in elts]
        if None in items:
            return None
        if kind is ast.List:
            return f"[{', '.join(items)}]"  # type: ignore[arg-type]
        if kind is ast.Set:
            return f"{{{', '.join(items)}}}"  # type: ignore[arg-type]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"  # type: ignore[arg-type]
    if kind is ast.Dict:
        pairs = []
        for k, v in zip(node.keys, node.values):  # type: ignore[attr-defined]
            if k is None:
                return None
            key, value = _plain(k), _plain(v)
            if key is None or value is None:
                return None
            pairs.append(f"{key}: {value}")
        return f"{{{', '.join(pairs)}}}"
    return None


def ast_dotted(node: ast.AST) -> Optional[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None




class _Resolver:
    """A module's resolution of a name, a dotted name, or the head of a subscript or call, through its own
    top-level bindings; the spelling is kept when nothing binds its head. Asked ~100 times per module (140 k
    on the FastAPI group) for a few dozen spellings: each spelling's answer is kept (the bindings do not
    change once the module's facts are read)."""

    __slots__ = ("module", "imports", "local", "_answers", "remap")

    def __init__(self, module: str, imports: dict[str, str], local: set[str], remap: Optional[tuple[str, str]] = None) -> None:
        self.module = module
        self.imports = imports
        self.local = local
        self._answers: dict[str, str] = {}
        self.remap = remap  # (how the module's service reads its absolute imports: ``ProjectIndex.module_remap``)

    def __call__(self, node: ast.AST) -> Optional[str]:
        kind = node.__class__
        if kind is ast.Subscript:
            node = node.value  # type: ignore[attr-defined]
            kind = node.__class__
        if kind is ast.Call:
            node = node.func  # type: ignore[attr-defined]
            kind = node.__class__
        if kind is ast.Name:
            dotted: Optional[str] = node.id  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            dotted = ast_dotted(node)
        elif isinstance(node, (ast.Subscript, ast.Call, ast.Name, ast.Attribute)):  # (a subclass: the long way)
            return self._resolve(node)
        else:
            return None
        if dotted is None:
            return None
        found = self._answers.get(dotted)
        if found is None:
            found = self._answers[dotted] = self._qualify(dotted)
        return found

    def _resolve(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Call):
            node = node.func
        dotted = ast_dotted(node)
        return None if dotted is None else self._qualify(dotted)

    def _qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if head in self.local:
            base = f"{self.module}.{head}" if self.module else head
        elif head in self.imports:
            base = self.imports[head]
        else:
            return dotted  # unresolved (builtin or star import): keep the spelling
        return f"{base}.{rest}" if rest else base


def _collect_imports(
    body: list[ast.stmt], module: str, is_package: bool, imports: dict[str, str], local: set[str],
    absolute: Optional[list] = None, stars: Optional[list] = None, spelled: Optional[dict] = None,
    remap: Optional[tuple[str, str]] = None,
) -> None:
    """Top-level bindings. ``absolute`` collects the absolute imports as ``[module, names]`` (``names`` is
    ``None`` for ``import module``): the project index infers its import roots from them; ``stars`` collects
    the modules ``from module import *`` reads (resolved). ``spelled`` keeps what depends on ``module``'s name
    as written: ``names``, local -> ``[level, module, name]`` of the relative imports that bind it last,
    ``stars``, ``[level, module]`` of every star import (``import_spellings`` facts: the import roots read them
    under the name a module would have without the roots, whatever name it was extracted under), and
    ``relative``, ``[level, module, names]`` of every relative ``from`` import (``relative_imports`` facts: the
    import roots read where they climb to, and the run counts those that resolve to nothing). ``remap``: how
    the file's service reads its absolute imports of its own package (``ProjectIndex.module_remap``)."""
    for stmt in body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if absolute is not None:
                    absolute.append([alias.name, None])
                if alias.asname:
                    imports[alias.asname] = remap_module(alias.name, remap)
                    if spelled is not None:
                        spelled["names"].pop(alias.asname, None)
                else:
                    top = alias.name.split(".")[0]
                    imports[top] = remap_module(top, remap)
                    if spelled is not None:
                        spelled["names"].pop(top, None)
        elif isinstance(stmt, ast.ImportFrom):
            level = stmt.level or 0
            base = resolve_relative(module, is_package, level, stmt.module or "")
            if not level and remap is not None:
                base = remap_module(base, remap)
            if absolute is not None and not stmt.level and stmt.module:
                absolute.append([stmt.module, [alias.name for alias in stmt.names]])
            if spelled is not None and level:
                spelled["relative"].append([level, stmt.module or "", [alias.name for alias in stmt.names]])
            for alias in stmt.names:
                if alias.name == "*":
                    if stars is not None and base and base not in stars:
                        stars.append(base)
                    if spelled is not None:
                        spelled["stars"].append([level, stmt.module or ""])
                    continue
                local_name = alias.asname or alias.name
                imports[local_name] = f"{base}.{alias.name}" if base else alias.name
                if spelled is not None:
                    if level:
                        spelled["names"][local_name] = [level, stmt.module or "", alias.name]
                    else:
                        spelled["names"].pop(local_name, None)
        elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            local.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, _TypeAlias)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.name if isinstance(stmt, _TypeAlias) else stmt.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    local.add(t.id)
        elif isinstance(stmt, ast.If):
            _collect_imports(stmt.body, module, is_package, imports, local, absolute, stars, spelled, remap)
            _collect_imports(stmt.orelse, module, is_package, imports, local, absolute, stars, spelled, remap)
        elif isinstance(stmt, ast.Try):
            _collect_imports(stmt.body, module, is_package, imports, local, absolute, stars, spelled, remap)
            for h in stmt.handlers:
                _collect_imports(h.body, module, is_package, imports, local, absolute, stars, spelled, remap)
            _collect_imports(stmt.orelse, module, is_package, imports, local, absolute, stars, spelled, remap)


def _dunder_all(body: list[ast.stmt]) -> Optional[list[str]]:
    """The module's literal ``__all__`` (a list or tuple of strings, ``+=`` extensions included), or ``None``."""
    found: Optional[list[str]] = None
    for stmt in body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            target, value = stmt.target, stmt.value
        if not (isinstance(target, ast.Name) and target.id == "__all__" and isinstance(value, (ast.List, ast.Tuple))):
            continue
        names = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        found = (found or []) + names if isinstance(stmt, ast.AugAssign) else names
    return found


def _param_facts(args: ast.arguments) -> list[dict[str, Any]]:
    out = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for a, d in zip(positional, defaults):
        out.append({"name": a.arg, "annotation": _unparse(a.annotation), "default": _unparse(d), "kind": "positional"})
    if args.vararg:
        out.append({"name": args.vararg.arg, "annotation": _unparse(args.vararg.annotation), "default": None, "kind": "vararg"})
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append({"name": a.arg, "annotation": _unparse(a.annotation), "default": _unparse(d), "kind": "keyword"})
    if args.kwarg:
        out.append({"name": args.kwarg.arg, "annotation": _unparse(args.kwarg.annotation), "default": None, "kind": "kwarg"})
    return out


def _class_facts(node: ast.ClassDef, resolve: _Resolver) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    methods: list[str] = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            fields[stmt.target.id] = {
                "annotation": _unparse(stmt.annotation),
                "annotation_qualified": resolve(stmt.annotation),
                "value": _unparse(stmt.value),
                "call": resolve(stmt.value.func) if isinstance(stmt.value, ast.Call) else None,
                "line": stmt.lineno,
            }
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    fields[t.id] = {
                        "annotation": None,
                        "annotation_qualified": None,
                        "value": _unparse(stmt.value),
                        "call": resolve(stmt.value.func) if isinstance(stmt.value, ast.Call) else None,
                        "line": stmt.lineno,
                    }
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods.append(stmt.name)
    return {
        "line": node.lineno,
        "bases": [resolve(b) or _unparse(b) for b in node.bases],
        "bases_source": [_unparse(b) for b in node.bases],
        "keywords": {k.arg: _unparse(k.value) for k in node.keywords if k.arg},
        "decorators": [resolve(d) or _unparse(d) for d in node.decorator_list],
        "fields": fields,
        "methods": methods,
    }


@lru_cache(maxsize=None)
def _extractors() -> tuple[tuple[str, Callable], ...]:
    pkg = extractors
    out = []
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        fn = getattr(module, "extract", None)
        if fn is not None:
            out.append((info.name, fn))
    return tuple(sorted(out))


def extractor_names() -> tuple[str, ...]:
    return tuple(name for name, _ in _extractors())


class TreeHandover:
    """CPython trees the index parsed in this process, handed to the lint of the same text so that a file is
    parsed with ``ast`` once per run (the screens and positions read the same tree). Each is taken once;
    trees are kept only up to ``budget`` characters of source in all (a tree costs about 24 bytes per
    character of its source: every file of a large project at once would cost hundreds of MB; the files a
    run extracts in a pool never come back to this process anyway)."""

    __slots__ = ("budget", "trees")

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.trees: dict[str, tuple[str, ast.Module]] = {}

    def offer(self, path: str, source: str, tree: ast.Module) -> None:
        old = self.trees.pop(path, None)
        if old is not None:
            self.budget += len(old[0])
        if len(source) <= self.budget:
            self.budget -= len(source)
            self.trees[path] = (source, tree)

    def take(self, path: str, source: str) -> Optional[ast.Module]:
        """The tree of ``source`` at ``path`` (absolute) if this process parsed that very text, else ``None``."""
        found = self.trees.pop(path, None)
        if found is None:
            return None
        self.budget += len(found[0])
        return found[1] if found[0] == source else None


def _parse(source: str, path: str) -> tuple[Optional[ast.Module], bool, bool]:
    """The tree; whether it is the tree of a respelled text (syntax newer than the running Python's, read
    by ``knowledge/newer_syntax.py``: never handed over to the lint); whether the module uses syntax newer
    than the running Python's that even the respelling could not read (no tree then)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=path), False, False
    except SyntaxError:
        pass
    except (ValueError, RecursionError, MemoryError):
        return None, False, False
    from ..newer_syntax import older_tree  # (libcst and a subprocess guard: only for a module ``ast`` refused)

    tree, newer = older_tree(source, path)
    return tree, tree is not None, newer and tree is None


def extract_module(
    source: str, path: str, module: str, is_package: bool, handover: Optional[TreeHandover] = None, tree: Optional[ast.Module] = None,
    remap: Optional[tuple[str, str]] = None,
) -> dict[str, Any]:
    """The module's facts. ``handover``: where to leave the tree for the lint of the same text. ``tree``: CPython's
    tree of it when the caller has one (a language server splices an edited function into the file's previous
    tree instead of parsing it all). ``remap``: how the file's service reads its own package's absolute imports
    (``ProjectIndex.module_remap``)."""
    facts: dict[str, Any] = {
        "module": module,
        "is_package": is_package,
        "path": path,
        "parsed": False,
        "imports": {},
        "classes": {},
        "functions": {},
        "assignments": {},
        "extra": {},
    }
    patched = tree is not None  # (a tree given by the caller is its own: never handed over to the lint)
    respelled = False
    if tree is None:
        tree, respelled, newer = _parse(source, path)
        patched = respelled
        if newer:
            facts["newer_syntax"] = True  # (libcst reads it, this Python's ``ast`` cannot: said by ``check``)
    if tree is None:
        return facts
    facts["parsed"] = True
    if not respelled:
        # what the rules' screens read of this text, so that they need not parse it again (``TreeFacts``);
        # not of a respelled tree (the screens never see one: CPython cannot parse that text)
        facts["screen"] = screen_record(tree, source)
    imports: dict[str, str] = {}
    local: set[str] = set()
    absolute: list = []
    stars: list = []
    spelled: dict[str, Any] = {"names": {}, "stars": [], "relative": []}
    _collect_imports(tree.body, module, is_package, imports, local, absolute, stars, spelled, remap)
    relative = spelled.pop("relative")
    facts["imports"] = imports
    if absolute:
        facts["absolute_imports"] = absolute
    if relative:
        facts["relative_imports"] = relative
    if stars:
        facts["star_imports"] = stars
    if spelled["names"] or spelled["stars"]:
        facts["import_spellings"] = spelled
    dunder_all = _dunder_all(tree.body) if "__all__" in source else None
    if dunder_all is not None:
        facts["all"] = dunder_all
    resolve = _Resolver(module, imports, local, remap)
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            facts["classes"][stmt.name] = _class_facts(stmt, resolve)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts["functions"][stmt.name] = {
                "line": stmt.lineno,
                "async": isinstance(stmt, ast.AsyncFunctionDef),
                "decorators": [resolve(d) or _unparse(d) for d in stmt.decorator_list],
                "params": _param_facts(stmt.args),
                "returns": _unparse(stmt.returns),
            }
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, _TypeAlias)) and stmt.value is not None:
            # (PEP 695 ``type X = V`` is ``X = V`` here, as the respelling reads it on an older Python)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.name if isinstance(stmt, _TypeAlias) else stmt.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    facts["assignments"][t.id] = {
                        "value": _unparse(stmt.value),
                        "call": resolve(stmt.value.func) if isinstance(stmt.value, ast.Call) else None,
                        "subscript": resolve(stmt.value.value) if isinstance(stmt.value, ast.Subscript) else None,
                        "line": stmt.lineno,
                    }
    begin_module(source)  # (the text for the extractors' cheap checks, and one walk per function for all)
    try:
        for name, fn in _extractors():
            try:
                fn(tree, facts, resolve)
            except Exception:  # an extractor bug must not lose the module's other facts
                facts["extra"].pop(name, None)
    finally:
        end_module()
    if handover is not None and not patched:
        handover.offer(path, source, tree)
    return facts
