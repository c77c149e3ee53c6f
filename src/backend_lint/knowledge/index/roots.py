"""Import roots: the directories the project's own absolute imports resolve from.

A file's module name normally comes from its ``__init__.py`` chain (or, outside packages, from its path
relative to the project root, a leading ``src/`` dropped). That guess fails on real layouts: a stray
``__init__.py`` above an app's real root (``apps/api/__init__.py`` with code in ``apps/api/src/`` imported
as ``src.db.courses``), a service directory run as a script directory (``server/`` whose modules import
``from models import User``), several services in one repository. Then no import resolves and every
cross-module rule goes silent.

``infer_roots`` reads the absolute imports the project's modules make (``facts["absolute_imports"]``) and
the project's file paths, and finds *units*: a directory ``D/T`` (or a module ``D/T.py``) that the
project imports as ``T...``, so that the files under it are named from ``D``. ``D`` is a root when at least
two ``from`` imports resolve from it (their names defined there); a unit under it is chosen when more imports
use that spelling than the default name of the same files. Directories listed in the ``src`` configuration key are roots for every file under them.
An import of a name that exists in the project under no root, or of a project top-level package that
lacks the module, stays *unresolved*; the share of those is what the run warns about.

Everything here is a function of the file paths and their absolute imports (not of the module names
chosen), so the result can be stored and reused while no file changes.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from ..modules import resolve_relative

# a directory is a root when at least this many (importing file, module) pairs of ``from`` imports resolve
# from it (the names they import defined there); then each of its units needs one import more than the
# default names of the same files get
# a package directory whose absolute imports of its own modules (``from utils.x import``, as a root) outnumber
# the project's imports of it by its package name this many times over is a root all the same
ROOT_OVER_PACKAGE = 10
MIN_ROOT_IMPORTS = 2
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


@dataclass
class RootsReport:
    """What the inference decided, in JSON-able parts (stored next to the index)."""

    units: list[str] = field(default_factory=list)  # absolute paths of the units (a directory or a ``.py`` file)
    src: list[str] = field(default_factory=list)  # absolute ``src`` directories (configuration)
    own_imports: int = 0  # (file, module) pairs of absolute imports into the project
    unresolved: list[list[str]] = field(default_factory=list)  # [importing path, imported module], sorted
    # the units that relative imports climbing out of a package chain named (``namespace_units``): directories
    namespaces: list[str] = field(default_factory=list)
    relative: int = 0  # (file, level, module) triples of relative ``from`` imports
    # [importing path, the module as written (``..crud.program``), what it resolves to under the final names]
    unresolved_relative: list[list[str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "src": self.src, "own_imports": self.own_imports, "unresolved": self.unresolved,
                "namespaces": self.namespaces, "relative": self.relative, "unresolved_relative": self.unresolved_relative}

    @classmethod
    def from_json(cls, data: Any) -> Optional["RootsReport"]:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                [str(u) for u in data["units"]], [str(s) for s in data["src"]], int(data["own_imports"]),
                [[str(a), str(b)] for a, b in data["unresolved"]],
                [str(n) for n in data.get("namespaces", ())], int(data.get("relative", 0)),
                [[str(a), str(b), str(c)] for a, b, c in data.get("unresolved_relative", ())],
            )
        except (KeyError, TypeError, ValueError):
            return None

    def roots(self) -> list[str]:
        """The directories the inferred units and the ``src`` key name modules from."""
        return sorted({os.path.dirname(u) for u in self.units} | set(self.src))


def _identifier_parts(parts: Iterable[str]) -> bool:
    return all(p.isidentifier() for p in parts)


def _module_parts(rel: str) -> Optional[tuple[list[str], list[str], bool]]:
    """``a/b/c.py`` -> (directory parts, module parts, is_package); ``None`` for a non-module path."""
    parts = rel.split(os.sep)
    base = parts[-1]
    if not base.endswith(".py"):
        return None
    dirs = parts[:-1]
    if base == "__init__.py":
        return dirs, list(dirs), True
    return dirs, dirs + [base[:-3]], False


def infer_roots(
    root: str,
    files: dict[str, tuple[str, bool]],
    imports_of: Callable[[str], list],
    defines: Callable[[str, str], Optional[set[str]]],
    src: Iterable[str] = (),
    split_packages: Iterable[str] = (),
    relative_of: Optional[Callable[[str], list]] = None,
) -> RootsReport:
    """Units and unresolved imports of the project at ``root``.

    ``files``: absolute path -> its default (module name, is_package); ``imports_of(path)``: the file's
    ``absolute_imports`` facts; ``defines(path, module)``: the top-level names the file binds, those it
