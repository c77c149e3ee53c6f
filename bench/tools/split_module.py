"""Split one large module into a package at named seams, moving text byte for byte.

usage: python bench/tools/split_module.py PLAN.json [--check]

PLAN.json: {"source": "src/backend_lint/knowledge/queries.py",
            "docstrings": {"<module>": "one-paragraph docstring", ...},
            "modules": [["<module>", ["<first top-level name of a run>", ...]], ...],
            "init_docstring_from_source": true}

Every top-level statement after the header (imports, the ``TYPE_CHECKING`` block, ``x = lazy_import(...)``) goes,
with the comments and blank lines above it, to the module whose list names it, or else to the module of the
statement before it (so a plan names the first statement of each run, and statements added later follow their
neighbours). Each new module gets the header imports it uses (relative imports one level deeper), imports of the
sibling names it uses (names used only in annotations under ``TYPE_CHECKING``), and the package ``__init__.py``
re-exports every public name and every private name that code outside the package reads. The runtime imports
between the new modules must form no cycle; the tool says which modules close one. Nothing is rewritten inside a
definition: the package behaves as the module did.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections import defaultdict


def header_end(tree: ast.Module) -> int:
    """Index of the first statement that is not part of the header."""
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and "lazy_import" in ast.unparse(node.value.func):
            continue
        return i
    return len(tree.body)


def bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def annotation_nodes(node: ast.AST) -> list[ast.AST]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = n.args
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None and a.annotation is not None:
                    out.append(a.annotation)
            if n.returns is not None:
                out.append(n.returns)
        elif isinstance(n, ast.AnnAssign):
            out.append(n.annotation)
    return out


def names_in(node: ast.AST) -> set[str]:
    found = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for n in ast.walk(node):  # string annotations (``Optional["ProjectIndex"]``)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and re.fullmatch(r"[\w.\[\], ]+", n.value):
            found |= set(re.findall(r"[A-Za-z_]\w*", n.value))
    return found


def usage(node: ast.stmt) -> tuple[set[str], set[str]]:
    """(names read at run time, names read only in annotations)."""
    ann = set()
    ann_ids = set()
    for a in annotation_nodes(node):
        ann |= names_in(a)
        ann_ids |= {id(x) for x in ast.walk(a)}
    runtime = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in ann_ids}
    return runtime, ann - runtime


def deeper(line: str) -> str:
    return re.sub(r"^(\s*from )(\.+)", lambda m: m.group(1) + "." + m.group(2), line)


def header_imports(tree: ast.Module, lines: list[str], end: int):
    """name -> (statement template, type_checking); plus the ``from __future__`` line."""
    runtime: dict[str, tuple[str, str, str | None]] = {}
    checking: dict[str, tuple[str, str, str | None]] = {}
    future = None

    def take(node, into):
        nonlocal future
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                future = lines[node.lineno - 1]
                return
            mod = "." * node.level + (node.module or "")
            seg = "\n".join(lines[node.lineno - 1:node.end_lineno])
            comment = seg.split("#", 1)[1].strip() if "#" in seg and node.lineno == node.end_lineno else None
            for a in node.names:
                name = a.asname or a.name
                into[name] = ("from", mod, a.name if a.asname is None else f"{a.name} as {a.asname}", comment)
        elif isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                into[name] = ("import", a.name if a.asname is None else f"{a.name} as {a.asname}", None, None)
        elif isinstance(node, ast.Assign):
            seg = "\n".join(lines[node.lineno - 1:node.end_lineno])
            for name in bound_names(node):
                # keep the comment lines right above it (the reason for the lazy import)
                k = node.lineno - 2
                above = []
                while k >= 0 and lines[k].startswith("#"):
                    above.insert(0, lines[k])
                    k -= 1
                into[name] = ("assign", "\n".join(above + [seg]), None, None)

    for node in tree.body[:end]:
        if isinstance(node, ast.If):
            for sub in node.body:
                take(sub, checking)
        elif not isinstance(node, ast.Expr):
            take(node, runtime)
    return future, runtime, checking


def render_imports(names: set[str], table: dict, indent: str = "") -> list[str]:
    froms: dict[str, list[str]] = defaultdict(list)
    comments: dict[str, list[str]] = defaultdict(list)
    plain, assigns = [], []
    for name in sorted(names):
        kind, a, b, comment = table[name]
        if kind == "from":
            froms[a].append(b)
            if comment:
                comments[a].append(comment)
        elif kind == "import":
            plain.append(f"{indent}import {a}")
        else:
            assigns.append(a)
    out = sorted(set(plain))

    def order(mod: str) -> tuple:
        dots = len(mod) - len(mod.lstrip("."))
        return (dots > 0, -dots, mod)

    for mod in sorted(froms, key=order):
        items = sorted(set(froms[mod]), key=lambda s: s.lower())
        target = deeper(f"from {mod} import x")[5:-9] if mod.startswith(".") else mod
        line = f"{indent}from {target} import {', '.join(items)}"
        if comments[mod]:
            line += "  # " + "; ".join(dict.fromkeys(comments[mod]))
        if len(line) > 120:
            body = "".join(f"{indent}    {i},\n" for i in items)
            line = f"{indent}from {target} import (\n{body}{indent})"
            if comments[mod]:
                line = f"{indent}# " + "; ".join(dict.fromkeys(comments[mod])) + "\n" + line
        out.append(line)
    return out + assigns


def deeper_wrap(line: str) -> str:
    """A sibling import wrapped like the others past 120 characters."""
    if len(line) <= 120 or "\n" in line:
        return line
    head, _, names = line.partition(" import ")
    return head + " import (\n" + "".join(f"    {n},\n" for n in names.split(", ")) + ")"


def external_reads(pkg_dotted: str, source: str, roots: list[str]) -> set[str]:
    """Names code outside SOURCE reads from it: ``mod.NAME`` and ``from ...mod import NAMES``."""
    leaf = pkg_dotted.rsplit(".", 1)[1]
    found: set[str] = set()
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in files:
                if not f.endswith(".py"):
                    continue
                path = os.path.join(dirpath, f)
                if os.path.abspath(path) == os.path.abspath(source):
                    continue
                try:
                    tree = ast.parse(open(path, encoding="utf-8").read())
                except SyntaxError:
                    continue
                for n in ast.walk(tree):
                    if isinstance(n, ast.ImportFrom) and n.module and (n.module == pkg_dotted or n.module.endswith("." + leaf) or n.module == leaf):
                        found |= {a.name for a in n.names}
                    elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == leaf:
                        found.add(n.attr)
    return found


def main() -> int:
    plan = json.load(open(sys.argv[1]))
    source = plan["source"]
    text = open(source, encoding="utf-8").read()
    lines = text.splitlines()
    tree = ast.parse(text)
    end = header_end(tree)
    future, rt_imports, tc_imports = header_imports(tree, lines, end)
    doc = ast.get_docstring(tree, clean=False)

    first_of = {}
    for mod, names in plan["modules"]:
        for n in names:
            first_of[n] = mod
    order = [m for m, _ in plan["modules"]]

    body = tree.body[end:]
    chunks = []  # (module, text, node)
    current = order[0]
    prev_end = tree.body[end - 1].end_lineno if end else 0
    for node in body:
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = min(d.lineno for d in node.decorator_list) - 1
        seg = lines[prev_end:node.end_lineno]
        prev_end = node.end_lineno
        names = bound_names(node)
        for n in names:
            if n in first_of:
                current = first_of[n]
                break
        chunks.append((current, seg, node, names))

    defined_in: dict[str, str] = {}
    for mod, _, _, names in chunks:
        for n in names:
            defined_in[n] = mod
    unknown = set(first_of) - set(defined_in)
    if unknown:
        print("plan names no statement:", sorted(unknown), file=sys.stderr)
        return 2

    pkg_dir = source[:-3]
    pkg_dotted = pkg_dir.split("src/", 1)[1].replace("/", ".")
    graph: dict[str, set[str]] = {m: set() for m in order}
    files: dict[str, str] = {}
    for mod in order:
        mine = [c for c in chunks if c[0] == mod]
        if not mine:
            continue
        runtime, annotations = set(), set()
        for _, _, node, _ in mine:
            r, a = usage(node)
            runtime |= r
            annotations |= a
        own = {n for _, _, _, names in mine for n in names}
        sib_rt = defaultdict(set)
        sib_tc = defaultdict(set)
        for n in runtime - own:
            if n in defined_in:
                sib_rt[defined_in[n]].add(n)
        for n in annotations - own - runtime:
            if n in defined_in:
                sib_tc[defined_in[n]].add(n)
        graph[mod] = set(sib_rt)
        head_rt = {n for n in runtime | annotations if n in rt_imports and n not in own}
        for n in list(head_rt):  # an assignment of the header (``cst = lazy_import("libcst")``) brings its own imports
            if rt_imports[n][0] == "assign":
                head_rt |= {m for m in names_in(ast.parse(rt_imports[n][1])) if m in rt_imports and m != n}
        head_tc = {n for n in runtime | annotations if n in tc_imports}
        out = [f'"""{plan["docstrings"][mod]}"""', ""]
        if future:
            out.append(future)
            out.append("")
        plain = {n for n in head_rt if rt_imports[n][0] != "assign"}
        outside = [l for l in render_imports({n for n in plain if not rt_imports[n][1].startswith(".")}, rt_imports)]
        inside = [l for l in render_imports({n for n in plain if rt_imports[n][1].startswith(".")}, rt_imports)]
        out += outside + ([""] if outside and inside else []) + inside
        siblings = [f"from .{m} import {', '.join(sorted(sib_rt[m], key=str.lower))}" for m in sorted(sib_rt, key=order.index)]
        out += [deeper_wrap(l) for l in siblings]
        tcs = {n for n in head_tc}
        if tcs or sib_tc:
            if "TYPE_CHECKING" not in " ".join(out):
                out = [l.replace("from typing import ", "from typing import TYPE_CHECKING, ", 1) if l.startswith("from typing import ") else l for l in out]
                if not any("TYPE_CHECKING" in l for l in out):
                    out.insert(out.index(future) + 2 if future else 2, "from typing import TYPE_CHECKING")
            out.append("")
            out.append("if TYPE_CHECKING:  # pragma: no cover")
            out += render_imports(tcs, tc_imports, indent="    ")
            for m in sorted(sib_tc, key=order.index):
                out.append(f"    from .{m} import {', '.join(sorted(sib_tc[m], key=str.lower))}")
        assigns = {n for n in head_rt if rt_imports[n][0] == "assign"}
        if assigns:
            out.append("")
            out += render_imports(assigns, rt_imports)
        body_text = "\n".join("\n".join(seg) for _, seg, _, _ in mine).strip("\n")
        # imports inside functions (a cycle broken at call time) now sit one package deeper
        body_text = re.sub(r"^(\s+from )(\.+)", lambda m: m.group(1) + "." + m.group(2), body_text, flags=re.M)
        files[mod] = "\n".join(out).rstrip("\n") + "\n\n\n" + body_text + "\n"

    # cycles
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m, stack):
        state[m] = 1
        for d in graph.get(m, ()):
            if state.get(d) == 1:
                cycle.extend(stack[stack.index(d):] + [m, d] if d in stack else [m, d])
                return True
            if state.get(d) is None and visit(d, stack + [m]):
                return True
        state[m] = 2
        return False

    for m in order:
        if state.get(m) is None and visit(m, []):
            print("import cycle:", " -> ".join(cycle), file=sys.stderr)
            for a in order:
                for b in sorted(graph.get(a, ())):
                    names = sorted(n for n in defined_in if defined_in[n] == b and n in {x.id for c in chunks if c[0] == a for x in ast.walk(c[2]) if isinstance(x, ast.Name)})
                    print(f"  {a} -> {b}: {names[:12]}", file=sys.stderr)
            return 2

    reads = external_reads(pkg_dotted, source, plan.get("roots", ["src", "tests", "bench"]))
    exported = {n for n in defined_in if not n.startswith("_") or n in reads}
    missing = {n for n in reads if n not in defined_in and n not in rt_imports and not n.startswith("__")}
    init = [f'"""{doc}"""' if plan.get("init_docstring_from_source") and doc else f'"""{plan["docstrings"]["__init__"]}"""', ""]
    by_mod = defaultdict(list)
    for n in exported:
        by_mod[defined_in[n]].append(n)
    for m in order:
        if by_mod.get(m):
            items = sorted(by_mod[m], key=str.lower)
            init.append(f"from .{m} import (  # noqa: F401\n" + "".join(f"    {i},\n" for i in items) + ")")
    if "--check" in sys.argv:
        for m, t in files.items():
            print(m, len(t.splitlines()), "lines")
        print("external names not defined here:", sorted(missing))
        return 0
    os.makedirs(pkg_dir, exist_ok=True)
    for m, t in files.items():
        with open(os.path.join(pkg_dir, m + ".py"), "w", encoding="utf-8") as f:
            f.write(t)
    with open(os.path.join(pkg_dir, "__init__.py"), "w", encoding="utf-8") as f:
        f.write("\n".join(init) + "\n")
    subprocess.run(["git", "rm", "-q", source], check=False)
    for m, t in files.items():
        print(m, len(t.splitlines()), "lines")
    if missing:
        print("external names not defined here (check them):", sorted(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
