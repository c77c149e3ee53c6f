"""Move runs of a large class's methods into mixin classes of sibling modules, byte for byte.

usage: python bench/tools/split_class.py PLAN.json [--check]

PLAN.json: {"module": "src/backend_lint/knowledge/queries/analyzer.py", "class": "_Analyzer",
            "mixins": [["<module>", "<MixinClass>", "docstring of module and class", ["<first method of a run>", ...]], ...]}

Every statement of the class body goes, with the comments and blank lines above it, to the mixin whose list names
it, to the class itself when the list is "core" (the module name ``""``), or else where the statement before it
went. The class then inherits from its mixins in plan order; each mixin module imports what its methods read, from
the class's own module header and from sibling modules (``split_module.py`` does the same for modules). Nothing
inside a method is rewritten.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))
from split_module import deeper_wrap, header_end, header_imports, names_in, render_imports, usage  # noqa: E402


def main() -> int:
    plan = json.load(open(sys.argv[1]))
    path = plan["module"]
    text = open(path, encoding="utf-8").read()
    lines = text.splitlines()
    tree = ast.parse(text)
    end = header_end(tree)
    future, rt_imports, tc_imports = header_imports(tree, lines, end)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == plan["class"])
    module_names = {}
    for node in tree.body[end:]:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            module_names[node.name] = "__self__"
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        module_names[n.id] = "__self__"
    # sibling names imported by the class's module: re-import them in the mixins from where they come
    first_of = {}
    for mod, mixin, _, names in plan["mixins"]:
        for n in names:
            first_of[n] = (mod, mixin)
    body = cls.body
    start_body = body[0]
    if isinstance(start_body, ast.Expr) and isinstance(start_body.value, ast.Constant):
        body = body[1:]
        prev_end = start_body.end_lineno
    else:
        prev_end = cls.lineno  # the ``class X:`` line (single line assumed)
    current = ("", "")
    chunks = []
    for node in body:
        seg = lines[prev_end:node.end_lineno]
        prev_end = node.end_lineno
        name = getattr(node, "name", None)
        if name in first_of:
            current = first_of[name]
        chunks.append((current, seg, node))
    unknown = set(first_of) - {getattr(c[2], "name", None) for c in chunks}
    if unknown:
        print("plan names no method:", sorted(unknown), file=sys.stderr)
        return 2

    pkg_dir = os.path.dirname(path)
    here = os.path.basename(path)[:-3]
    files = {}
    bases = []
    for mod, mixin, doc, _ in plan["mixins"]:
        if not mod:
            continue
        mine = [c for c in chunks if c[0] == (mod, mixin)]
        if not mine:
            continue
        bases.append((mod, mixin))
        runtime, annotations = set(), set()
        for _, _, node in mine:
            r, a = usage(node)
            runtime |= r
            annotations |= a
        bad = sorted(n for n in runtime if module_names.get(n) == "__self__" and n != plan["class"])
        if bad:
            print(f"{mixin} reads names defined in {here}.py itself (move them first): {bad}", file=sys.stderr)
            return 2
        out = render_header(doc, future, rt_imports, tc_imports, runtime, annotations, [])
        methods = "\n".join("\n".join(seg) for _, seg, _ in mine).strip("\n")
        class_doc = doc.split("\n\n")[0].replace("\n", "\n    ")
        files[mod] = "\n".join(out).rstrip("\n") + f"\n\n\nclass {mixin}:\n    \"\"\"{class_doc}\"\"\"\n\n" + methods + "\n"

    if "--check" in sys.argv:
        for m, t in files.items():
            print(m, len(t.splitlines()), "lines")
        return 0
    for m, t in files.items():
        with open(os.path.join(pkg_dir, m + ".py"), "w", encoding="utf-8") as f:
            f.write(t)
    kept = [c for c in chunks if c[0] == ("", "")]
    header_line = lines[cls.lineno - 1]
    assert not cls.decorator_list and header_line.rstrip().endswith(":"), header_line
    base_list = ", ".join(m for _, m in bases)
    new_header = header_line.rstrip()[:-1]
    new_header = (new_header[:-1] + ", " + base_list + "):") if new_header.endswith(")") else (new_header + f"({base_list}):")
    doc_lines = lines[cls.lineno:start_body.end_lineno] if isinstance(start_body, ast.Expr) else []
    if not doc_lines and plan.get("class_doc"):
        doc_lines = [f'    """{plan["class_doc"]}"""']
    kept_text = "\n".join("\n".join(seg) for _, seg, _ in kept).strip("\n")
    first = tree.body[end]
    body_lines = lines[tree.body[end - 1].end_lineno:cls.lineno - 1] + [new_header] + doc_lines + ["", kept_text] + lines[cls.end_lineno:]
    # what the module still reads decides its imports (the mixins took the rest)
    rest = ast.parse("\n".join(body_lines))
    runtime, annotations = set(), set()
    for node in rest.body:
        r, a = usage(node)
        runtime |= r
        annotations |= a
    doc = ast.get_docstring(tree, clean=False)
    head = render_header(doc, future, rt_imports, tc_imports, runtime, annotations, [f"from .{m} import {x}" for m, x in bases])
    new = head + [""] + ("\n".join(body_lines).lstrip("\n").splitlines() and [""]) + "\n".join(body_lines).lstrip("\n").splitlines()
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(new).rstrip("\n") + "\n")
    for m, t in files.items():
        print(m, len(t.splitlines()), "lines")
    print(here, len(new), "lines")
    return 0


def render_header(doc, future, rt_imports, tc_imports, runtime, annotations, extra):
    """Docstring, ``__future__``, the header imports the code reads (relative ones kept as the class's module spells
    them), ``extra`` lines (the mixins), the ``TYPE_CHECKING`` imports and the header's assignments."""
    head_rt = {n for n in runtime | annotations if n in rt_imports}
    for n in list(head_rt):
        if rt_imports[n][0] == "assign":
            head_rt |= {m for m in names_in(ast.parse(rt_imports[n][1])) if m in rt_imports and m != n}
    head_tc = {n for n in runtime | annotations if n in tc_imports}
    out = [f'"""{doc}"""', ""]
    if future:
        out += [future, ""]
    plain = {n for n in head_rt if rt_imports[n][0] != "assign"}
    # the class's module is already one level deep: keep its relative imports as they are
    outside = render_imports({n for n in plain if not rt_imports[n][1].startswith(".")}, rt_imports)
    inside = [deeper_wrap(shallower(l)) for l in render_imports({n for n in plain if rt_imports[n][1].startswith(".")}, rt_imports)]
    out += outside + ([""] if outside and inside else []) + inside + extra
    if head_tc:
        if not any("TYPE_CHECKING" in l for l in out):
            out = [l.replace("from typing import ", "from typing import TYPE_CHECKING, ", 1) if l.startswith("from typing import ") else l for l in out]
        out += ["", "if TYPE_CHECKING:  # pragma: no cover"]
        out += [shallower(l) for l in render_imports(head_tc, tc_imports, indent="    ")]
    assigns = {n for n in head_rt if rt_imports[n][0] == "assign"}
    if assigns:
        out += [""] + render_imports(assigns, rt_imports)
    return out


def shallower(line: str) -> str:
    """Relative imports of the class's module stay as they are (the mixins sit beside it)."""
    import re

    return re.sub(r"^(\s*from )\.(\.+)", lambda m: m.group(1) + m.group(2), line)


if __name__ == "__main__":
    sys.exit(main())