imports from ``module`` itself left out (``None``: unknown);
    ``src``: absolute directories that are roots by configuration; ``split_packages``: paths of package
    ``__init__.py`` files that extend their ``__path__`` (``pkgutil.extend_path``: other distributions add
    modules to them, so a module missing here is not missing from the project); ``relative_of(path)``: the
    file's ``relative_imports`` facts (``namespace_units``: without it, no unit comes from relative imports)."""
    root = os.path.abspath(root)
    src_dirs = sorted({os.path.abspath(s) for s in src})
    wanted: set[str] = set()
    pairs: dict[tuple[str, str], Optional[set[str]]] = {}  # (importing path, module) -> names (None: ``import``)
    for path in files:
        for item in imports_of(path) or ():
            try:
                module, names = item
            except (TypeError, ValueError):
                continue
            if not isinstance(module, str) or not module or module.split(".")[0] in _STDLIB:
                continue
            key = (path, module)
            if names is None:
                pairs.setdefault(key, None)
            else:
                got = pairs.get(key)
                pairs[key] = (got or set()) | {n for n in names if isinstance(n, str)}
            wanted.add(module.split(".")[0])

    # what each directory provides: dotted name (relative to the directory) -> module file / package marker
    modules_at: dict[tuple[str, str], str] = {}  # (D, dotted) -> path of the file (module or __init__)
    dirs_at: set[tuple[str, str]] = set()  # (D, dotted) of directories holding Python files
    default_names: set[str] = set()
    default_prefixes: set[str] = set()
    outer, root_name = os.path.dirname(root), os.path.basename(root)
    default_packages: set[str] = set()  # first segments of the default names of modules inside packages
    for path, (name, _) in files.items():
        if name:
            default_names.add(name)
            bits = name.split(".")
            if len(bits) > 1:
                default_packages.add(bits[0])
            for i in range(1, len(bits)):
                default_prefixes.add(".".join(bits[:i]))
        try:
            rel = os.path.relpath(path, root)
        except ValueError:
            continue
        if rel.startswith(os.pardir):
            continue
        found = _module_parts(rel)
        if found is None:
            continue
        dirs, mod, is_package = found
        for i in range(-1, len(dirs) + 1):
            # i == -1: the project root's parent, for imports that spell the root's own name (``server.db``
            # from inside ``server/``)
            tail = [root_name] + mod if i < 0 else mod[i:]
            if not tail or tail[0] not in wanted or not _identifier_parts(tail):
                continue
            d = outer if i < 0 else (os.path.join(root, *dirs[:i]) if i else root)
            modules_at[(d, ".".join(tail))] = path
            for j in range(1, len(tail) - (0 if is_package else 1)):
                dirs_at.add((d, ".".join(tail[:j])))
            if is_package:
                dirs_at.add((d, ".".join(tail)))

    split_names = {files[p][0] for p in split_packages if p in files}

    def shared_package(module: str) -> bool:
        """The deepest existing package of ``module`` is shared with other distributions: a namespace
        directory (no ``__init__.py``) or a package that extends its ``__path__``."""
        bits = module.split(".")
        for i in range(len(bits) - 1, 0, -1):
            prefix = ".".join(bits[:i])
            if prefix in default_names:
                return prefix in split_names
            if prefix in default_prefixes:
                return True
        return False

    def by_default(module: str, names: Optional[set[str]]) -> bool:
        if module in default_names:
            return True
        if module in default_prefixes:  # a namespace directory: the names must be its modules
            return names is None or any(f"{module}.{n}" in default_names or f"{module}.{n}" in default_prefixes for n in names)
        return False

    defined: dict[tuple[str, str], Optional[set[str]]] = {}  # (file, module) -> ``defines``: the same import in many files

    def provides(d: str, module: str, names: Optional[set[str]]) -> bool:
        target = modules_at.get((d, module))
        if target is not None:
            if names is None or "*" in names:
                return True
            key = (target, module)
            if key in defined:
                bound = defined[key]
            else:
                bound = defined[key] = defines(target, module)
            return bound is None or any(n in bound or (d, f"{module}.{n}") in modules_at or (d, f"{module}.{n}") in dirs_at for n in names)
        if (d, module) in dirs_at and names is not None:  # a namespace directory: the names must be its modules
            return any((d, f"{module}.{n}") in modules_at or (d, f"{module}.{n}") in dirs_at for n in names)
        return False

    def providers(path: str, module: str, names: Optional[set[str]]) -> list[str]:
        """The directory ``module`` resolves from for the file ``path``: the innermost of the file's own
        directories that provides it (how a script directory or an app root on ``sys.path`` works), else
        the one directory of the project that does (a sibling library), else none."""
        d = os.path.dirname(path)
        while d == root or d.startswith(root + os.sep):
            if modules_at.get((d, module)) == path:
                pass  # ``import validators`` inside ``validators.py``: the module names another package
            elif provides(d, module, names):
                return [d]
            if d == root:
                break
            d = os.path.dirname(d)
        if outer != root and provides(outer, module, names):
            return [outer]
        if names is None or "*" in names:
            return []
        others = [c for c in by_head.get(module.split(".")[0], ()) if provides(c, module, names)]
        return others if len(others) == 1 else []

    by_head: dict[str, set[str]] = {}
    for d, dotted in list(modules_at) + list(dirs_at):
        by_head.setdefault(dotted.split(".")[0], set()).add(d)
    score: dict[tuple[str, str], int] = {}
    verified: dict[str, int] = {}  # per directory: ``from`` imports whose names it was seen to define
    default_count: dict[str, int] = {}
    # a package directory ``D`` named ``P`` that holds a package of its own name (``D/P/``): imports that resolve by
    # default and that ``D/P`` provides as well (``P.api.x`` of ``D/P/api/x.py`` outside the ``__init__.py`` chain),
    # per ``D``: no evidence that ``D`` is used as the package ``P``
    top_packages = {name: os.path.dirname(path) for path, (name, is_package) in files.items()
                    if is_package and name and "." not in name}
    same_name_uses: dict[str, int] = {}
    pending: list[tuple[tuple[str, str], list[str]]] = []
    strong: set[tuple[str, str]] = set()  # a module of a project package that the package lacks
    own = 0
    for (path, module), names in sorted(pairs.items()):
        if by_default(module, names):
            own += 1
            head = module.split(".")[0]
            for i in range(1, module.count(".") + 2):
                prefix = ".".join(module.split(".")[:i])
                default_count[prefix] = default_count.get(prefix, 0) + 1
            package_dir = top_packages.get(head)
            if package_dir is not None and ((package_dir, module) in modules_at or (package_dir, module) in dirs_at):
                same_name_uses[package_dir] = same_name_uses.get(package_dir, 0) + 1
            continue
        found = providers(path, module, names)
        head = module.split(".")[0]
        if "." in module and head in default_packages and not shared_package(module):
            strong.add((path, module))
        pending.append(((path, module), found))
        for d in found:
            score[(d, head)] = score.get((d, head), 0) + 1
            if names is not None:
                verified[d] = verified.get(d, 0) + 1

    def unit_path(d: str, head: str) -> str:
        package = os.path.join(d, head)
        return package if os.path.isdir(package) else package + ".py"

    def default_prefix_of(d: str, head: str) -> Optional[str]:
        """The default module name of ``D/head`` (what the project would import it as without the unit)."""
        unit = unit_path(d, head)
        for path, (name, is_package) in files.items():
            if path == unit or path.startswith(unit + os.sep):
                found = _module_parts(os.path.relpath(path, d))
                if found is None:
                    return None
                rel = ".".join(found[1])
                if name == rel:
                    return None
                if name.endswith("." + rel):
                    return name[: len(name) - len(rel)] + head
                return None
        return None

    def used_as_package(d: str) -> bool:
        """``D`` is a package the project imports by its default name (``mem0/llms`` of ``mem0.llms``): its
        siblings' bare imports (``from openai import OpenAI`` beside ``openai.py``) name other packages."""
        init = files.get(os.path.join(d, "__init__.py"))
        if init is None or not init[0]:
            return False
        uses = default_count.get(init[0], 0) - same_name_uses.get(d, 0)
        # ... unless the project imports from ``D`` as a root far more often than it names ``D`` as a package
        # (a stray ``__init__.py`` in the app's own root, hundreds of ``from utils.x import`` beside one
        # ``from backend.consts import``)
        return uses > 0 and uses * ROOT_OVER_PACKAGE > verified.get(d, 0)

    units: set[str] = set()
    for (d, head), count in sorted(score.items()):
        if d in src_dirs or verified.get(d, 0) < MIN_ROOT_IMPORTS or used_as_package(d):
            continue
        prefix = default_prefix_of(d, head)
        if prefix is not None and default_count.get(prefix, 0) >= count:
            continue
        units.add(unit_path(d, head))

    namespaces = namespace_units(root, files, relative_of, units, src_dirs) if relative_of is not None else set()
    units |= namespaces
    chosen_dirs = {os.path.dirname(u) for u in units}
    # top-level packages under the chosen roots: a module of one that is missing is unresolved too
    root_packages = {os.path.basename(u) for u in units if not u.endswith(".py")}
    root_packages |= {dotted.split(".")[0] for d, dotted in dirs_at if d in src_dirs}
    unresolved: list[list[str]] = []
    for (path, module), found in pending:
        head = module.split(".")[0]
        if found and all(used_as_package(d) for d in found) and (path, module) not in strong:
            continue  # a bare import beside a same-named module of a package: another package's name
        if not found and (path, module) not in strong and not ("." in module and head in root_packages):
            continue  # not the project's
        own += 1
        if any(d in src_dirs or (d in chosen_dirs and unit_path(d, head) in units) for d in found):
            continue
        if not found and any(((d, module) in modules_at or (d, module) in dirs_at)
                             and (d in src_dirs or unit_path(d, head) in units) for d in chosen_dirs | set(src_dirs)):
            continue  # the module is there; the names it imports are not visibly defined (``__getattr__``)
        unresolved.append([path, module])
    return RootsReport(sorted(units), src_dirs, own, unresolved, sorted(namespaces))


def _named_under(path: str, default: tuple[str, bool], units: frozenset[str], src: frozenset[str], stop: str) -> tuple[str, bool]:
    """The module name of ``path`` (default name ``default``) under the roots ``units`` and ``src``, the way the
    index names it (``_ModuleNamer``): from the innermost unit or ``src`` directory that holds it, else its default."""
    directory, base = os.path.split(path)
    start = directory if path in units else base_dir_for(directory, units, src, stop)
    if start is None:
        return default
    return dotted_under(directory, start, base)


def dotted_under(directory: str, start: str, base: str) -> tuple[str, bool]:
    """The module name of the file ``base`` in ``directory``, named from the root directory ``start`` that holds
    it, and whether it is a package (an ``__init__.py``)."""
    rel = os.path.relpath(directory, start)
    parts = [] if rel == os.curdir else rel.split(os.sep)
    is_package = base == "__init__.py"
    if not is_package:
        parts.append(base[:-3])
    return ".".join(parts), is_package


def _known(names: Iterable[str]) -> set[str]:
    """Module names and every dotted prefix of them (packages and namespace directories)."""
    out: set[str] = set()
    for name in names:
        bits = name.split(".")
        for i in range(1, len(bits) + 1):
            out.add(".".join(bits[:i]))
    return out


def namespace_units(
    root: str,
    files: dict[str, tuple[str, bool]],
    relative_of: Callable[[str], list],
    units: set[str],
    src_dirs: Iterable[str] = (),
) -> set[str]:
    """Directories that relative imports show to be namespace packages: units named from their parent.

    A package chain (``app/api/__init__.py``) under a directory without ``__init__.py`` (``app/``) is named
    from its top (``api.program``); a relative import in it that climbs above the top (``from ..crud.program
    import`` in ``api/program.py``) then names nothing, although it works at run time when ``app`` is a
    namespace package on ``sys.path``'s parent (``app.api.program`` -> ``app.crud.program``). Such a directory
    ``D`` is a unit (named from its parent, like a directory the project imports absolutely) when more of the
    climbing imports of the chains under it resolve only under that naming than do not resolve under it, and at
    least ``MIN_ROOT_IMPORTS`` (a climbing import reads as absolute today: ``..core`` as the sibling package
    ``core``). The project root itself is never one (the names of its files have no prefix: a climbing import
    reads as absolute already)."""
    root = os.path.abspath(root)
    stop = os.path.dirname(root)
    frozen_units, frozen_src = frozenset(units), frozenset(os.path.abspath(s) for s in src_dirs)
    now = {p: _named_under(p, named, frozen_units, frozen_src, stop) for p, named in files.items()}
    known_now = _known(n for n, _ in now.values() if n)
    climbing: dict[str, list[tuple[str, bool, int, str]]] = {}  # D -> (path, is_package, level, module)
    for path in sorted(files):
        found = relative_of(path)
        if not found:
            continue
        directory = os.path.dirname(path)
        if path in frozen_units or base_dir_for(directory, frozen_units, frozen_src, stop) is not None:
            continue  # named from a root: its relative imports climb within the names it has
        if not os.path.isfile(os.path.join(directory, "__init__.py")):
            continue  # named by its path from the project root: a climbing import stays in the path
        name, is_package = files[path]
        depth = name.count(".") + 1 - (0 if is_package else 1) if name else 0  # the chain's packages
        if depth < 1:
            continue
        top = directory
        for _ in range(depth - 1):
            top = os.path.dirname(top)
        outer = os.path.dirname(top)
        if outer == root or not outer.startswith(root + os.sep) or not os.path.basename(outer).isidentifier():
            continue
        for item in found:
            try:
                level, module = int(item[0]), str(item[1] or "")
            except (TypeError, ValueError, IndexError):
                continue
            if level > depth:
                climbing.setdefault(outer, []).append((path, is_package, level, module))
    chosen: set[str] = set()
    for outer, items in sorted(climbing.items()):
        with_unit = frozen_units | {outer}
        new = {p: _named_under(p, files[p], with_unit, frozen_src, stop) for p in files if p.startswith(outer + os.sep)}
        known_new = _known(n for p, (n, _) in now.items() if n and p not in new) | _known(n for n, _ in new.values() if n)
        ok = bad = 0
        for path, is_package, level, module in items:
            before = resolve_relative(now[path][0], is_package, level, module) in known_now
            after = resolve_relative(new[path][0], is_package, level, module) in known_new
            if after and not before:
                ok += 1
            elif not after:
                bad += 1  # (one that reads as absolute now, ``..core`` as the sibling package ``core``, and after too, counts for neither)
        if ok >= MIN_ROOT_IMPORTS and ok > bad:
            chosen.add(outer)
    return chosen


def relative_report(
    named: dict[str, tuple[str, bool]], relative_of: Callable[[str], list]
) -> tuple[int, list[list[str]]]:
    """(relative ``from`` imports, the unresolved ones as [path, module as written, what it resolves to]) under
    the final module names ``named`` (path -> (name, is_package)): one that names no module, package or
    namespace directory of the project resolves nowhere."""
    known = _known(n for n, _ in named.values() if n)
    count = 0
    unresolved: list[list[str]] = []
    for path in sorted(named):
        seen: set[tuple[int, str]] = set()
        for item in relative_of(path) or ():
            try:
                level, module = int(item[0]), str(item[1] or "")
            except (TypeError, ValueError, IndexError):
                continue
            if (level, module) in seen:
                continue
            seen.add((level, module))
            count += 1
            name, is_package = named[path]
            target = resolve_relative(name, is_package, level, module)
            if target not in known:
                unresolved.append([path, "." * level + module, target])
    return count, unresolved


# ``from a.b import c, d`` / ``from .a import (c,\n d)`` / ``import a.b as c, d`` at the start of a line (any
# indentation), and the names a line at the left margin binds (``def``, ``class``, an assignment): what
# ``guess_imports`` reads, without parsing
# (a line starts after ``\n``, not at ``^``: a literal first character lets the regular expression engine skip
# to the next line instead of trying every position)
_IMPORT_LINE = re.compile(
    r"\n[ \t]*(?:from[ \t]+(\.*[A-Za-z_][\w.]*|\.+)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)|import[ \t]+([^\n#;]*))"
)
_BINDING_LINE = re.compile(r"\n(?:(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|(\w+)[ \t]*(?::[^=\n]*)?=(?!=))")


def guess_imports(text: str) -> tuple[list, Optional[list]]:
    """The absolute imports of ``text`` as ``absolute_imports`` facts spell them, and the top-level names it
    binds as ``infer_roots``' ``defines`` reads them (``None`` with a star import), read from its lines without
    a parse: a guess (imports inside functions or strings count too, odd spellings may be missed), for guessing
    the roots before the project is extracted (``ProjectIndex.build``), never for deciding them."""
    out: list = []
    text = "\n" + text
    bound: list = [m.group(1) or m.group(2) for m in _BINDING_LINE.finditer(text)]
    if "import" not in text:
        return out, bound
    star = False
    for m in _IMPORT_LINE.finditer(text):
        if m.group(1):
            names = []
            for part in m.group(2).strip().strip("()").replace("\\\n", " ").split(","):
                bits = part.split()
                if not bits or bits[0].startswith("#"):
                    continue
                if bits[0] == "*":
                    star = True
                names.append(bits[0])
                bound.append((m.group(1), bits[0], bits[-1]))
            if not m.group(1).startswith("."):
                out.append([m.group(1), names])
        else:
            for part in m.group(3).split(","):
                bits = part.split()
                if bits:
                    out.append([bits[0], None])
                    bound.append((bits[0], None, bits[-1] if len(bits) > 1 else bits[0].split(".")[0]))
    return out, None if star else bound


def guessed_defines(bound: Optional[list], module: str) -> Optional[set[str]]:
    """``defines`` of a file from what ``guess_imports`` read: its names, those it imports from ``module``
    itself left out."""
    if bound is None:
        return None
    names: set[str] = set()
    for b in bound:
        if isinstance(b, str):
            names.add(b)
            continue
        source, name, local = b
        target = source if name is None else f"{source}.{name}"
        if source.startswith(".") or (target != module and not target.startswith(module + ".")):
            names.add(local)
    return names


def base_dir_for(directory: str, units: frozenset[str], src: frozenset[str], stop: str) -> Optional[str]:
    """The directory the files directly in ``directory`` are named from, when a unit or a ``src`` root
    holds it (the innermost one), else ``None``."""
    d = directory
    while True:
        if d in units:
            return os.path.dirname(d)
        if d in src:
            return d
        parent = os.path.dirname(d)
        if parent == d or d == stop:
            return None
        d = parent


# the run warns when at least this share (and this many) of the project's own imports (absolute and relative) stay
# unresolved
WARN_SHARE = 0.05
WARN_MIN = 3


def unresolved_share(report: Optional[RootsReport]) -> Optional[tuple[int, int, list[list[str]], int]]:
    """(unresolved, own imports, a few [path, module] examples, unresolved relative imports) when enough of the
    project's own imports stay unresolved for the run to say so, else ``None``. Relative imports are the
    project's own by their spelling; an example of one shows it as written (``..crud.program``)."""
    if report is None or not (report.unresolved or report.unresolved_relative):
        return None
    relative = len(report.unresolved_relative)
    count = len(report.unresolved) + relative
    total = max(report.own_imports + report.relative, count)
    if count < WARN_MIN or count < WARN_SHARE * total:
        return None
    examples: list[list[str]] = []
    seen: set[str] = set()
    for path, module in [(p, m) for p, m in report.unresolved] + [(p, m) for p, m, _ in report.unresolved_relative]:
        if module not in seen:
            seen.add(module)
            examples.append([path, module])
        if len(examples) == 3:
            break
    return count, total, examples, relative
